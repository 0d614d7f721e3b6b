"""The indexes of tags (/tags/, a tag cloud) and of authors (/authors/), and tag and
author addresses written in another case."""

from datetime import datetime

import pytest
from django.utils import timezone

from articles import publishing
from articles.models import Article, Author, Tag
from articles.views import cloud_sizes
from tests.newsroom import person
from tests.public import SHANGHAI, Page, expire_pages, future, make_article

pytestmark = pytest.mark.django_db
ZH = {"headers": {"accept-language": "zh-hans"}}
EN = {"headers": {"accept-language": "en"}}
S = Article.Status


def page(client, url: str, language=ZH) -> Page:
    response = client.get(url, **language)
    assert response.status_code == 200, (url, response.status_code)
    return Page(response.content.decode())


def cloud(client) -> dict[str, tuple[str, int, int]]:
    """The tag cloud at /tags/: name -> (link, count, size), in the page's order."""
    found: dict[str, tuple[str, int, int]] = {}
    item: dict = {}
    for name, attrs, text in page(client, "/tags/").elements:
        classes = attrs.get("class", "").split()
        if name == "li" and any(word.startswith("cloud-") for word in classes):
            (size,) = [int(word.removeprefix("cloud-")) for word in classes]
            item = {"size": size}
        elif item and name == "a" and "href" not in item:
            item |= {"href": attrs["href"], "name": "".join(text)}
        elif item and name == "span" and "count" in classes:
            found[item["name"]] = (item["href"], int("".join(text)), item["size"])
            item = {}
    return found


def index_of_authors(client) -> dict[str, dict]:
    """The authors at /authors/: name -> link, count (its text), latest (link, title,
    datetime), in the page's order."""
    found: dict[str, dict] = {}
    where = None
    for name, attrs, text in page(client, "/authors/").elements:
        classes = attrs.get("class", "").split()
        text = "".join(text).strip()
        if name == "h2" and "author-index-name" in classes:
            where = "name"
        elif name == "p" and "author-index-latest" in classes:
            where = "latest"
        elif where == "name" and name == "a":
            author = found[text] = {"href": attrs["href"], "latest": None}
        elif where == "name" and name == "span" and "count" in classes:
            author["count"] = text
        elif where == "latest" and name == "a":
            author["latest"] = (attrs["href"], text)
        elif where == "latest" and name == "time":
            author["latest"] += (attrs["datetime"],)
            where = None
    return found


def publish(article: Article, **fields) -> None:
    """Publish `article` now (by hand, as the tests of the public pages do)."""
    fields = {"status": S.PUBLISHED, "published_at": timezone.now(), **fields}
    Article.objects.filter(pk=article.pk).update(**fields)
    expire_pages()


# --- /tags/ -----------------------------------------------------------------------------


def test_the_tag_index_lists_public_tags_with_their_counts(client):
    for _ in range(3):
        make_article(tags=["AI", "大模型"])
    make_article(tags=["大模型"])
    draft = make_article(tags=["AI", "草稿话题"], status=S.DRAFT)
    scheduled = make_article(tags=["AI", "定时话题"], published_at=future())
    make_article(tags=["归档话题"], status=S.ARCHIVED)
    make_article(tags=["评审话题"], status=S.REVIEW)
    assert cloud(client) == {
        "AI": ("/tags/ai/", 3, 1),  # not the draft's nor the scheduled article's
        "大模型": ("/tags/da-mo-xing/", 4, 5),
    }
    assert "共 3 篇" in page(client, "/tags/ai/").texts("p", class_="page-meta")[0]
    publish(draft)
    publish(scheduled)
    assert cloud(client) == {
        "AI": ("/tags/ai/", 5, 5),
        "大模型": ("/tags/da-mo-xing/", 4, 4),
        "草稿话题": ("/tags/cao-gao-hua-ti/", 1, 1),
        "定时话题": ("/tags/ding-shi-hua-ti/", 1, 1),
    }


def test_the_tag_index_is_in_pinyin_order_and_says_how_many(client):
    for name in ["智能体", "AI", "编程", "语音"]:
        make_article(tags=[name])
    view = page(client, "/tags/")
    assert list(cloud(client)) == ["AI", "编程", "语音", "智能体"]  # ai, bian, yu, zhi
    assert view.texts("h1") == ["标签"]
    assert view.texts("title") == ["标签 · Folio"]
    assert view.texts("p", class_="page-meta") == ["共 4 个标签，文章越多字越大"]
    english = page(client, "/tags/", EN)
    assert english.texts("h1") == ["Tags"]
    assert english.texts("p", class_="page-meta") == ["4 tags, larger for more articles"]


def test_tags_on_more_articles_are_bigger(client):
    for count, name in [(1, "一"), (2, "二"), (5, "五"), (12, "十二"), (30, "三十")]:
        for _ in range(count):
            make_article(tags=[name])
    sizes = {name: size for name, (_, _, size) in cloud(client).items()}
    assert sizes == {"一": 1, "二": 2, "五": 3, "十二": 4, "三十": 5}


def test_cloud_sizes_go_by_the_logarithm_of_counts():
    assert cloud_sizes([]) == []
    assert cloud_sizes([7]) == [1]
    assert cloud_sizes([3, 3, 3]) == [1, 1, 1]
    assert cloud_sizes([1, 10, 100, 1000, 10000]) == [1, 2, 3, 4, 5]
    assert cloud_sizes([1, 32, 1000]) == [1, 3, 5]  # by the counts themselves: [1, 1, 5]
    assert cloud_sizes([4, 2], steps=3) == [3, 1]


# --- /authors/ --------------------------------------------------------------------------


def on(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=SHANGHAI)


def test_the_author_index_lists_public_authors_with_counts_and_latest(client):
    make_article("甲的旧文", author="作者甲", published_at=on(2024, 1, 2))
    new = make_article("甲的新文", author="作者甲", published_at=on(2024, 3, 5))
    draft = make_article("甲的草稿", author="作者甲", status=S.DRAFT)
    make_article("甲的定时", author="作者甲", published_at=future())
    make_article("乙的文章", author="作者乙", published_at=on(2023, 7, 1))
    hidden = make_article("丙的草稿", author="作者丙", status=S.REVIEW)
    make_article("丁的归档", author="作者丁", status=S.ARCHIVED)
    make_article("无名")
    Author.objects.create(name="闲置作者")
    found = index_of_authors(client)
    assert found == {
        "作者甲": {
            "href": "/authors/zuo-zhe-jia/",
            "count": "共 2 篇",
            "latest": (new.get_absolute_url(), "甲的新文", new.published_at.isoformat()),
        },
        "作者乙": {
            "href": "/authors/zuo-zhe-yi/",
            "count": "共 1 篇",
            "latest": ("/articles/yi-de-wen-zhang/", "乙的文章", "2023-07-01T00:00:00+08:00"),
        },
    }
    assert "2024年3月5日" in page(client, "/authors/").texts("time")
    publish(draft)
    publish(hidden)
    found = index_of_authors(client)
    assert list(found) == ["作者丙", "作者甲", "作者乙"]  # bing, jia, yi
    assert found["作者甲"]["count"] == "共 3 篇"
    assert found["作者甲"]["latest"][:2] == (draft.get_absolute_url(), "甲的草稿")
    assert found["作者丙"]["latest"][:2] == (hidden.get_absolute_url(), "丙的草稿")


def test_the_author_index_speaks_the_readers_language(client):
    make_article("文章", author="作者")
    view = page(client, "/authors/")
    assert view.texts("h1") == ["作者"] and view.texts("title") == ["作者 · Folio"]
    assert view.texts("p", class_="page-meta") == ["共 1 位作者"]
    english = page(client, "/authors/", EN)
    assert english.texts("h1") == ["Authors"]
    assert english.texts("p", class_="page-meta") == ["1 author"]
    assert english.texts("span", class_="count") == ["1 article"]


# --- both -------------------------------------------------------------------------------


def test_every_page_links_the_indexes(client):
    article = make_article(tags=["AI"], author="作者")
    for url in ["/", article.get_absolute_url(), "/tags/ai/", "/archive/", "/tags/"]:
        nav = page(client, url).find("nav")[0][1]
        assert "标签" in nav and "作者" in nav, url
        assert {"/tags/", "/authors/"} <= set(page(client, url).links("/")), url
    nav = page(client, "/", EN).find("nav")[0][1]
    assert "Tags" in nav and "Authors" in nav


def test_a_site_with_no_article_yet_has_empty_indexes(client):
    make_article(tags=["草稿话题"], author="草稿作者", status=S.DRAFT)
    assert page(client, "/tags/").texts("p", class_="empty") == ["还没有标签。"]
    assert page(client, "/authors/").texts("p", class_="empty") == ["还没有作者。"]
    make_article(tags=["话题"], author="作者")
    assert page(client, "/tags/").texts("p", class_="empty") == []
    assert page(client, "/authors/").texts("p", class_="empty") == []


def test_the_indexes_are_kept_by_the_page_cache_and_follow_changes(client, settings):
    settings.FOLIO_PAGE_CACHE = True
    make_article(tags=["旧话题"], author="旧作者")
    for url, new in [("/tags/", "新话题"), ("/authors/", "新作者")]:
        assert client.get(url)["X-Cache"] == "miss"
        kept = client.get(url)
        assert kept["X-Cache"] == "hit" and new not in kept.content.decode()
    make_article(tags=["新话题"], author="新作者")
    for url, new in [("/tags/", "新话题"), ("/authors/", "新作者")]:
        response = client.get(url)
        assert response["X-Cache"] == "miss" and new in response.content.decode()


# --- addresses in another case ----------------------------------------------------------


def test_tag_and_author_addresses_in_another_case_redirect(client):
    make_article(tags=["LLM"], author="OpenAI")
    for url, to in [
        ("/tags/LLM/", "/tags/llm/"),
        ("/tags/Llm/?page=1", "/tags/llm/?page=1"),
        ("/tags/LLM/?page=2&utm_source=wx", "/tags/llm/?page=2&utm_source=wx"),
        ("/tags/LLM/?q=%E8%AF%AD%E9%9F%B3", "/tags/llm/?q=%E8%AF%AD%E9%9F%B3"),
        ("/authors/OpenAI/", "/authors/openai/"),
        ("/authors/OPENAI/?page=3&from=timeline", "/authors/openai/?page=3&from=timeline"),
    ]:
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (301, to), url
    assert client.get("/tags/llm/").status_code == 200
    assert client.get("/authors/openai/").status_code == 200


def test_a_kept_redirect_passes_on_the_query_string(client, settings):
    """The page cache keeps /tags/LLM/'s redirect; asked with a query string, the answer
    still carries it."""
    settings.FOLIO_PAGE_CACHE = True
    make_article(tags=["LLM"])
    assert client.get("/tags/LLM/")["X-Cache"] == "miss"
    kept = client.get("/tags/LLM/")
    assert (kept["X-Cache"], kept["Location"]) == ("hit", "/tags/llm/")
    response = client.get("/tags/LLM/?utm_source=wx")
    assert (response.status_code, response["Location"]) == (301, "/tags/llm/?utm_source=wx")
    assert client.get("/tags/LLM/")["X-Cache"] == "hit"


def test_an_old_tag_address_in_another_case_redirects_to_the_new_one(client):
    make_article(tags=["大模型"])
    editor = person("editor", "Editor")
    publishing.edit_tag(Tag.objects.get(), name="LLM", vault_path="", user=editor)
    for url in ["/tags/da-mo-xing/?page=1", "/tags/Da-Mo-Xing/?page=1"]:
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (301, "/tags/llm/?page=1"), url


def test_unknown_and_hidden_addresses_in_any_case_are_not_found(client):
    make_article(tags=["公开"], author="公开作者")
    hidden = make_article(tags=["秘密"], author="秘密作者", status=S.DRAFT)
    for url in [
        "/tags/nothing/",
        "/tags/NOTHING/",
        "/tags/MI-MI/",
        "/tags/mi-mi/",
        "/authors/nobody/",
        "/authors/NOBODY/",
        "/authors/MI-MI-ZUO-ZHE/",
        "/authors/mi-mi-zuo-zhe/",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.get("/tags/GONG-KAI/").status_code == 301
    assert client.get("/authors/GONG-KAI-ZUO-ZHE/").status_code == 301
    publish(hidden)
    assert client.get("/tags/MI-MI/")["Location"] == "/tags/mi-mi/"
    assert client.get("/authors/MI-MI-ZUO-ZHE/")["Location"] == "/authors/mi-mi-zuo-zhe/"
