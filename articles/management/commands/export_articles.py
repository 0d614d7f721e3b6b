from pathlib import Path

from django.core.management.base import BaseCommand

from articles.exporter import export_articles


class Command(BaseCommand):
    help = "Write every article as a vault note under DIR, at its vault path where it has one."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="Folder to write the notes into.")

    def handle(self, *args, directory, **options):
        report = export_articles(directory)
        self.stdout.write(f"{len(report.written)} articles written to {directory}")
