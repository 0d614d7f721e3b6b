"""The search index: an FTS5 table on SQLite, a tsvector table with a GIN index on
PostgreSQL (see articles/search.py). Rows go when their article goes (a trigger); the
index is filled by saves and imports, and refilled by `manage.py rebuild_search_index`."""

from django.db import migrations

SQL = {
    "sqlite": (
        [
            "CREATE VIRTUAL TABLE articles_search USING fts5("
            "title, summary, tags, author, body, tokenize = 'unicode61 remove_diacritics 2')",
            "CREATE TRIGGER articles_search_gone AFTER DELETE ON articles_article "
            "BEGIN DELETE FROM articles_search WHERE rowid = old.id; END",
        ],
        ["DROP TRIGGER articles_search_gone", "DROP TABLE articles_search"],
    ),
    "postgresql": (
        [
            "CREATE TABLE articles_search "
            "(article_id bigint PRIMARY KEY, vector tsvector NOT NULL, head tsvector NOT NULL)",
            "CREATE INDEX articles_search_vector ON articles_search USING gin (vector)",
            "CREATE FUNCTION articles_search_gone() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN DELETE FROM articles_search WHERE article_id = OLD.id; RETURN OLD; END $$",
            "CREATE TRIGGER articles_search_gone AFTER DELETE ON articles_article "
            "FOR EACH ROW EXECUTE FUNCTION articles_search_gone()",
        ],
        [
            "DROP TRIGGER articles_search_gone ON articles_article",
            "DROP FUNCTION articles_search_gone()",
            "DROP TABLE articles_search",
        ],
    ),
}


def create(apps, schema_editor):
    for statement in SQL[schema_editor.connection.vendor][0]:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    for statement in SQL[schema_editor.connection.vendor][1]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("articles", "0004_roles")]

    operations = [migrations.RunPython(create, drop)]
