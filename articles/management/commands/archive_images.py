from django.core.management.base import BaseCommand, CommandError

from articles.images import archive
from articles.management.commands.import_seeds import Progress
from articles.models import Article, RemoteImage

Status = RemoteImage.Status


class Command(BaseCommand):
    help = (
        "Fetch and keep a copy of every remote image of the articles (for a vault imported "
        "before Folio kept images; imports and saves archive their images in the background "
        "by themselves). Images archived already are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--article", metavar="SLUG", help="Only this article's images.")
        parser.add_argument(
            "--retry-failed",
            action="store_true",
            help="Try the images that failed again (their tries counted anew).",
        )

    def handle(self, *args, article, retry_failed, **options):
        articles = Article.objects.all()
        if article is not None:
            articles = articles.filter(slug=article)
            if not articles.exists():
                raise CommandError(f"no article has the slug {article!r}")
        tty = options["verbosity"] > 0 and self.stderr.isatty()
        progress = Progress(self.stderr) if tty else None

        def each(done: int, total: int, image: RemoteImage | None) -> None:
            if image is not None and image.status == Status.FAILED:
                self.stderr.write(f"{image.url}: {image.reason}")
            if progress:
                progress(done, total)

        counts = archive.catch_up(articles, retry_failed=retry_failed, each=each)
        self.stdout.write(
            f"{counts['archived']} archived, {counts['skipped']} skipped (trackers), "
            f"{counts['failed']} failed, {counts['pending']} to be tried again later"
        )
