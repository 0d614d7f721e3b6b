"""A backup: the database's own dump (everything: articles, revisions, redirects, users,
the search index), and beside it the articles as a vault, readable without Folio."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

from .exporter import ExportReport, export_articles


class BackupError(Exception):
    pass


@dataclass
class Backup:
    database: Path
    vault: ExportReport


def back_up(folder: Path) -> Backup:
    """Write the database's dump and the vault into `folder`, which must not exist yet."""
    try:
        folder.mkdir(parents=True)
    except FileExistsError:
        raise BackupError(f"{folder}: already exists; a backup goes into a new folder") from None
    database = _dump(folder)
    return Backup(database, export_articles(folder / "vault", agree=False))


def _dump(folder: Path) -> Path:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        # SQLite's online backup: a consistent copy while the site serves and writes.
        target = folder / "folio.sqlite3"
        connection.ensure_connection()
        with closing(sqlite3.connect(target)) as copy:
            connection.connection.backup(copy)
        return target
    if connection.vendor == "postgresql":
        if shutil.which("pg_dump") is None:
            raise BackupError("pg_dump not found: install PostgreSQL's client (postgresql-client)")
        target = folder / "folio.dump"
        command = ["pg_dump", "--format=custom", "--no-owner", f"--file={target}"]
        for option, value in (("host", db["HOST"]), ("port", db["PORT"]), ("username", db["USER"])):
            if value:
                command.append(f"--{option}={value}")
        environ = {**os.environ, "PGPASSWORD": db["PASSWORD"]} if db["PASSWORD"] else None
        done = subprocess.run(
            [*command, db["NAME"]], env=environ, capture_output=True, text=True, check=False
        )
        if done.returncode:
            raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
        return target
    raise BackupError(f"no backup for a {connection.vendor} database")
