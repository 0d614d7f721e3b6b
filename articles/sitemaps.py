"""sitemap.xml: every public page a search engine should know."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Article, Author, Tag


class ArticleSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        # Rows from the index alone, as light tuples: thousands of them.
        articles = Article.objects.published().order_by("-published_at", "-id")
        return articles.values_list("slug", "updated_at", named=True)

    def location(self, item):
        return reverse("articles:article", args=[item.slug])

    def lastmod(self, item):
        return item.updated_at


class TagSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Tag.objects.public().order_by("name")


class AuthorSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Author.objects.public().order_by("name")


class PageSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return ["articles:home", "articles:archive"]

    def location(self, item):
        return reverse(item)


sitemaps = {
    "pages": PageSitemap,
    "articles": ArticleSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
}
