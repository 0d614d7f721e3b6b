"""sitemap.xml and robots.txt."""

import xml.etree.ElementTree as ET

import pytest

from articles.models import Article
from tests.public import make_article

pytestmark = pytest.mark.django_db
NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_sitemap_lists_every_public_page(client):
    article = make_article("公开", tags=["AI"], author="作者")
    make_article("草稿", tags=["秘密"], author="秘密作者", status=Article.Status.DRAFT)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    urls = {u.findtext(f"{NS}loc") for u in ET.fromstring(response.content).findall(f"{NS}url")}
    base = "http://testserver"
    assert urls == {
        f"{base}/",
        f"{base}/archive/",
        f"{base}{article.get_absolute_url()}",
        f"{base}/tags/ai/",
        f"{base}/authors/zuo-zhe/",
    }


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /admin/" in lines
