"""Full-text search that understands Chinese: one API, one backend per database.

SQLite: an FTS5 table (`articles_search`, rowid = article id), ranked by bm25 with the
title and summary weighing more than the body. PostgreSQL: `tsvector` columns with a GIN
index (`articles_search`): `vector` (every field) to match, `head` (title A; summary, tags,
author B) to rank with ts_rank_cd, so that the title and summary come first. Both hold
text that `tokenizer` segmented, so the databases only split on spaces, and both are
queried with words only: no user text reaches a query language. Migration 0005 makes
the tables; `rebuild()` refills them.

Readers only find what `Article.objects.published()` shows. The few articles it hides
(`unpublished()`) are subtracted from the matches, which costs far less than listing the
many it shows. A query matching tens of thousands of articles is ranked by relevance among
the WINDOW of its matches added last (highest ids), and the rest follow newest first:
ranking every match would cost a query a second, and at that scale a reader wants the
recent relevant articles first.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from contextlib import contextmanager, nullcontext

from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from . import measure, tokenizer
from .models import Article

WINDOW = 1000  # matches (the newest) ranked by relevance


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
    _backend().index(article.pk, document or document_of(article))


def matching(articles: QuerySet[Article], text: str) -> QuerySet[Article]:
    """`articles` that match `text` (for lists that sort and count on their own, such as
    the admin's); all of them for a query with no words."""
    query = tokenizer.query(text)
    if not query:
        return articles
    sql, params = _backend().ids(query)
    return articles.filter(pk__in=RawSQL(sql, params))


class Results:
    """What a query finds among published articles, best first, for Django's Paginator:
    counted and cut into pages by the database."""

    def __init__(self, text: str) -> None:
        self.query = tokenizer.query(text)
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = _backend().count(self.query, *_hidden()) if self.query else 0
        return self._count

    def __len__(self) -> int:
        return self.count()

    def ids(self, *, limit: int, offset: int = 0) -> list[int]:
        """The ids of a page of results."""
        if not self.query:
            return []
        backend, hidden = _backend(), _hidden()
        found = self._count  # known once counted, as Paginator does first: a hint for plans
        ids = backend.ranked(self.query, *hidden, limit, offset, found) if offset < WINDOW else []
        if len(ids) < limit and offset + limit > WINDOW:  # past the window: newest first
            start = max(offset, WINDOW)
            ids += backend.recent(self.query, *hidden, limit - len(ids), start, found)
        return ids

    def __getitem__(self, window: slice) -> list[Article]:
        start = window.start or 0
        ids = self.ids(limit=(window.stop or self.count()) - start, offset=start)
        found = Article.objects.with_related().prefetch_related("summary_items").in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]


def planned():
    """A context in which queries find their matches through the search index, never by
    reading every article's words (PostgreSQL's planner may prefer that; see _PostgreSQL)."""
    return _backend().planned()


def _hidden() -> tuple[str, list]:
    """SQL for the ids of the articles readers may not see."""
    sql, params = Article.objects.unpublished().order_by().values("pk").query.sql_with_params()
    return sql, list(params)


def rebuild(articles: QuerySet[Article] | None = None) -> int:
    """Empty the index and index `articles` (default: all) again: how many."""
    articles = (articles if articles is not None else Article.objects.all()).with_related()
    rows = (
        (article.pk, document_of(article))
        for article in articles.prefetch_related("summary_items").iterator(chunk_size=500)
    )
    with bulk_load():
        return index_many(rows)


@contextmanager
def bulk_load():
    """Empty the index for a load of many rows (with `index_many`), done faster than row
    by row: PostgreSQL builds its GIN index once at the end. All or nothing."""
    backend = _backend()
    with transaction.atomic():
        backend.clear()
        backend.before_bulk()
        yield
        backend.after_bulk()


def index_many(rows: Iterable[tuple[int, tokenizer.Document]], *, batch: int = 500) -> int:
    """Add many (article id, document) rows to the index, which must not hold them yet."""
    backend, done, rows = _backend(), 0, iter(rows)
    while chunk := list(itertools.islice(rows, batch)):
        backend.insert_many(chunk)
        done += len(chunk)
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
    texts = [_bounded(t) for t in texts if t]
    return re.compile("|".join(texts), re.IGNORECASE) if texts else None


def _bounded(text: str) -> str:
    # Latin words end where letters and digits do: GPT is not highlighted inside ChatGPT
    # (jieba keeps that one word, so the index does not match it there either).
    before = "(?<![a-z0-9])" if text[0].isascii() and text[0].isalnum() else ""
    after = "(?![a-z0-9])" if text[-1].isascii() and text[-1].isalnum() else ""
    return before + re.escape(text) + after


# --- backends ------------------------------------------------------------------------------


class _Backend:
    """What the backends share: both keep one row per article in `articles_search`."""

    INSERT: str

    def _row(self, article_id: int, document: tokenizer.Document) -> list: ...

    def insert_many(self, rows: list[tuple[int, tokenizer.Document]]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(self.INSERT, [self._row(pk, doc) for pk, doc in rows])

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM articles_search")

    def before_bulk(self) -> None:
        pass

    def after_bulk(self) -> None:
        pass

    def planned(self):
        return nullcontext()  # SQLite's FTS5 always reads its own index


class _SQLite(_Backend):
    WEIGHTS = "10.0, 4.0, 4.0, 2.0, 1.0"  # title, summary, tags, author, body

    INSERT = (
        "INSERT INTO articles_search (rowid, title, summary, tags, author, body) "
        "VALUES (%s, %s, %s, %s, %s, %s)"
    )

    @staticmethod
    def _row(article_id: int, document: tokenizer.Document) -> list:
        return [article_id, *(field.text() for field in document.fields())]

    def index(self, article_id: int, document: tokenizer.Document) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM articles_search WHERE rowid = %s", [article_id])
            cursor.execute(self.INSERT, self._row(article_id, document))

    @staticmethod
    def _match(query: tokenizer.Query) -> str:
        # Words are letters and digits only, so a double-quoted FTS5 phrase holds them.
        return " AND ".join('"' + " ".join(term) + '"' for term in query.terms)

    def ids(self, query) -> tuple[str, list]:
        sql = "SELECT rowid FROM articles_search WHERE articles_search MATCH %s"
        return sql, [self._match(query)]

    # `+rowid`: FTS5 finds the matches first, rather than trying each hidden article. And
    # ORDER BY rowid DESC lets it stop after LIMIT rows instead of visiting every match.
    def _visible(self, hidden: str) -> str:
        return f"articles_search MATCH %s AND +rowid NOT IN ({hidden})"

    def count(self, query, hidden, params) -> int:
        sql = f"SELECT count(*) FROM articles_search WHERE {self._visible(hidden)}"
        return _fetch(sql, [self._match(query), *params])[0]

    def ranked(self, query, hidden, params, limit, offset, found) -> list[int]:
        sql = (
            f"SELECT rowid FROM (SELECT rowid, bm25(articles_search, {self.WEIGHTS}) AS score "
            f"FROM articles_search WHERE {self._visible(hidden)} ORDER BY rowid DESC LIMIT %s) "
            "ORDER BY score, rowid DESC LIMIT %s OFFSET %s"
        )
        return _fetch(sql, [self._match(query), *params, WINDOW, limit, offset])

    def recent(self, query, hidden, params, limit, offset, found) -> list[int]:
        sql = (
            f"SELECT rowid FROM articles_search WHERE {self._visible(hidden)} "
            "ORDER BY rowid DESC LIMIT %s OFFSET %s"
        )
        return _fetch(sql, [self._match(query), *params, limit, offset])


def _tsvector(weights: str) -> str:
    """SQL for a tsvector of fields given as parameters, weighted in turn."""
    return " || ".join(f"setweight(to_tsvector('simple', %s), '{w}')" for w in weights)


class _PostgreSQL(_Backend):
    # A phrase is looked up as its word pairs (实时推理), which the GIN index answers
    # exactly: a positional query (<->) makes PostgreSQL re-read every candidate's
    # vector, which costs a second on common words.
    INSERT = (
        "INSERT INTO articles_search (article_id, vector, head) "
        f"VALUES (%s, {_tsvector('ABBBD')}, {_tsvector('ABBB')})"
    )

    @staticmethod
    def _row(article_id: int, document: tokenizer.Document) -> list:
        fields = [f"{field.text()} {field.pairs()}" for field in document.fields()]
        return [article_id, *fields, *fields[:4]]  # head: all but the body

    def index(self, article_id: int, document: tokenizer.Document) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"{self.INSERT} ON CONFLICT (article_id) "
                "DO UPDATE SET vector = EXCLUDED.vector, head = EXCLUDED.head",
                self._row(article_id, document),
            )

    def before_bulk(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX articles_search_vector")

    def after_bulk(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE INDEX articles_search_vector ON articles_search USING gin (vector)"
            )
            cursor.execute("ANALYZE articles_search")

    @staticmethod
    def _tsquery(query: tokenizer.Query) -> str:
        # Words are letters and digits only, so they quote as lexemes. A phrase is its
        # word pairs, all of them (a one-word term is the word).
        lexemes = []
        for term in query.terms:
            pairs = [a + b for a, b in itertools.pairwise(term)]
            lexemes += pairs or [term[0]]
        return " & ".join(f"'{lexeme}'" for lexeme in lexemes)

    def ids(self, query) -> tuple[str, list]:
        sql = "SELECT article_id FROM articles_search WHERE vector @@ to_tsquery('simple', %s)"
        return sql, [self._tsquery(query)]

    @staticmethod
    def _visible(hidden: str) -> str:
        return f"vector @@ to_tsquery('simple', %s) AND article_id NOT IN ({hidden})"

    def count(self, query, hidden, params) -> int:
        sql = f"SELECT count(*) FROM articles_search WHERE {self._visible(hidden)}"
        return self._fetch(sql, [self._tsquery(query), *params])[0]

    def ranked(self, query, hidden, params, limit, offset, found) -> list[int]:
        tsquery = self._tsquery(query)
        sql = (
            "SELECT article_id FROM (SELECT article_id, head FROM articles_search "
            f"WHERE {self._visible(hidden)} ORDER BY {self._newest(found)} DESC LIMIT %s) AS w "
            "ORDER BY ts_rank_cd(head, to_tsquery('simple', %s)) DESC, article_id DESC "
            "LIMIT %s OFFSET %s"
        )
        return self._fetch(sql, [tsquery, *params, WINDOW, tsquery, limit, offset])

    def recent(self, query, hidden, params, limit, offset, found) -> list[int]:
        sql = (
            f"SELECT article_id FROM articles_search WHERE {self._visible(hidden)} "
            f"ORDER BY {self._newest(found)} DESC LIMIT %s OFFSET %s"
        )
        return self._fetch(sql, [self._tsquery(query), *params, limit, offset])

    def _fetch(self, sql: str, params: list) -> list:
        with self.planned():
            return _fetch(sql, params)

    # The planner prices `@@` as cheap, not knowing that each test reads a whole TOASTed
    # vector. So it would test every row (hence: no sequential scans), or walk the primary
    # key newest first testing each until it has enough, when the GIN index's bitmap
    # answers in milliseconds: a second on 100,000 articles for a word in one of ten.
    # The walk pays when most articles match, so that it soon has enough; elsewhere
    # `article_id + 0` hides the key's order.
    @staticmethod
    def _newest(found: int | None) -> str:
        if found is not None:
            rows = _fetch(
                "SELECT reltuples FROM pg_class WHERE oid = 'articles_search'::regclass", []
            )
            if found > rows[0] / 2:
                return "article_id"
        return "article_id + 0"

    SET_PLANNER = "SELECT set_config('enable_seqscan', %s, true)"

    @contextmanager
    def planned(self):
        if not connection.in_atomic_block:  # a transaction of its own, where SET LOCAL ends
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(self.SET_PLANNER, ["off"])
                yield
            return
        with connection.cursor() as cursor:  # in the caller's: put the setting back after
            cursor.execute("SELECT current_setting('enable_seqscan')")
            before = cursor.fetchone()
            cursor.execute(self.SET_PLANNER, ["off"])
            yield
            cursor.execute(self.SET_PLANNER, before)


def _fetch(sql: str, params: list) -> list:
    """The first column of a query's rows."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


_BACKENDS = {"sqlite": _SQLite(), "postgresql": _PostgreSQL()}


def _backend():
    return _BACKENDS[connection.vendor]
