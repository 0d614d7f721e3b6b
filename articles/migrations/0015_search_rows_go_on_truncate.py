"""On PostgreSQL, the search index empties when its articles' table is truncated, as
`manage.py flush` does: TRUNCATE fires no row trigger, so the index kept rows of articles
that were gone, and the numbers the flush restarts gave them to new articles. (SQLite's
flush deletes row by row: its trigger suffices.)"""

from django.db import migrations

CREATE = [
    "CREATE FUNCTION articles_search_truncated() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN TRUNCATE articles_search; RETURN NULL; END $$",
    "CREATE TRIGGER articles_search_truncated AFTER TRUNCATE ON articles_article "
    "FOR EACH STATEMENT EXECUTE FUNCTION articles_search_truncated()",
]
DROP = [
    "DROP TRIGGER articles_search_truncated ON articles_article",
    "DROP FUNCTION articles_search_truncated()",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("articles", "0014_tag_rows_public_copy")]

    operations = [migrations.RunPython(create, drop)]
