"""RSS 2.0 and Atom feeds, site-wide and per tag, read as XML."""

import xml.etree.ElementTree as ET

import pytest

from articles.models import Article
from tests.public import make_article

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def xml(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response, ET.fromstring(response.content)


def test_rss_lists_published_articles_newest_first(client):
    make_article("旧", tags=["AI"], author="作者")
    new = make_article("新", tags=["AI", "语音"], author="作者", body="**粗体**正文")
    make_article("草稿", status=Article.Status.DRAFT)
    response, rss = xml(client, "/rss/")
    assert response["Content-Type"].startswith("application/rss+xml")
    assert rss.tag == "rss" and rss.get("version") == "2.0"
    items = rss.findall("channel/item")
    assert [item.findtext("title") for item in items] == ["新", "旧"]
    first = items[0]
    assert first.findtext("link") == f"http://testserver{new.get_absolute_url()}"
    assert [c.text for c in first.findall("category")] == ["AI", "语音"]
    assert "<strong>粗体</strong>" in first.findtext("description")
    assert new.summary in first.findtext("description")


def test_atom_feed(client):
    make_article("文章", author="作者")
    response, atom = xml(client, "/atom/")
    assert response["Content-Type"].startswith("application/atom+xml")
    [entry] = atom.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "文章"
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "作者"


def test_tag_feeds(client):
    make_article("有标签", tags=["AI"])
    make_article("没标签")
    _, rss = xml(client, "/tags/ai/rss/")
    assert [i.findtext("title") for i in rss.findall("channel/item")] == ["有标签"]
    assert rss.findtext("channel/link") == "http://testserver/tags/ai/"
    _, atom = xml(client, "/tags/ai/atom/")
    assert [e.findtext(f"{ATOM}title") for e in atom.findall(f"{ATOM}entry")] == ["有标签"]
    assert client.get("/tags/nothing/rss/").status_code == 404


def test_feed_size_is_bounded(client, settings):
    settings.FOLIO_FEED_SIZE = 3
    for _ in range(5):
        make_article()
    _, rss = xml(client, "/rss/")
    assert len(rss.findall("channel/item")) == 3
