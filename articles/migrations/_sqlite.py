"""SQLite rebuilds a table to alter or drop its columns, and the rebuild drops the table's
triggers: migrations that rebuild articles_article make the search index's trigger
(0005) again."""

from django.db import migrations

TRIGGER = (
    "CREATE TRIGGER IF NOT EXISTS articles_search_gone AFTER DELETE ON articles_article "
    "BEGIN DELETE FROM articles_search WHERE rowid = old.id; END"
)


def _make_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(TRIGGER)


def keeping_search_trigger(*operations):
    """`operations`, then the trigger made again (and again when they are undone)."""
    return [
        migrations.RunPython(migrations.RunPython.noop, _make_trigger),
        *operations,
        migrations.RunPython(_make_trigger, migrations.RunPython.noop),
    ]
