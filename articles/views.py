"""What readers see. Every article shown comes through `Article.objects.published()`;
staff may also preview the others, under a banner."""

import html
import re

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.generic.dates import MonthArchiveView, YearArchiveView

from . import fragments, measure, rendering, search
from .models import Article, ArticleRedirect, Author, Tag, TagRedirect

_FIRST_IMAGE = re.compile(r'<img [^>]*src="([^"]+)"')


class IndexPaginator(Paginator):
    """Pages whose rows are read once they are found: a page's ids come from the index
    alone, however far the page (OFFSET skips index entries, not rows), then its rows by
    id. Page 50 costs what page 1 does."""

    def page(self, number):
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        ids = list(self.object_list.values_list("pk", flat=True)[start : start + self.per_page])
        return self._get_page(self.object_list.filter(pk__in=ids), number, self)


def paginate(request, items, paginator_class=IndexPaginator, *, count: int | None = None):
    """The page `?page=N` asks for; 404 for a page that is not there. `count`: how many
    items there are, when the caller knows a cheaper way to tell."""
    paginator = paginator_class(items, settings.FOLIO_PAGE_SIZE)
    if count is not None:
        paginator.count = count
    try:
        return paginator.page(request.GET.get("page") or 1)
    except InvalidPage:
        raise Http404 from None


def home(request):
    page = paginate(request, Article.objects.published())
    context = {"page_obj": page, "cards": fragments.cards(page.object_list)}
    return TemplateResponse(request, "articles/home.html", context)


def article(request, slug):
    articles = (
        Article.objects.with_related()
        .prefetch_related("summary_items")
        .defer("body", "vault_layout", "extra")  # the page shows body_html
    )
    may_preview = request.user.has_perm("articles.view_article")
    preview = may_preview and not Article.objects.published().filter(slug=slug).exists()
    try:
        article = get_object_or_404(articles if preview else articles.published(), slug=slug)
    except Http404:
        return _moved(ArticleRedirect, "article", slug, preview=may_preview)
    published = Article.objects.published()
    previous, following = published.around(article)
    context = {
        "article": article,
        "article_html": fragments.article(article),
        "preview": preview,
        "related": published.related_to(article, limit=settings.FOLIO_RELATED),
        "previous": previous,
        "following": following,
        **_article_meta(request, article),
    }
    response = TemplateResponse(request, "articles/article.html", context)
    if preview:
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["X-Robots-Tag"] = "noindex"
    return response


def _moved(redirects, target: str, slug: str, *, preview: bool):
    """A 301 to where an old address went (an article's only if readers may see it)."""
    found = redirects.objects.select_related(target).filter(old_slug=slug)
    if target == "article" and not preview:
        found = found.filter(article__in=Article.objects.published())
    return HttpResponsePermanentRedirect(
        getattr(get_object_or_404(found), target).get_absolute_url()
    )


def _article_meta(request, article):
    """What the page says of itself to search engines and chat apps' link previews."""
    canonical = request.build_absolute_uri(article.get_absolute_url())
    description = measure.excerpt(article.summary or measure.plain_text(article.body_html))
    first = _FIRST_IMAGE.search(article.body_html)
    image = rendering.link(html.unescape(first.group(1))) if first else ""
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": article.title,
        "description": description,
        "datePublished": article.published_at,
        "dateModified": article.updated_at,
        "inLanguage": "zh-Hans",
        "mainEntityOfPage": canonical,
        "keywords": [tag.name for tag in article.tag_list()],
        "publisher": {"@type": "Organization", "name": settings.FOLIO_SITE_NAME},
    }
    if article.author:
        author_url = request.build_absolute_uri(article.author.get_absolute_url())
        data["author"] = {"@type": "Person", "name": article.author.name, "url": author_url}
    if article.original_link:
        data["isBasedOn"] = article.original_link
    if image:
        data["image"] = image
    return {
        "canonical": canonical,
        "description": description,
        "image": data.get("image", ""),
        "structured_data": data,
    }


def tag(request, slug):
    try:
        tag = get_object_or_404(Tag.objects.public(), slug=slug)
    except Http404:
        return _moved(TagRedirect, "tag", slug, preview=False)
    articles = Article.objects.published().filter(tagged_items__tag=tag)
    page = paginate(request, articles, count=tag.published_count())
    context = {"tag": tag, "page_obj": page, "cards": fragments.cards(page.object_list)}
    return TemplateResponse(request, "articles/tag.html", context)


def author(request, slug):
    author = get_object_or_404(Author.objects.public(), slug=slug)
    page = paginate(request, Article.objects.published().filter(author=author))
    context = {"author": author, "page_obj": page, "cards": fragments.cards(page.object_list)}
    return TemplateResponse(request, "articles/author.html", context)


def archive(request):
    months = (
        Article.objects.published()
        .annotate(month=TruncMonth("published_at"))
        .values("month")
        .annotate(count=Count("pk"))
        .order_by("-month")
    )
    return TemplateResponse(request, "articles/archive.html", {"months": months})


class _Archive:
    paginator_class = IndexPaginator
    date_field = "published_at"
    make_object_list = True
    allow_empty = False

    def get_queryset(self):
        # Per request: published() reads the clock.
        return Article.objects.published()

    def get_paginate_by(self, queryset):
        return settings.FOLIO_PAGE_SIZE

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return {**context, "cards": fragments.cards(context["page_obj"].object_list)}


class YearArchive(_Archive, YearArchiveView):
    template_name = "articles/archive_year.html"


class MonthArchive(_Archive, MonthArchiveView):
    month_format = "%m"
    template_name = "articles/archive_month.html"


def search_page(request):
    text = request.GET.get("q", "")
    results = search.Results(text)
    page = paginate(request, results, Paginator) if results.query else None
    hits = [
        (article, search.snippet(_searchable_text(article), results.query))
        for article in (page.object_list if page else [])
    ]
    context = {"q": text, "query": results.query, "page_obj": page, "hits": hits}
    response = TemplateResponse(request, "articles/search.html", context)
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _searchable_text(article) -> str:
    points = " ".join(f"{i.label}：{i.text}" for i in article.summary_items.all())
    return " ".join([article.summary, points, measure.plain_text(article.body_html)])


def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", f"Sitemap: {sitemap}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
