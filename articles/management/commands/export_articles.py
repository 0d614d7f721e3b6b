from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.exporter import export_articles


class Command(BaseCommand):
    help = (
        "Write every article as a vault note under DIR, at its vault path where it has one. "
        "Nothing is written through a link or outside DIR."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="Folder to write the notes into.")
        parser.add_argument(
            "--with-images",
            action="store_true",
            help="An offline vault: write each archived image under DIR/_images/ and link "
            "the notes to it relatively. Not the round trip: the notes' image links differ "
            "from their source's, so this export is not recorded as agreeing with Folio.",
        )

    def handle(self, *args, directory, with_images, **options):
        report = export_articles(directory, images=with_images)
        for error in report.failed:
            self.stderr.write(str(error))
        self.stdout.write(f"{len(report.written)} articles written to {directory}")
        if report.failed:
            raise CommandError(f"{len(report.failed)} article(s) not written", returncode=1)
