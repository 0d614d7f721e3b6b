"""What public pages read, as prepared statements (statements.py): an article by its
address, its neighbours, its related articles, a page of a list and how long the list
is. Each is a queryset built from `Article.objects.published(at)`, the one definition of
public, and run as of the request's moment `at`. Rows, not models: a page shows stored
HTML for each article (fragments.py) and needs only ids, last saves, titles and slugs."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef

from .models import Article, Tag, TaggedArticle
from .statements import prepared

COMMON = 500  # articles: a tag on more says little of what an article is about
LINK = ("pk", "updated_at", "title", "slug", "published_at")  # what a link shows, its version


@prepared
def article(at, slug):
    """The article at `slug` readers may see: [row] or []."""
    fields = ("pk", "updated_at", "published_at")
    return Article.objects.published(at).filter(slug=slug).values_list(*fields, named=True)


@prepared
def _before(when, pk):
    # Public as of `when` (<= now): the same articles, and SQLite then reads the index
    # from the article down rather than from the newest (two upper bounds: it took one).
    return Article.objects.published(when).before(when, pk).values_list(*LINK, named=True)[:1]


@prepared
def _after(at, when, pk):
    return Article.objects.published(at).after(when, pk).values_list(*LINK, named=True)[:1]


def around(at, when, pk) -> tuple:
    """The links to the articles published just before and just after (or None)."""
    return _first(_before(when, pk)), _first(_after(at, when, pk))


def _first(rows):
    return rows[0] if rows else None


@prepared
def _tags(pk, *, common):
    """The article's tags, each with whether more than `common` articles carry it (which
    reads at most `common` + 1 of its rows, not all of them)."""
    beyond = TaggedArticle.objects.filter(tag=OuterRef("tag")).values("pk")[common : common + 1]
    tags = TaggedArticle.objects.filter(content_object=pk).values_list("tag")
    return tags.annotate(common=Exists(beyond)).order_by("tag")


@prepared
def _tag_sizes(pk):
    """The article's tags, each with how many articles carry it, in the order added."""
    tags = TaggedArticle.objects.filter(content_object=pk).values("tag")
    sizes = TaggedArticle.objects.filter(tag__in=tags).values_list("tag").annotate(n=Count("pk"))
    return sizes.order_by("tag")


@prepared
def _sharing(pk, tags, *, limit):
    """The articles (not `pk`) carrying the most of `tags`, with how many: [(id, n)]."""
    rows = TaggedArticle.objects.filter(tag__in=tags).exclude(content_object=pk)
    rows = rows.values_list("content_object").annotate(n=Count("pk"))
    return rows.order_by("-n", "-content_object")[:limit]


@prepared
def _candidates(pks):
    # By id alone: asked for published() too, SQLite walks that index rather than look
    # the twenty up (it has no statistics); Article.is_public() then says which count.
    found = Article.objects.filter(pk__in=pks).order_by()
    return found.values_list(*LINK, "status", named=True)


@prepared
def _newest_with(at, pk, tag, *, limit):
    others = TaggedArticle.objects.filter(tag=tag).exclude(content_object=pk)
    found = Article.objects.published(at).filter(pk__in=others.values("content_object"))
    return found.values_list(*LINK, named=True)[:limit]


def related(at, pk, *, limit: int) -> list:
    """Links to up to `limit` articles sharing tags with article `pk`, those sharing the
    most first, then the newest. Only its rarer tags count: a tag on more than COMMON
    articles (AI, in an archive of AI articles) says little of what an article is about,
    and counting its articles would scan most of the archive. An article with no rarer
    tag gets the newest of its rarest tag's."""
    tags = _tags(pk, common=COMMON)
    if not tags:
        return []
    rare = [tag for tag, common in tags if not common]
    if not rare:
        rarest = min(_tag_sizes(pk), key=lambda row: row[1])[0]
        return _newest_with(at, pk, rarest, limit=limit)
    # The tag rows alone find the candidates, whatever the planner knows of the tables.
    shared = dict(_sharing(pk, rare, limit=limit * 4))
    if not shared:
        return []
    found = [row for row in _candidates(list(shared)) if Article.is_public(row, at)]
    found.sort(key=lambda link: (shared[link.pk], link.published_at, link.pk), reverse=True)
    return found[:limit]


@prepared
def _count(at):
    # Grouped by status, the one status they have: a count as a values_list() row.
    return Article.objects.published(at).order_by().values_list("status").annotate(n=Count("pk"))


def count(at) -> int:
    """How many articles readers may see."""
    return _number(_count(at))


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
def _tag_rows(pk):
    return TaggedArticle.objects.filter(tag=pk).values_list("tag").annotate(n=Count("pk"))


@prepared
def _tag_hidden(at, pk):
    # From the few hidden articles to their tag rows (not from the tag's many rows).
    hidden = Article.objects.unpublished(at).values("pk")
    rows = TaggedArticle.objects.filter(tag=pk, content_object__in=hidden)
    return rows.values_list("tag").annotate(n=Count("pk"))


def tag_count(at, pk) -> int:
    """How many articles readers may see carry tag `pk`: its rows, less those of the few
    articles readers may not see. Counting the rows reads one index; joining them to the
    articles costs ten times more on a tag most articles carry."""
    return _number(_tag_rows(pk)) - _number(_tag_hidden(at, pk))


@prepared
def tagged(at, pk, *, start, stop):
    """(id, last save) of the newest articles tagged `pk`, from `start` to `stop`."""
    found = Article.objects.published(at).filter(tagged_items__tag=pk)
    return found.values_list("pk", "updated_at")[start:stop]
