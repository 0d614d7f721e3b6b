"""RSS 2.0 and Atom feeds: the whole site, and one per tag."""

from contextvars import ContextVar

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, format_html
from django.utils.translation import gettext_lazy as _

from .images import archive as images
from .models import Article, Tag

# The site's address while a feed is made: its images' copies are linked absolutely.
_site = ContextVar("site", default="")


class LatestArticles(Feed):
    title = settings.FOLIO_SITE_NAME
    link = "/"
    description = _("The latest articles")

    def items(self):
        return _shown(Article.objects.published().with_related()[: settings.FOLIO_FEED_SIZE])

    def item_title(self, item):
        return item.title

    def __call__(self, request, *args, **kwargs):
        token = _site.set(request.build_absolute_uri("/"))
        try:
            return super().__call__(request, *args, **kwargs)
        finally:
            _site.reset(token)

    def item_description(self, item):
        summary = format_html("<p><strong>{}</strong></p>", item.summary) if item.summary else ""
        return summary + item.shown_html

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.author.name if item.author else None

    def item_categories(self, item):
        return [tag.name for tag in item.tag_list()]


class LatestArticlesAtom(LatestArticles):
    feed_type = Atom1Feed
    subtitle = LatestArticles.description


class TagArticles(LatestArticles):
    def get_object(self, request, slug):
        return get_object_or_404(Tag.objects.public(), slug=slug)

    def title(self, tag):
        return f"{tag.name} · {settings.FOLIO_SITE_NAME}"

    def link(self, tag):
        return tag.get_absolute_url()

    def description(self, tag):
        # An RSS reader takes a channel's description for HTML, as it takes an item's (HTML
        # here): the tag's name goes in as text. (Atom says which: its subtitle is text.)
        return escape(_tagged(tag))

    def items(self, tag):
        articles = Article.objects.published().filter(tagged_items__tag=tag)
        return _shown(articles.with_related()[: settings.FOLIO_FEED_SIZE])


class TagArticlesAtom(TagArticles):
    feed_type = Atom1Feed

    def subtitle(self, tag):
        return _tagged(tag)


def _tagged(tag) -> str:
    return _("The latest articles tagged %(tag)s") % {"tag": tag.name}


def _shown(articles) -> list[Article]:
    """`articles`, each with the body its item shows: Folio's copies of its images, linked
    absolutely (one query for the whole feed)."""
    articles = list(articles)
    bodies = images.shown([article.body_html for article in articles], base=_site.get())
    for article, body in zip(articles, bodies, strict=True):
        article.shown_html = body
    return articles
