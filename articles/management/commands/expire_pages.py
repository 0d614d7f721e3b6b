from django.core.management.base import BaseCommand

from articles import pagecache


class Command(BaseCommand):
    help = (
        "Start a new generation of the page cache: every server renders its pages afresh. "
        "Folio's own changes do this themselves; run it after changing the database by hand."
    )

    def handle(self, *args, **options):
        pagecache.expire()
        self.stdout.write("pages expired")
