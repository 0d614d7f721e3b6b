from django.core.management.base import BaseCommand

from articles import search


class Command(BaseCommand):
    help = "Empty the search index and index every article again."

    def handle(self, *args, **options):
        count = search.rebuild()
        self.stdout.write(f"{count} articles indexed")
