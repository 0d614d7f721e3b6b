"""What public pages read, as prepared statements (statements.py): an article by its
address, its neighbours, its related articles, a page of a list and how long the list
is. Each is a queryset built from `Article.objects.published(at)`, the one definition of
public, and run as of the request's moment `at`. Rows, not models: a page shows stored
HTML for each article (fragments.py) and needs only ids, last saves, titles and slugs."""

from __future__ import annotations

import threading
from typing import NamedTuple

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Subquery, Value

from . import pagecache
from .models import Article, Author, Tag, TaggedArticle
from .statements import prepared

COMMON = 500  # articles: a tag on more says little of what an article is about
LINK = ("pk", "updated_at", "title", "slug", "published_at")  # what a link shows, its version


@prepared
def article(at, slug):
    """The article at `slug` readers may see, with the ids of those published just
    before and just after it (or None): [row] or []."""
    return _with_neighbours(Article.objects.published(at).filter(slug=slug), at, public=True)


@prepared
def preview(at, slug):
    """The article at `slug` whatever its state (for staff), as `article()`."""
    return _with_neighbours(Article.objects.filter(slug=slug), at, public=False)


def _with_neighbours(articles, at, *, public: bool):
    when, pk = OuterRef("published_at"), OuterRef("pk")
    # Before a public article, public as of its time `when` (<= `at`) is public as of
    # `at`, and SQLite then reads the index from the article down rather than from the
    # newest (given two upper bounds, it took the first).
    before = Article.objects.published(when if public else at).before(when, pk)
    after = Article.objects.published(at).after(when, pk)
    found = articles.annotate(
        previous=Subquery(before.values("pk")[:1]), next=Subquery(after.values("pk")[:1])
    )
    fields = ("pk", "updated_at", "published_at", "previous", "next")
    return found.values_list(*fields, named=True)


def _rare(pk, common):
    """The article's tags on at most `common` articles (reading at most `common` + 1 of
    a tag's rows, not all of them)."""
    beyond = TaggedArticle.objects.filter(tag=OuterRef("tag")).values("pk")[common : common + 1]
    return TaggedArticle.objects.filter(content_object=pk).exclude(Exists(beyond)).values("tag")


@prepared
def _sharing(pk, *, common, limit):
    """The articles (not `pk`) carrying the most of its rarer tags, with how many:
    [(id, n)]. The tag rows alone find them, whatever the planner knows of the tables."""
    rows = TaggedArticle.objects.filter(tag__in=_rare(pk, common)).exclude(content_object=pk)
    rows = rows.values_list("content_object").annotate(n=Count("pk"))
    return rows.order_by("-n", "-content_object")[:limit]


@prepared
def _has_tags(pk, *, common):
    """[(pk, whether any of its tags is rare)] if the article has tags, else []."""
    tags = TaggedArticle.objects.filter(content_object=pk)
    rare = Exists(_rare(pk, common))
    return tags.values_list("content_object").annotate(rare=rare).order_by()[:1]


@prepared
def _rarest(pk):
    """The article's tag on the fewest articles (the first of them)."""
    tags = TaggedArticle.objects.filter(content_object=pk).values("tag")
    sizes = TaggedArticle.objects.filter(tag__in=tags).values_list("tag").annotate(n=Count("pk"))
    return sizes.order_by("n", "tag")[:1]


@prepared
def _links(pks):
    # By id alone: asked for published() too, SQLite walks that index rather than look
    # them up (it has no statistics); Article.is_public() then says which may be shown.
    found = Article.objects.filter(pk__in=pks).order_by()
    return found.values_list(*LINK, "status", named=True)


@prepared
def _newest_with(at, pk, tag, *, limit):
    others = TaggedArticle.objects.filter(tag=tag).exclude(content_object=pk)
    found = Article.objects.published(at).filter(pk__in=others.values("content_object"))
    return found.values_list(*LINK, named=True)[:limit]


def neighbours(at, article, *, limit: int) -> tuple:
    """Links (rows of LINK) to the articles published just before and just after
    `article` (a row of `article()`), or None, and to up to `limit` articles sharing
    tags with it: those sharing the most first, then the newest. Only its rarer tags
    count: a tag on more than COMMON articles (AI, in an archive of AI articles) says
    little of what an article is about, and counting its articles would scan most of
    the archive. An article with no rarer tag gets the newest of its rarest tag's."""
    pk, related = article.pk, []
    shared = dict(_sharing(pk, common=COMMON, limit=limit * 4))
    if not shared:
        tagged = _has_tags(pk, common=COMMON)
        if tagged and not tagged[0][1]:  # tags, and none of them rare
            related = _newest_with(at, pk, _rarest(pk)[0][0], limit=limit)
    around = [link for link in (article.previous, article.next) if link is not None]
    wanted = [*around, *shared]
    found = {
        link.pk: link for link in _links(wanted) if link.pk in around or Article.is_public(link, at)
    }
    if shared:
        ranked = sorted(
            (found[pk] for pk in shared if pk in found),
            key=lambda link: (shared[link.pk], link.published_at, link.pk),
            reverse=True,
        )
        related = ranked[:limit]
    return found.get(article.previous), found.get(article.next), related


@prepared
def _count(at):
    return _counted(Article.objects.published(at))


def _counted(queryset):
    """SELECT COUNT(*) of `queryset`, as a values_list() (grouped by a constant, which
    the SQL leaves out; grouped by a column, SQLite counts at half the speed)."""
    grouped = queryset.order_by().annotate(one=Value(1)).values_list("one")
    return grouped.annotate(n=Count("*")).values_list("n")


def count(at) -> int:
    """How many articles readers may see."""
    return _kept_for_generation("count", lambda: _number(_count(at)))


_kept = threading.local()  # .token: a generation's, .values: name -> value


def _kept_for_generation(name: str, compute):
    """`compute()`, kept in this thread for the site's generation: what readers may see
    changes only with it (pagecache), and a count reads every entry of an index (a
    millisecond at 10,000 articles, for every page of every list, even with no page
    cache). A few numbers, those of the current generation; none with the page cache
    off (FOLIO_PAGE_CACHE: nothing is then kept by generation)."""
    generation = pagecache.seen() if settings.FOLIO_PAGE_CACHE else None
    if generation is None:
        return compute()
    if getattr(_kept, "token", None) != generation.token:
        _kept.token, _kept.values = generation.token, {}
    if name not in _kept.values:
        _kept.values[name] = compute()
    return _kept.values[name]


def _number(rows) -> int:
    return rows[0][-1] if rows else 0


@prepared
def newest(at, *, start, stop):
    """(id, last save) of the newest articles from `start` to `stop`: the index alone."""
    return Article.objects.published(at).values_list("pk", "updated_at")[start:stop]


@prepared
def tag(slug):
    """The tag at `slug`: [row] or [] (readers may see it if tag_count() is not 0)."""
    return Tag.objects.filter(slug=slug).values_list("pk", "name", "slug", named=True)


@prepared
def _tag_count(at, pk):
    return _counted(TaggedArticle.objects.published(at).filter(tag=pk))


def tag_count(at, pk) -> int:
    """How many articles readers may see carry tag `pk`: a range of the tag's index."""

    def compute() -> int:
        return _number(_tag_count(at, pk))

    return _kept_for_generation(f"tag-count:{pk}", compute)


def tagged(at, pk, *, start, stop) -> list[tuple]:
    """(id, last save) of the newest articles tagged `pk`, from `start` to `stop`: their
    ids from the tag's index (by the copies on its rows), then those articles, if readers
    may see them (`Article.is_public`, which the copies do not decide)."""
    rows = [row for row in _tagged(at, pk, start=start, stop=stop) if Article.is_public(row, at)]
    rows.sort(key=lambda row: (row.published_at, row.pk), reverse=True)
    return [(row.pk, row.updated_at) for row in rows]


@prepared
def _tagged(at, pk, *, start, stop):
    # By id, not `published(at)`: given both, SQLite would walk every public article to
    # find the twenty, rather than look the twenty up.
    rows = TaggedArticle.objects.published(at).filter(tag=pk)
    page = rows.order_by("-published_at", "-content_object").values("content_object")
    found = Article.objects.filter(pk__in=page[start:stop]).order_by()
    return found.values_list("pk", "updated_at", "status", "published_at", named=True)


@prepared
def tags(at):
    """(name, slug, count) of every tag on articles readers may see as of `at`, with how
    many it is on (counted by the copies on its rows, as `tag_count()`), by slug: pinyin
    order, as a Chinese index is."""
    rows = TaggedArticle.objects.published(at).values("tag", "tag__name", "tag__slug")
    rows = rows.annotate(count=Count("pk")).order_by("tag__slug")
    return rows.values_list("tag__name", "tag__slug", "count", named=True)


@prepared
def _authors(at):
    written = Article.objects.published(at).filter(author=OuterRef("pk"))
    count = written.order_by().values("author").annotate(n=Count("pk")).values("n")
    authors = Author.objects.annotate(
        count=Subquery(count), latest=Subquery(written.values("pk")[:1])
    )
    authors = authors.filter(count__gt=0).order_by("slug")
    return authors.values_list("name", "slug", "count", "latest", named=True)


class Listed(NamedTuple):
    name: str
    slug: str
    count: int
    latest: tuple | None = None  # a row of LINK


def authors(at) -> list[Listed]:
    """Every author of articles readers may see as of `at`, by slug (pinyin order): how
    many articles and the latest of them (a row of LINK). Two queries, however many."""
    rows = _authors(at)
    links = Article.objects.filter(pk__in=[row.latest for row in rows]).order_by()
    found = {link.pk: link for link in links.values_list(*LINK, named=True)}
    return [Listed(row.name, row.slug, row.count, found.get(row.latest)) for row in rows]
