from django.core.management.base import BaseCommand

from articles import pagecache
from articles.models import TaggedArticle


class Command(BaseCommand):
    help = (
        "Start a new generation of the page cache, and of stored HTML: every server renders "
        "its pages and their parts afresh. Folio's own changes expire what they change; run "
        "this after changing the database by hand (it also copies each article's status and "
        "publish time onto its tag rows again, as Folio's own changes do)."
    )

    def handle(self, *args, **options):
        TaggedArticle.objects.follow_all()
        pagecache.expire_everything()
        self.stdout.write("pages expired")
