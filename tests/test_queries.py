"""Every public page takes a fixed number of SQL queries, however many articles, tags
and related articles it shows: no N+1."""

import pytest
from django.utils import timezone

from articles import fragments
from tests.public import make_article, queries

pytestmark = pytest.mark.django_db

# Rendered from scratch: no page kept, no article's card kept.
PAGES = {
    "/": 4,  # count, the page's ids and versions, the rows of cards to make, their tags
    # the article (id, version, previous, next), articles sharing its rarer tags, links'
    # rows; to render: the article, its tags, summary items
    "/articles/{slug}/": 6,
    "/tags/": 1,  # tags and their counts
    "/tags/shared/": 5,  # tag, count from its index, ids and versions, rows, tags
    "/authors/": 2,  # authors, their counts and latest articles' ids; those articles
    "/authors/zuo-zhe/": 5,
    "/archive/": 1,
    # months with articles, count, ids and versions, rows, tags, exists, next/previous
    "/archive/2024/": 8,
    "/archive/2024/05/": 8,
    "/rss/": 2,
    "/atom/": 2,
    "/tags/shared/rss/": 3,
    "/sitemap.xml": 6,  # for each of 3 sitemaps with items: count, page
    "/robots.txt": 0,
}


def counts(client, slug):
    found = {}
    for url in PAGES:
        fragments.clear()
        found[url] = queries(client, url.format(slug=slug))
    return found


def test_kept_html_reads_no_rows(client, settings):
    """Once its articles' cards are kept, a list reads ids and versions only; once an
    article and its links are kept, its page reads ids, versions and titles only."""
    settings.FOLIO_PAGE_CACHE = False
    for n in range(25):
        made = make_article(f"文{n}", tags=["shared", f"t{n}"], author="作者")
    pages = [("/", 4, 2), ("/tags/shared/", 5, 3), ("/?page=2", 4, 2)]
    for url, rendered, kept in [*pages, (made.get_absolute_url(), 6, 3)]:
        fragments.clear()
        assert queries(client, url) == rendered, url
        assert queries(client, url) == kept, url


def test_query_counts_do_not_grow_with_what_a_page_shows(client, settings):
    settings.FOLIO_PAGE_SIZE = 50
    settings.FOLIO_PAGE_CACHE = False  # what a page costs when it is rendered
    first = make_article("一", tags=["shared"], author="作者")
    make_article("二", tags=["shared"], author="作者")
    few = counts(client, first.slug)
    for n in range(30):
        make_article(f"多{n}", tags=["shared", f"t{n}", f"u{n}", "v"], author="作者")
    first.tags.add(*[f"t{n}" for n in range(10)])
    many = counts(client, first.slug)
    assert many == few
    assert few == PAGES


def test_a_far_page_is_read_from_the_index_alone():
    """Page N finds its ids and versions in the index (status, published_at, id, slug,
    updated_at), in order, without reading a row or sorting: OFFSET skips index entries,
    so page 50 costs page 1's."""
    from django.db import connection

    from articles.models import Article

    for _ in range(3):
        make_article()
    ids = Article.objects.published().values_list("pk", "updated_at")[980:1000]  # as lists do
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # a few rows: the planner would rather scan,
            cursor.execute("SET LOCAL enable_seqscan = off")  # or read the narrow index
            cursor.execute("SET LOCAL enable_sort = off")  # and sort three rows
        plan = ids.explain()
        assert "Index Only Scan" in plan and "article_public" in plan and "Sort" not in plan
    else:
        plan = ids.explain()
        assert "COVERING INDEX article_public" in plan and "TEMP B-TREE" not in plan, plan


def test_a_far_tag_page_is_read_from_the_tags_index():
    """A tag's page N skips entries of the tag's own index (tag, status, published_at,
    article: its rows copy their article's status and publish time), without a sort or a
    probe per article skipped; then reads its twenty articles by id."""
    from django.db import connection

    from articles import public
    from articles.models import Tag

    for _ in range(3):
        make_article(tags=["shared"])
    tag = Tag.objects.get(name="shared")
    page = public._tagged.__wrapped__(timezone.now(), tag.pk, start=980, stop=1000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
        plan = page.explain()
        assert "tagged_public" in plan and "Sort" not in plan, plan
    else:
        plan = page.explain()
        assert "COVERING INDEX tagged_public" in plan and "TEMP B-TREE" not in plan, plan


def test_a_count_reads_the_narrow_index():
    """Counting what readers may see reads the index (status, published_at) alone, a
    fifth of the size of the one lists read their ids from."""
    from django.db import connection

    from articles import public
    from articles.models import Article

    for _ in range(3):
        make_article()
    counted = public._counted(Article.objects.published())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = counted.explain()
        assert "Index Only Scan" in plan and "article_count" in plan, plan
    else:
        assert "COVERING INDEX article_count" in counted.explain()
    assert counted.get() == (3,)


def test_stored_html_stays_within_its_size(client, settings, monkeypatch):
    """Without Redis a worker keeps stored HTML itself, bounded by size rather than by
    count: a crawler reading every article does not grow a worker without end, and
    what was let go is rendered again."""
    settings.FOLIO_PAGE_CACHE = False
    monkeypatch.setattr(fragments._Near, "SIZE", 3000)
    made = [make_article(f"文{n}", body=f"正文{n}" * 300) for n in range(4)]
    for article in [*made, made[0]]:
        body = client.get(article.get_absolute_url()).content.decode()
        assert article.body[:60] in body
    assert 0 < fragments._near.size <= 3000


def test_an_article_is_found_by_its_key_in_the_keys_index():
    """A note's import (each note sent over the API) finds its article by its natural
    key in the unique index of keyed articles, not by reading every row: the query has
    to say the key is not "" for SQLite to use that partial index."""
    from django.db import connection

    from articles import vault
    from articles.models import Article

    key = vault.source_key("https://example.com/a", "")
    Article.objects.filter(pk=make_article().pk).update(source_key=key)
    found = Article.objects.keyed(key).values_list("pk")
    if connection.vendor == "postgresql":  # one row: the planner would rather scan
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
    plan = found.explain()
    assert "article_source_key_unique" in plan, plan
    assert found.count() == 1
