"""The archive as JSON, for anyone: articles (a list and each one), tags, authors. What
readers may see, by the one definition of public (`Article.objects.published()`), as of
one moment a request.

Lists come a page at a time with the address of the next (`next`), a cursor: the last
item's place in the order, so page 1,000 costs what page 1 does and nothing published
meanwhile makes an item appear twice or not at all."""

from __future__ import annotations

import base64
import binascii
import json
from collections import defaultdict
from datetime import UTC, datetime
from typing import NamedTuple
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from ninja import Query, Router

from .. import fragments, public, search
from ..images import archive
from ..models import Article, SummaryItem, TaggedArticle
from . import schemas
from .problems import BadParameter, only

router = Router(tags=["reading"])

# An article's fields, in the order they are given; html and markdown only when asked for
# in a list, markdown only when asked for on its own.
FIELDS = tuple(schemas.FIELDS)
LISTED = tuple(name for name in FIELDS if name not in {"html", "markdown"})
SHOWN = tuple(name for name in FIELDS if name != "markdown")
MAX_ID = 2**63  # ids and offsets past a database's integers are no place in a list
JSON = "application/json"


@router.get("/", response=schemas.Index, url_name="index")
def index(request: HttpRequest):
    """Where the API's lists, its schema and its docs are."""
    only(request, schemas.Nothing)
    return {
        name: request.build_absolute_uri(reverse(f"api:{view}"))
        for name, view in (
            ("articles", "articles"),
            ("tags", "tags"),
            ("authors", "authors"),
            ("openapi", "openapi-json"),
            ("docs", "openapi-view"),
        )
    }


LIST = {400: schemas.Problem}
ONE = {400: schemas.Problem, 404: schemas.Problem}


@router.get(
    "/articles/",
    response={200: schemas.ArticlePage, **LIST},
    exclude_unset=True,
    url_name="articles",
)
def articles(request: HttpRequest, query: Query[schemas.ArticleQuery]):
    """Published articles, newest first, a page at a time."""
    only(request, schemas.ArticleQuery)
    chosen = _fields(query.fields, LISTED)
    filters = (query.tag, query.author, query.published_after, query.published_before)
    filtered = any(value is not None for value in filters)
    if query.q and query.ordering in (None, "relevance") and not filtered:
        return _json(_best_first(request, query.q, chosen, query.limit, query.cursor))
    if query.ordering == "relevance":
        raise BadParameter("ordering", "relevance orders a search (q) with no other filter")
    newest = query.ordering != "published_at"
    place = None if query.cursor is None else _dated(_decode(query.cursor))
    at = timezone.now()
    if place and newest:  # one bound, the cursor's: given two, SQLite may read from now's
        at = min(at, place[0])
    found = Article.objects.published(at)
    if query.tag is not None:
        found = found.filter(tagged_items__tag__slug=query.tag)
    if query.author is not None:
        found = found.filter(author__slug=query.author)
    if query.published_after is not None:
        found = found.filter(published_at__gte=query.published_after)
    if query.published_before is not None:
        found = found.filter(published_at__lt=query.published_before)
    if query.q:
        found = search.matching(found, query.q)
    return _by_date(request, found, chosen, query.limit, place, newest=newest)


@router.get(
    "/articles/{slug}/",
    response={200: schemas.Article, **ONE},
    exclude_unset=True,
    url_name="article",
)
def article(request: HttpRequest, slug: str, query: Query[schemas.Fields]):
    """One published article: every field but its Markdown unless `fields` asks for it."""
    only(request, schemas.Fields)
    chosen = _fields(query.fields, SHOWN)
    found = _loaded(Article.objects.published(timezone.now()), chosen)
    return _json(_shown(request, [get_object_or_404(found, slug=slug)], chosen)[0])


@router.get("/tags/", response={200: schemas.TagPage, **LIST}, url_name="tags")
def tags(request: HttpRequest, query: Query[schemas.IndexQuery]):
    """Every tag on published articles, with how many, by slug (pinyin order)."""
    only(request, schemas.IndexQuery)
    rows, links = public.tags(timezone.now()), _Links(request)
    page, following = _after_slug(rows, query.cursor, query.limit, lambda row: row.tag__slug)
    results = [
        {
            "name": row.tag__name,
            "slug": row.tag__slug,
            "url": links("articles:tag", row.tag__slug),
            "count": row.count,
        }
        for row in page
    ]
    return {"next": _next(request, following and page[-1].tag__slug), "results": results}


@router.get("/authors/", response={200: schemas.AuthorPage, **LIST}, url_name="authors")
def authors(request: HttpRequest, query: Query[schemas.IndexQuery]):
    """Every author of published articles, with how many and the latest, by slug."""
    only(request, schemas.IndexQuery)
    rows, links = public.authors(timezone.now()), _Links(request)
    page, following = _after_slug(rows, query.cursor, query.limit, lambda row: row.slug)
    results = [
        {
            "name": row.name,
            "slug": row.slug,
            "url": links("articles:author", row.slug),
            "count": row.count,
            "latest": row.latest
            and {
                "title": row.latest.title,
                "url": links("articles:article", row.latest.slug),
                "published_at": timezone.localtime(row.latest.published_at),
            },
        }
        for row in page
    ]
    return {"next": _next(request, following and page[-1].slug), "results": results}


# --- parameters


def _fields(asked: str | None, default: tuple[str, ...]) -> tuple[str, ...]:
    """The fields asked for (their names checked by the schema), in the API's order."""
    if asked is None:
        return default
    names = set(asked.split(","))
    return tuple(name for name in FIELDS if name in names)


def _decode(cursor: str) -> list:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeEncodeError, binascii.Error, RecursionError):
        raise BadParameter("cursor", "not a cursor this API gave") from None
    if not isinstance(value, list):
        raise BadParameter("cursor", "not a cursor this API gave")
    return value


def encode_cursor(value: list) -> str:
    """The cursor of a place in a list (what `next` carries)."""
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def _next(request: HttpRequest, place) -> str | None:
    """The address of the page after this one, which starts after `place` (none: this
    page is the last)."""
    if not place:
        return None
    query = request.GET.copy()
    query["cursor"] = encode_cursor(place if isinstance(place, list) else [place])
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


# --- pages


def _by_date(request, found, chosen, limit: int, place: tuple | None, *, newest: bool):
    """A page of `found` by date after `place`: its ids read from the index, then its
    articles; with the default fields, as JSON kept for each version of an article (as
    the site's cards are, fragments.py), made again only for those changed."""
    if place is not None:
        found = found.before(*place) if newest else found.after(*place)
    order = ("-published_at", "-pk") if newest else ("published_at", "pk")
    rows = list(found.order_by(*order).values_list("pk", "updated_at", "published_at")[: limit + 1])
    page, following = rows[:limit], len(rows) > limit
    following = following and [page[-1][2].isoformat(), page[-1][0]]
    versions = [(pk, saved) for pk, saved, _ in page]
    if chosen == LISTED:
        site = request.build_absolute_uri("/")
        entries = fragments.kept(f"api:{site}", versions, lambda ids: _entries(request, ids))
        body = ", ".join(entries)
        next_page = json.dumps(_next(request, following), ensure_ascii=False)
        return HttpResponse(f'{{"next": {next_page}, "results": [{body}]}}', JSON)
    articles = _loaded(Article.objects.all(), chosen).in_bulk([pk for pk, _ in versions])
    shown = [articles[pk] for pk, _ in versions if pk in articles]
    return _json({"next": _next(request, following), "results": _shown(request, shown, chosen)})


def _entries(request: HttpRequest, ids: list[int]) -> dict[int, str]:
    """Articles `ids` with the default fields, as JSON, by id."""
    articles = list(_loaded(Article.objects.filter(pk__in=ids), LISTED))
    shown = _shown(request, articles, LISTED)
    return {entry["id"]: json.dumps(entry, ensure_ascii=False) for entry in shown}


def _dated(place: list) -> tuple[datetime, int]:
    """A place in a list by date: the last article's time (with its zone) and id."""
    try:
        when, pk = datetime.fromisoformat(place[0]), place[1]
        if when.tzinfo is None or not isinstance(pk, int) or not 0 < pk < MAX_ID:
            raise ValueError
        when.astimezone(UTC)
    except (IndexError, TypeError, ValueError, OverflowError):
        raise BadParameter("cursor", "not a cursor this API gave") from None
    return when, pk


def _best_first(request, text: str, chosen, limit: int, cursor: str | None):
    offset = 0
    if cursor is not None:
        place = _decode(cursor)
        if len(place) != 1 or not isinstance(place[0], int) or not 0 <= place[0] < MAX_ID:
            raise BadParameter("cursor", "not a cursor this API gave")
        offset = place[0]
    results = search.Results(text)
    ids = results.ids(limit=limit + 1, offset=offset)
    found = _loaded(Article.objects.published(), chosen).in_bulk(ids[:limit])
    page = [found[pk] for pk in ids[:limit] if pk in found]
    place = len(ids) > limit and offset + limit
    return {"next": _next(request, place), "results": _shown(request, page, chosen)}


def _after_slug(rows, cursor: str | None, limit: int, slug_of):
    """A page of `rows` after the cursor's slug, in Python's order of slugs (not the
    database's collation, which the cursor's comparison would not follow); whether more
    follow."""
    rows = sorted(rows, key=slug_of)
    if cursor is not None:
        place = _decode(cursor)
        if len(place) != 1 or not isinstance(place[0], str):
            raise BadParameter("cursor", "not a cursor this API gave")
        rows = [row for row in rows if slug_of(row) > place[0]]
    return rows[:limit], len(rows) > limit


# --- articles as JSON


def _json(data: dict) -> JsonResponse:
    """Articles as JSON, made here to the schema (tests/test_api_schema.py holds them to
    it) rather than validated again by Ninja: that took a third of a list's time."""
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


def _loaded(articles, chosen):
    """`articles` reading what `chosen` fields need and no more."""
    if "author" in chosen:
        articles = articles.select_related("author")
    bodies = {"html": "body_html", "markdown": "body"}
    unread = [column for field, column in bodies.items() if field not in chosen]
    return articles.defer("vault_layout", "extra", *unread)


def _shown(request: HttpRequest, page: list[Article], chosen) -> list[dict]:
    """`page` as the API gives it: the `chosen` fields of each. Tags and summary rows
    read as plain rows, two queries for the page (as model instances they cost more
    than the rest of the answer)."""
    links, ids = _Links(request), [article.pk for article in page]
    tags = _tags(ids) if "tags" in chosen else {}
    items = _items(ids) if {"key_points", "risks"} & set(chosen) else {}
    htmls = iter([])
    if "html" in chosen:
        base = request.build_absolute_uri("/")
        htmls = iter(archive.shown([article.body_html for article in page], base=base))
    return [
        _article(article, chosen, links, next(htmls, ""), tags, items.get(article.pk, {}))
        for article in page
    ]


def _article(article: Article, chosen, links, html: str, tags, items) -> dict:
    values = {
        "id": lambda: article.pk,
        "title": lambda: article.title,
        "slug": lambda: article.slug,
        "url": lambda: links("articles:article", article.slug),
        "published_at": lambda: timezone.localtime(article.published_at).isoformat(),
        "updated_at": lambda: timezone.localtime(article.updated_at).isoformat(),
        "author": lambda: article.author and links.named("articles:author", article.author),
        "source": lambda: article.source_platform,
        "original_url": lambda: article.original_link,
        "summary": lambda: article.summary,
        "key_points": lambda: items.get(SummaryItem.Kind.POINT, []),
        "risks": lambda: items.get(SummaryItem.Kind.RISK, []),
        "tags": lambda: [links.named("articles:tag", tag) for tag in tags.get(article.pk, [])],
        "reading_minutes": lambda: article.reading_minutes,
        "html": lambda: html,
        "markdown": lambda: article.body,
    }
    return {name: values[name]() for name in chosen}


def _tags(ids: list[int]) -> dict[int, list]:
    """The tags of articles `ids`, in the order they were added (as the site lists them)."""
    found = defaultdict(list)
    rows = TaggedArticle.objects.filter(content_object__in=ids).order_by("pk")
    for pk, name, slug in rows.values_list("content_object", "tag__name", "tag__slug"):
        found[pk].append(Named(name, slug))
    return found


def _items(ids: list[int]) -> dict[int, dict[str, list]]:
    """The key points and risks of articles `ids`, by article and kind, in their order."""
    found = defaultdict(lambda: defaultdict(list))
    rows = SummaryItem.objects.filter(article__in=ids).order_by("position", "pk")
    for pk, kind, label, text in rows.values_list("article", "kind", "label", "text"):
        found[pk][kind].append({"label": label, "text": text})
    return found


class Named(NamedTuple):
    name: str
    slug: str


class _Links:
    """The site's absolute addresses of things by their slug: each kind reversed once
    (a reverse costs more than the rest of an article's JSON)."""

    PLACE = "--slug--"

    def __init__(self, request: HttpRequest) -> None:
        self.request, self.patterns = request, {}

    def __call__(self, view: str, slug: str) -> str:
        if view not in self.patterns:
            address = reverse(view, args=[self.PLACE])
            self.patterns[view] = self.request.build_absolute_uri(address)
        return self.patterns[view].replace(self.PLACE, quote(slug, safe=""))

    def named(self, view: str, thing) -> dict:
        return {"name": thing.name, "slug": thing.slug, "url": self(view, thing.slug)}
