from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.backups import BackupError, back_up


class Command(BaseCommand):
    help = (
        "Back up into a new folder: the database's own dump (folio.dump for PostgreSQL, "
        "folio.sqlite3 for SQLite) and every article as a vault note (vault/). "
        "README.md says how to restore."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "directory",
            nargs="?",
            type=Path,
            help="A folder that does not exist yet (default: var/backups/<date-time>).",
        )

    def handle(self, *args, directory, **options):
        if directory is None:
            stamp = datetime.now().strftime("%Y-%m-%d-%H%M%S")
            directory = Path(settings.BASE_DIR) / "var" / "backups" / stamp
        try:
            backup = back_up(directory)
        except BackupError as error:
            raise CommandError(str(error)) from error
        for error in backup.vault.failed:
            self.stderr.write(str(error))
        size = backup.database.stat().st_size
        self.stdout.write(f"database: {backup.database} ({size / 1e6:.1f} MB)")
        self.stdout.write(f"vault: {len(backup.vault.written)} articles in {directory / 'vault'}")
        if backup.vault.failed:
            raise CommandError(f"{len(backup.vault.failed)} article(s) not written", returncode=1)
