"""Django for a benchmark: on the database it names, else on a new SQLite file."""

from __future__ import annotations

import os
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
