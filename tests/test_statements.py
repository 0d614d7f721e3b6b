"""Prepared statements (articles/statements.py) answer as their querysets do, on SQLite
and PostgreSQL, for every state an article can be in; and the public pages that use them
show what readers may see."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import public
from articles.models import Article
from articles.statements import prepared
from tests.public import Page, future, make_article

pytestmark = pytest.mark.django_db


@prepared
def _published_titles(at, pks):
    found = Article.objects.published(at).filter(pk__in=pks)
    return found.values_list("pk", "title", "published_at", "updated_at", named=True)


@pytest.fixture
def states():
    """An article in each state readers may or may not see."""
    return {
        "published": make_article("已发"),
        "scheduled": make_article("定时", published_at=future()),
        "draft": make_article("草稿", status=Article.Status.DRAFT),
        "review": make_article("待审", status=Article.Status.REVIEW),
        "archived": make_article("归档", status=Article.Status.ARCHIVED),
    }


def test_a_prepared_statement_answers_as_its_queryset(states):
    pks = [article.pk for article in states.values()]
    now = timezone.now()
    for at in (now, now + timedelta(days=400)):  # before and after the scheduled one
        expected = list(
            Article.objects.published(at)
            .filter(pk__in=pks)
            .values_list("pk", "title", "published_at", "updated_at", named=True)
        )
        assert _published_titles(at, pks) == expected
        assert _published_titles(at, pks[:2]) == [r for r in expected if r.pk in pks[:2]]
    row = _published_titles(now, pks)[0]
    assert row.title == "已发" and row.published_at == states["published"].published_at
    assert row.published_at.tzinfo is not None  # converted as the ORM converts


def test_a_shape_that_finds_nothing_asks_nothing(states):
    """An empty list or an empty slice (page 1 of an empty site) is [], as the queryset
    would be, without a query: Django cannot compile one."""
    with CaptureQueriesContext(connection) as asked:
        assert _published_titles(timezone.now(), []) == []
        assert public.newest(timezone.now(), start=0, stop=0) == []
    assert len(asked) == 0
    assert public.newest(timezone.now(), start=0, stop=1) != []  # the same function, asked


def test_public_definitions_agree(states, settings):
    settings.FOLIO_PAGE_CACHE = False  # no count kept for the generation (see below)
    now = timezone.now()
    shown = set(Article.objects.published(now).values_list("pk", flat=True))
    assert shown == {states["published"].pk}
    for article in states.values():
        assert Article.is_public(article, now) == (article.pk in shown)
    assert public.count(now) == 1
    assert public.count(now + timedelta(days=400)) == 2


def test_a_count_is_kept_for_a_generation(client, settings):
    """With the page cache on, a list's count is read once a generation (by each
    process), not by each of its pages."""
    settings.FOLIO_PAGE_SIZE = 2
    for n in range(3):
        make_article(f"第{n}篇")

    def counted(url) -> bool:
        with CaptureQueriesContext(connection) as run:
            assert client.get(url).status_code == 200
        return any("COUNT(" in query["sql"] for query in run.captured_queries)

    assert counted("/") and not counted("/?page=2")
    make_article("又一篇")  # a new generation
    assert counted("/?page=2")
    assert "又一篇" in client.get("/").content.decode()


def test_what_cannot_be_prepared_says_so():
    @prepared
    def flagged(flag):
        return Article.objects.filter(status="draft" if flag else "published").values_list("pk")

    @prepared
    def models(pk):
        return Article.objects.filter(pk=pk)

    @prepared
    def unused(pk):
        return Article.objects.values_list("status").annotate(n=Count("pk"))

    with pytest.raises(TypeError, match="flag"):
        flagged(True)
    with pytest.raises(TypeError, match="values_list"):
        models(1)
    with pytest.raises(ValueError, match="argument 0 is no parameter"):
        unused(3)


def related(client, article) -> str:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    [(_, text)] = Page(response.content.decode()).find("aside", class_="related")
    return text


def test_only_rarer_tags_relate_articles(client, monkeypatch):
    """A tag on more than COMMON articles does not relate them; an article with only
    such tags gets the newest of its rarest tag's (drafts never)."""
    monkeypatch.setattr(public, "COMMON", 2)
    article = make_article("本文", tags=["常见", "较少"])
    older = make_article("较少之一", tags=["常见", "较少"])
    make_article("常见之一", tags=["常见"])
    make_article("常见之二", tags=["常见"])
    make_article("常见之三", tags=["常见"])
    newest = make_article("较少之二", tags=["较少"])
    make_article("较少草稿", tags=["较少"], status=Article.Status.DRAFT)
    found = related(client, article)
    # Both tags are on more than 2 articles: the rarer (较少, 4 rows to 常见's 5) relates,
    # newest first.
    assert found.index(newest.title) < found.index(older.title)
    assert "常见之" not in found and "草稿" not in found
    monkeypatch.setattr(public, "COMMON", 4)  # now 较少 is rare, 常见 is not
    found = related(client, older)
    assert "本文" in found and "较少之二" in found
    assert "常见之" not in found and "草稿" not in found
