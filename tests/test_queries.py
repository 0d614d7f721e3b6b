"""Every public page takes a fixed number of SQL queries, however many articles, tags
and related articles it shows: no N+1."""

import pytest

from tests.public import make_article, queries

pytestmark = pytest.mark.django_db

PAGES = {
    "/": 3,  # count, page, tags
    "/articles/{slug}/": 6,  # article, its tags, summary items, previous, next, related
    "/tags/shared/": 4,  # tag, count, page, tags
    "/authors/zuo-zhe/": 4,
    "/archive/": 1,
    "/archive/2024/": 7,  # months with articles, count, page, tags, exists, next/previous year
    "/archive/2024/05/": 7,
    "/rss/": 2,
    "/atom/": 2,
    "/tags/shared/rss/": 3,
    "/sitemap.xml": 6,  # for each of 3 sitemaps with items: count, page
    "/robots.txt": 0,
}


def counts(client, slug):
    return {url: queries(client, url.format(slug=slug)) for url in PAGES}


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
