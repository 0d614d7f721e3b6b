from django.core.management.base import BaseCommand

from articles import pagecache


class Command(BaseCommand):
    help = (
        "Start a new generation of the page cache, and of stored HTML: every server renders "
        "its pages and their parts afresh. Folio's own changes expire what they change; run "
        "this after changing the database by hand."
    )

    def handle(self, *args, **options):
        pagecache.expire_everything()
        self.stdout.write("pages expired")
