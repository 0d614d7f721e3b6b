"""Full-text search that understands Chinese: one API, one backend per database.

SQLite: an FTS5 table (`articles_search`, rowid = article id), ranked by bm25 with the
title and summary weighing more than the body. PostgreSQL: a `tsvector` column with a GIN
index (`articles_search`), weighted A (title), B (summary, tags, author), D (body), ranked
by ts_rank_cd. Both store text that `tokenizer` segmented, so the databases only split on
spaces, and both are queried with words only: no user text reaches a query language.
The tables come from migration 0005; `rebuild()` refills them.
"""

from __future__ import annotations

import re

from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from . import measure, tokenizer
from .models import Article

FIELDS = ("title", "summary", "tags", "author", "body")


def document_of(article: Article) -> tokenizer.Document:
    """The search document of a saved article."""
    return tokenizer.document(
        title=article.title,
        summary=article.summary,
        items=((item.label, item.text) for item in article.summary_items.all()),
        tags=(tag.name for tag in article.tag_list()),
        author=article.author.name if article.author else "",
        body=measure.plain_text(article.body_html),
    )


def index(article: Article, document: tokenizer.Document | None = None) -> None:
    """Put `article` in the index (or refresh it), as `document` when given."""
    document = document or document_of(article)
    _backend().index(article.pk, [getattr(document, name) for name in FIELDS])


def search_query(
    query: tokenizer.Query, *, within: QuerySet[Article], limit: int, offset: int = 0
) -> list[int]:
    """The ids of the articles of `within` that match `query`, best first."""
    if not query:
        return []
    scope, params = within.order_by().values("pk").query.sql_with_params()
    return _backend().search(query, scope, list(params), limit, offset)


def count_query(query: tokenizer.Query, *, within: QuerySet[Article]) -> int:
    """How many articles of `within` match `query`."""
    if not query:
        return 0
    scope, params = within.order_by().values("pk").query.sql_with_params()
    return _backend().count(query, scope, list(params))


def matching(articles: QuerySet[Article], text: str) -> QuerySet[Article]:
    """`articles` that match `text` (for lists that sort and count on their own, such as
    the admin's); all of them for a query with no words."""
    query = tokenizer.query(text)
    if not query:
        return articles
    sql, params = _backend().ids(query)
    return articles.filter(pk__in=RawSQL(sql, params))


class Results:
    """What a query finds among `within`, best first, for Django's Paginator: counted and
    cut into pages by the database."""

    def __init__(self, text: str, *, within: QuerySet[Article]) -> None:
        self.query = tokenizer.query(text)
        self.within = within
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = count_query(self.query, within=self.within)
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[Article]:
        limit = (window.stop or self.count()) - (window.start or 0)
        ids = search_query(self.query, within=self.within, limit=limit, offset=window.start or 0)
        found = self.within.for_listing().prefetch_related("summary_items").in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]


@transaction.atomic
def rebuild(articles: QuerySet[Article] | None = None) -> int:
    """Empty the index and index `articles` (default: all) again: how many."""
    backend = _backend()
    backend.clear()
    articles = (articles if articles is not None else Article.objects.all()).for_listing()
    done = 0
    for article in articles.prefetch_related("summary_items").iterator(chunk_size=500):
        index(article)
        done += 1
    return done


# --- snippets ------------------------------------------------------------------------------


def snippet(text: str, query: tokenizer.Query, *, width: int = 110) -> SafeString:
    """A stretch of `text` around the first place the query matches, the matched words
    in <mark>; the start of the text when nothing matches."""
    pattern = _highlight_pattern(query)
    found = pattern.search(text) if pattern else None
    start = max(0, found.start() - width // 3) if found else 0
    piece = text[start : start + width]
    marked = pattern.sub(lambda m: f"\x00{m.group()}\x01", piece) if pattern else piece
    out = escape(marked).replace("\x00", "<mark>").replace("\x01", "</mark>")
    return mark_safe(("…" if start else "") + out + ("…" if start + width < len(text) else ""))


def _highlight_pattern(query: tokenizer.Query) -> re.Pattern[str] | None:
    # Whole terms first (多模态), then the words they are made of (模态).
    texts = sorted(
        {*query.texts, *(w for term in query.terms for w in term)}, key=len, reverse=True
    )
    texts = [t for t in texts if t]
    return re.compile("|".join(map(re.escape, texts)), re.IGNORECASE) if texts else None


# --- backends ------------------------------------------------------------------------------


class _SQLite:
    WEIGHTS = "10.0, 4.0, 4.0, 2.0, 1.0"  # title, summary, tags, author, body

    def index(self, article_id: int, fields: list[str]) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM articles_search WHERE rowid = %s", [article_id])
            cursor.execute(
                "INSERT INTO articles_search (rowid, title, summary, tags, author, body) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                [article_id, *fields],
            )

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM articles_search")

    @staticmethod
    def _match(query: tokenizer.Query) -> str:
        # Words are letters and digits only, so a double-quoted FTS5 phrase holds them.
        return " AND ".join('"' + " ".join(term) + '"' for term in query.terms)

    def ids(self, query) -> tuple[str, list]:
        return "SELECT rowid FROM articles_search WHERE articles_search MATCH %s", [
            self._match(query)
        ]

    def search(self, query, scope, params, limit, offset) -> list[int]:
        sql = (
            f"SELECT rowid FROM articles_search WHERE articles_search MATCH %s "
            f"AND rowid IN ({scope}) "
            f"ORDER BY bm25(articles_search, {self.WEIGHTS}), rowid DESC LIMIT %s OFFSET %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [self._match(query), *params, limit, offset])
            return [row[0] for row in cursor.fetchall()]

    def count(self, query, scope, params) -> int:
        sql = (
            "SELECT count(*) FROM articles_search "
            f"WHERE articles_search MATCH %s AND rowid IN ({scope})"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [self._match(query), *params])
            return cursor.fetchone()[0]


class _PostgreSQL:
    VECTOR = (
        "setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('simple', %s), 'B')"
        " || setweight(to_tsvector('simple', %s), 'B') || setweight(to_tsvector('simple', %s), 'B')"
        " || setweight(to_tsvector('simple', %s), 'D')"
    )

    def index(self, article_id: int, fields: list[str]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO articles_search (article_id, vector) VALUES (%s, {self.VECTOR}) "
                "ON CONFLICT (article_id) DO UPDATE SET vector = EXCLUDED.vector",
                [article_id, *fields],
            )

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM articles_search")

    @staticmethod
    def _tsquery(query: tokenizer.Query) -> str:
        # Words are letters and digits only: quoted lexemes, joined by <-> and &.
        return " & ".join("(" + " <-> ".join(f"'{w}'" for w in term) + ")" for term in query.terms)

    def ids(self, query) -> tuple[str, list]:
        sql = "SELECT article_id FROM articles_search WHERE vector @@ to_tsquery('simple', %s)"
        return sql, [self._tsquery(query)]

    def search(self, query, scope, params, limit, offset) -> list[int]:
        sql = (
            "SELECT s.article_id FROM articles_search s, to_tsquery('simple', %s) q "
            f"WHERE s.vector @@ q AND s.article_id IN ({scope}) "
            "ORDER BY ts_rank_cd(s.vector, q) DESC, s.article_id DESC LIMIT %s OFFSET %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [self._tsquery(query), *params, limit, offset])
            return [row[0] for row in cursor.fetchall()]

    def count(self, query, scope, params) -> int:
        sql = (
            "SELECT count(*) FROM articles_search s "
            f"WHERE s.vector @@ to_tsquery('simple', %s) AND s.article_id IN ({scope})"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [self._tsquery(query), *params])
            return cursor.fetchone()[0]


_BACKENDS = {"sqlite": _SQLite(), "postgresql": _PostgreSQL()}


def _backend():
    return _BACKENDS[connection.vendor]
