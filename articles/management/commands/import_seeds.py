from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.importer import Verdict, import_vault


class Progress:
    """A one-line progress bar, redrawn in place on a terminal."""

    WIDTH = 30

    def __init__(self, stream):
        self.stream = stream
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        filled = self.WIDTH * done // total
        if filled == self.shown and done != total:
            return
        self.shown = filled
        bar = "#" * filled + "." * (self.WIDTH - filled)
        self.stream.write(f"\r[{bar}] {done:,}/{total:,}", ending="\n" if done == total else "")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Import vault notes (.md, .markdown, .txt) as articles. Repeatable: unchanged files "
        "are skipped and articles edited since their last import are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths",
            nargs="*",
            type=Path,
            help="Files or folders to import; folders are walked, hidden ones skipped "
            "(default: the project's seeds/ folder).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would happen; write nothing."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Let each changed file overwrite its article, even one edited in Folio since.",
        )

    def handle(self, *args, paths, dry_run, force, **options):
        tty = options["verbosity"] > 0 and self.stderr.isatty()
        report = import_vault(
            paths or [Path(settings.FOLIO_SEEDS_DIR)],
            dry_run=dry_run,
            force=force,
            progress=Progress(self.stderr) if tty else None,
        )
        for skipped in report.skipped:
            self.stderr.write(skipped)
        for result in report.results:
            if result.verdict == Verdict.FAILED:
                self.stderr.write(result.detail)
            elif result.verdict == Verdict.DUPLICATE:
                self.stderr.write(f"{result.path}: skipped, {result.detail}")
            elif result.detail:  # conflicts, edits kept, moves
                self.stdout.write(f"{result.verdict}: {result.path}: {result.detail}")
        if dry_run:
            self.stdout.write("dry run: nothing was written")
        duplicates = report.count(Verdict.DUPLICATE)
        if duplicates:
            self.stdout.write(
                f"{duplicates} duplicate{'s' if duplicates > 1 else ''} skipped "
                "(the same article as another file; each named on stderr)"
            )
        self.stdout.write(report.summary())
        if report.count(Verdict.FAILED):
            raise CommandError(f"{report.count(Verdict.FAILED)} file(s) not imported", returncode=1)
