"""What readers see. Every article shown comes through `Article.objects.published()`;
staff may also preview the others, under a banner."""

import math
import re
from typing import NamedTuple

from django.conf import settings
from django.core.files.storage import storages
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.http import FileResponse, Http404, HttpResponse, HttpResponsePermanentRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.generic.dates import MonthArchiveView, YearArchiveView

from . import charts, fragments, measure, public, search
from .models import Article, ArticleRedirect, Author, Tag, TagRedirect


class Listing:
    """A list's articles for a Paginator, as (id, last save) rows: what a page needs to
    join its cards (fragments.cards). `rows(start, stop)` reads a page from the index
    alone however far the page (OFFSET skips index entries, not rows): page 50 costs what
    page 1 does; `count()` says how many there are."""

    def __init__(self, rows, count) -> None:
        self.rows, self._count = rows, count

    def count(self) -> int:
        return self._count()

    @classmethod
    def of(cls, queryset) -> "Listing":
        rows = queryset.values_list("pk", "updated_at")
        return cls(lambda start, stop: list(rows[start:stop]), queryset.count)

    def __getitem__(self, bounds: slice) -> list:
        return self.rows(bounds.start, bounds.stop)


class IndexPaginator(Paginator):
    """A Paginator of a queryset's Listing (for Django's date-based views)."""

    def __init__(self, object_list, *args, **kwargs) -> None:
        super().__init__(Listing.of(object_list), *args, **kwargs)


def paginate(request, items):
    """The page `?page=N` asks for; 404 for a page that is not there."""
    paginator = Paginator(items, settings.FOLIO_PAGE_SIZE)
    try:
        return paginator.page(request.GET.get("page") or 1)
    except InvalidPage:
        raise Http404 from None


def home(request):
    now = timezone.now()
    newest = Listing(
        lambda start, stop: public.newest(now, start=start, stop=stop), lambda: public.count(now)
    )
    page = paginate(request, newest)
    context = {"page_obj": page, "cards": fragments.cards(page.object_list)}
    return TemplateResponse(request, "articles/home.html", context)


def article(request, slug):
    """An article readers may see; staff (who may view articles) also the others, under
    a banner. Stored HTML for the article, the page's head and its links to other
    articles; three prepared statements for the rest (public.py)."""
    now = timezone.now()
    found, article = public.article(now, slug), None
    if not found:
        may_preview = request.user.has_perm("articles.view_article")
        found = public.preview(now, slug) if may_preview else []
        if not found:
            return _moved(request, ArticleRedirect, "article", slug, preview=may_preview)
        article = Article.objects.only("published_at", "status").get(pk=found[0].pk)
    row = found[0]
    previous, following, related = public.neighbours(now, row, limit=settings.FOLIO_RELATED)
    others = [link for link in (previous, following, *related) if link]
    head, body, links = fragments.article(request, row.pk, row.updated_at, others)
    context = {
        "head": head,
        "article_html": body,
        "preview": article is not None,
        "article": article,
        "previous": links.get(previous),
        "following": links.get(following),
        "related": [links[link] for link in related],
    }
    response = TemplateResponse(request, "articles/article.html", context)
    if article is not None:
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["X-Robots-Tag"] = "noindex"
    return response


def _moved(request, redirects, target: str, *slugs: str, preview: bool):
    """A 301 to where an old address (one of `slugs`) went, an article's only if readers
    may see it; 404 if none did."""
    found = redirects.objects.select_related(target).filter(old_slug__in=slugs)
    if target == "article" and not preview:
        found = found.filter(article__in=Article.objects.published())
    moved = found.order_by("pk").first()
    if moved is None:
        raise Http404
    return _permanent(request, getattr(moved, target).get_absolute_url())


def _permanent(request, url: str) -> HttpResponsePermanentRedirect:
    """A 301 to `url` with the request's query string (`?page=2`, `?utm_source=…`)."""
    query = request.GET.urlencode()
    return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)


def _lowered(request, name: str, slug: str, shown) -> HttpResponsePermanentRedirect | None:
    """A 301 to `slug`'s address in lower case (`/tags/LLM/` to `/tags/llm/`: slugs are
    written in lower case) if `slug` is not and `shown(lowered)` says readers see that."""
    lowered = slug.lower()
    if lowered == slug or not shown(lowered):
        return None
    return _permanent(request, reverse(f"articles:{name}", args=[lowered]))


def _public_tag(at, slug: str) -> tuple:
    """The tag at `slug` (a row of public.tag) and how many articles readers may see
    carry it; (None, 0) if there is no tag there."""
    found = public.tag(slug)
    return (found[0], public.tag_count(at, found[0].pk)) if found else (None, 0)


def tag(request, slug):
    now = timezone.now()
    found, count = _public_tag(now, slug)
    if not count:  # no tag, or none of its articles public: not among Tag.objects.public()
        lowered = _lowered(request, "tag", slug, lambda lower: _public_tag(now, lower)[1])
        return lowered or _moved(request, TagRedirect, "tag", slug, slug.lower(), preview=False)
    tag = Tag(pk=found.pk, name=found.name, slug=found.slug)
    tagged = Listing(
        lambda start, stop: public.tagged(now, tag.pk, start=start, stop=stop), lambda: count
    )
    page = paginate(request, tagged)
    context = {"tag": tag, "page_obj": page, "cards": fragments.cards(page.object_list)}
    return TemplateResponse(request, "articles/tag.html", context)


def author(request, slug):
    public_authors = Author.objects.public()
    author = public_authors.filter(slug=slug).first()
    if author is None:
        lowered = _lowered(
            request, "author", slug, lambda lower: public_authors.filter(slug=lower).exists()
        )
        if lowered is None:
            raise Http404
        return lowered
    page = paginate(request, Listing.of(Article.objects.published().filter(author=author)))
    context = {"author": author, "page_obj": page, "cards": fragments.cards(page.object_list)}
    return TemplateResponse(request, "articles/author.html", context)


CLOUD_STEPS = 5  # font sizes of the tag cloud (site.css: .cloud-1 to .cloud-5)


class Sized(NamedTuple):
    name: str
    slug: str
    count: int
    size: int  # 1 to CLOUD_STEPS


def cloud_sizes(counts: list[int], steps: int = CLOUD_STEPS) -> list[int]:
    """A size from 1 to `steps` for each count, by its logarithm between the smallest
    count and the largest: a tag on 100 articles is bigger than one on 10, which is bigger
    than one on 1, and none is a hundred times as big. All 1 when the counts are equal."""
    if not counts:
        return []
    low, high = math.log(min(counts)), math.log(max(counts))
    if high == low:
        return [1] * len(counts)
    return [1 + round((math.log(n) - low) / (high - low) * (steps - 1)) for n in counts]


def tags(request):
    """Every tag readers may see with how many articles carry it, sized by that."""
    rows = public.tags(timezone.now())
    sizes = cloud_sizes([row.count for row in rows])
    cloud = [Sized(*row, size) for row, size in zip(rows, sizes, strict=True)]
    return TemplateResponse(request, "articles/tags.html", {"tags": cloud})


def authors(request):
    """Every author readers may see with how many articles and the latest of them."""
    context = {"authors": public.authors(timezone.now())}
    return TemplateResponse(request, "articles/authors.html", context)


def archive(request):
    months = (
        Article.objects.published()
        .annotate(month=TruncMonth("published_at"))
        .values("month")
        .annotate(count=Count("pk"))
        .order_by("-month")
    )
    months = list(months)
    chart = charts.month_chart((row["month"].date(), row["count"]) for row in months)
    return TemplateResponse(request, "articles/archive.html", {"months": months, "chart": chart})


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
    page = paginate(request, results) if results.query else None
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


# What images/store.py names a stored image: its hash, perhaps a rendition's width.
_STORED_IMAGE = re.compile(r"[0-9a-f]{2}/[0-9a-f]{64}(?:-[0-9]+)?\.(jpg|png|gif|webp)")
_IMAGE_TYPES = {"jpg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp"}


def stored_image(request, name):
    """An archived image, from the filesystem storage (S3-compatible storage serves its
    own). Named by the hash of its bytes, so never different at the same address."""
    match = _STORED_IMAGE.fullmatch(name)
    if not match:
        raise Http404
    try:
        handle = storages["images"].open(name)
    except (FileNotFoundError, NotImplementedError):
        raise Http404 from None
    response = FileResponse(handle, content_type=_IMAGE_TYPES[match.group(1)])
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
