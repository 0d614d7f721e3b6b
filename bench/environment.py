"""Django for a benchmark: on the database it names, else on a new SQLite file."""

from __future__ import annotations

import os
import uuid
from pathlib import Path


def start_django(database_url: str | None, scratch: Path) -> None:
    """Set Django up on `database_url`, else on a new SQLite file in `scratch`."""
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{scratch / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings")
    import django

    django.setup()


def fresh_database(*, keep: bool = False) -> None:
    """Make the tables: on PostgreSQL a database of its own (`keep` reuses what is there),
    on SQLite the new file's."""
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keep)
    else:
        call_command("migrate", verbosity=0)


def served_site(scratch: Path, articles: int) -> Path:
    """A fresh database holding `articles` synthetic notes imported from `scratch`/vault,
    analysed as autovacuum soon would (index-only scans on PostgreSQL), and the static
    files collected for a production server: their folder."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from articles.importer import import_vault
    from bench.synthetic import write_vault

    fresh_database()
    print(f"importing {articles:,} synthetic notes ...", flush=True)
    write_vault(scratch / "vault", articles)
    import_vault([scratch / "vault"])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    settings.STATIC_ROOT = scratch / "static"
    call_command("collectstatic", interactive=False, verbosity=0)
    return settings.STATIC_ROOT


def server_environment(static: Path, name: str) -> dict[str, str]:
    """The environment for production servers (debug off, 2 workers, pages in Redis under
    a prefix of their own) on the database Django uses here: on PostgreSQL
    fresh_database's own."""
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": f"{name}-only-" + "k" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_STATIC_ROOT": str(static),
        "WEB_CONCURRENCY": "2",
        "REDIS_URL": "redis://127.0.0.1:6379/14",
        "FOLIO_CACHE_PREFIX": f"{name}-{uuid.uuid4().hex}",
    }


def database_url() -> str:
    """The database Django uses here, for another process to use: on PostgreSQL
    fresh_database's own."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
