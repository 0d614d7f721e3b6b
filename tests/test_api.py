"""The JSON API (articles/api/), as a client sees it: /api/ over HTTP, with the site's
rules for what is public, the page cache's freshness, and problem details for errors."""

import base64
import io
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from articles.api import schemas
from articles.api.reading import encode_cursor
from articles.models import Article
from tests.public import SHANGHAI, expire_pages, future, make_article

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


def get(client, url: str, **headers):
    response = client.get(url, headers=headers)
    assert response["Content-Type"].startswith(
        PROBLEM if response.status_code >= 400 else "application/json"
    ), (url, response.status_code, response.content[:300])
    return response


def walk(client, url: str) -> list[dict]:
    """Every result, following `next` to the end."""
    results = []
    while url:
        page = get(client, url).json()
        results += page["results"]
        url = page["next"] and _local(page["next"])
    return results


def _local(url: str) -> str:
    parts = urlsplit(url)
    assert parts.scheme == "http" and parts.netloc == "testserver"  # absolute, to this site
    return f"{parts.path}?{parts.query}"


def problem(response, status: int, parameter: str | None = None) -> dict:
    body = response.json()
    assert response.status_code == status == body["status"], body
    assert body["title"] and body["type"] == "about:blank"
    if parameter:
        assert [e["parameter"] for e in body["errors"]] == [parameter], body
        assert body["detail"].startswith(f"{parameter}: ")
    return body


@pytest.fixture
def archive():
    """Articles in every state, with tags, an author, summary rows and a body."""
    shown = [
        make_article(
            f"文章{n}",
            published_at=datetime(2024, 5, n, 9, tzinfo=SHANGHAI),
            tags=["AI", "模型"] if n % 2 else ["AI"],
            author="作者甲" if n < 3 else "作者乙",
            points=[("要点", f"第{n}个要点")],
            risks=[("", "风险")],
            body=f"第{n}篇正文，讲**语音**识别。" if n == 4 else f"第{n}篇正文。",
            original_url=f"https://mp.weixin.qq.com/s/{n}",
            source_platform="微信公众号",
        )
        for n in range(1, 6)
    ]
    hidden = [
        make_article("草稿", status=Article.Status.DRAFT, tags=["AI"], body="语音草稿"),
        make_article("待审", status=Article.Status.REVIEW, tags=["AI"]),
        make_article("定时", published_at=future(), tags=["AI"], body="语音定时"),
        make_article("归档", status=Article.Status.ARCHIVED, tags=["AI"]),
    ]
    return shown, hidden


def _raw(data: bytes) -> str:
    """A cursor of any bytes."""
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def titles(results) -> list[str]:
    return [item["title"] for item in results]


def test_the_list_gives_published_articles_newest_first_a_page_at_a_time(client, archive):
    shown, hidden = archive
    page = get(client, "/api/articles/?limit=2").json()
    assert set(page) == {"next", "results"}
    assert titles(page["results"]) == ["文章5", "文章4"]
    assert titles(walk(client, "/api/articles/?limit=2")) == [f"文章{n}" for n in range(5, 0, -1)]
    first = page["results"][0]
    assert list(first) == [f for f in schemas.FIELDS if f not in {"html", "markdown"}]
    assert first["url"] == "http://testserver" + shown[4].get_absolute_url()
    assert first["published_at"] == "2024-05-05T09:00:00+08:00"
    assert first["author"] == {
        "name": "作者乙",
        "slug": "zuo-zhe-yi",
        "url": "http://testserver/authors/zuo-zhe-yi/",
    }
    assert first["tags"] == [
        {"name": "AI", "slug": "ai", "url": "http://testserver/tags/ai/"},
        {"name": "模型", "slug": "mo-xing", "url": "http://testserver/tags/mo-xing/"},
    ]
    assert first["key_points"] == [{"label": "要点", "text": "第5个要点"}]
    assert first["risks"] == [{"label": "", "text": "风险"}]
    assert (first["source"], first["original_url"]) == (
        "微信公众号",
        "https://mp.weixin.qq.com/s/5",
    )
    assert "文章5" in client.get("/api/articles/?limit=1").content.decode()  # not \\u6587
    # Drafts, articles in review, scheduled and archived: never, until published.
    draft = hidden[0]
    Article.objects.filter(pk=draft.pk).update(status=Article.Status.PUBLISHED)
    expire_pages()
    assert "草稿" in titles(walk(client, "/api/articles/"))


def test_next_is_stable_while_articles_are_published(client, archive):
    """A cursor, not a page number: what is published between two pages neither repeats
    an article nor skips one."""
    page = get(client, "/api/articles/?limit=2").json()
    make_article("新文章", published_at=timezone.now() - timedelta(minutes=1))
    rest = walk(client, _local(page["next"]))
    assert titles(page["results"] + rest) == [f"文章{n}" for n in range(5, 0, -1)]
    oldest = walk(client, "/api/articles/?ordering=published_at&limit=2&fields=title")
    assert titles(oldest) == [*(f"文章{n}" for n in range(1, 6)), "新文章"]


def test_fields_give_fewer_and_the_bodies_on_request(client, archive):
    shown, _ = archive
    page = get(client, "/api/articles/?fields=title,url&limit=1").json()
    assert page["results"] == [
        {"title": "文章5", "url": "http://testserver" + shown[4].get_absolute_url()}
    ]
    both = get(client, "/api/articles/?fields=html,markdown,author&limit=5").json()["results"]
    assert both[1]["markdown"] == "第4篇正文，讲**语音**识别。"
    assert both[1]["html"] == "<p>第4篇正文，讲<strong>语音</strong>识别。</p>"
    one = get(client, f"/api/articles/{shown[3].slug}/").json()
    assert list(one) == [f for f in schemas.FIELDS if f != "markdown"]
    assert "markdown" not in one and one["html"].startswith("<p>")
    asked = get(client, f"/api/articles/{shown[3].slug}/?fields=markdown").json()
    assert asked == {"markdown": "第4篇正文，讲**语音**识别。"}
    problem(get(client, "/api/articles/?fields=title,body"), 400, "fields")
    problem(get(client, "/api/articles/?fields="), 400, "fields")


def test_filters_by_tag_author_dates_and_words(client, archive):
    def listed(query: str) -> list[str]:
        return titles(walk(client, f"/api/articles/?{query}"))

    assert listed("tag=mo-xing") == ["文章5", "文章3", "文章1"]
    assert listed("tag=no-such-tag") == []
    assert listed("author=zuo-zhe-jia") == ["文章2", "文章1"]
    assert listed("published_after=2024-05-04") == ["文章5", "文章4"]
    assert listed("published_before=2024-05-02T09:00:00%2B08:00") == ["文章1"]
    assert listed("published_after=2024-05-02T01:00:00Z&published_before=2024-05-04") == [
        "文章3",
        "文章2",
    ]
    assert listed("q=语音") == ["文章4"]  # drafts and scheduled articles with it: not found
    assert listed("q=语音&tag=ai") == ["文章4"]
    assert listed("q=语音&author=zuo-zhe-jia") == []
    problem(get(client, "/api/articles/?q=语音&tag=ai&ordering=relevance"), 400, "ordering")


def test_search_results_come_best_first_a_page_at_a_time(client):
    for n in range(5):
        make_article(f"第{n}篇", body="语音。" * (n + 1) + "别的内容。" * 20)
    results = walk(client, "/api/articles/?q=语音&limit=2&fields=title")
    assert titles(results) == titles(walk(client, "/api/articles/?q=语音&limit=5&fields=title"))
    assert sorted(titles(results)) == [f"第{n}篇" for n in range(5)]


def test_one_article_and_what_is_not_there(client, archive):
    shown, hidden = archive
    assert get(client, f"/api/articles/{shown[0].slug}/").json()["title"] == "文章1"
    for article in hidden:
        body = problem(get(client, f"/api/articles/{article.slug}/"), 404)
        assert article.title not in str(body)
    problem(get(client, "/api/articles/no-such-article/"), 404)
    body = problem(get(client, "/api/no/such/thing/"), 404)
    assert body["detail"] == "Nothing at /api/no/such/thing/: see /api/openapi.json."


def test_tags_and_authors_with_their_public_counts(client, archive):
    tags = walk(client, "/api/tags/?limit=1")
    assert tags == [
        {"name": "AI", "slug": "ai", "url": "http://testserver/tags/ai/", "count": 5},
        {"name": "模型", "slug": "mo-xing", "url": "http://testserver/tags/mo-xing/", "count": 3},
    ]  # four unpublished articles carry AI: not counted
    authors = get(client, "/api/authors/").json()
    assert authors["next"] is None
    assert [(a["name"], a["count"]) for a in authors["results"]] == [("作者甲", 2), ("作者乙", 3)]
    assert authors["results"][1]["latest"]["title"] == "文章5"


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=x", "limit"),
        ("tgs=ai", "tgs"),
        ("cursor=zzz", "cursor"),
        ("cursor=WyJ4Il0", "cursor"),  # a cursor of tags, given to articles
        ("ordering=title", "ordering"),
        ("published_after=yesterday", "published_after"),
        ("published_before=2024-13-01", "published_before"),
        ("published_after=0001-01-01", "published_after"),  # before year 1 in UTC
        ("published_before=9999-12-31T23:59-14:00", "published_before"),  # after 9999
        ("tag=a%00b", "tag"),  # PostgreSQL takes no NUL in text
        ("q=%E8%AF%AD%00", "q"),
        (f"cursor={_raw(b'[' * 1000)}", "cursor"),  # nested past Python's recursion
        (f"cursor={encode_cursor(['0001-01-01T00:00:00+14:00', 1])}", "cursor"),
        (f"cursor={encode_cursor(['2024-01-01T00:00:00', 1])}", "cursor"),  # no zone
        (f"cursor={_raw(b'[1e999, 1]')}", "cursor"),  # infinity
        (f"cursor={encode_cursor(['2024-01-01T00:00:00+08:00', 2**63])}", "cursor"),
        (f"q=%E8%AF%AD%E9%9F%B3&cursor={encode_cursor([2**63])}", "cursor"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(client, query, parameter):
    problem(get(client, f"/api/articles/?{query}"), 400, parameter)


def test_addresses_without_parameters_take_none(client):
    """Nor does the cache keep an entry for each thing added to their address."""
    problem(get(client, "/api/?x=1"), 400, "x")
    assert get(client, "/api/openapi.json")["X-Cache"] == "miss"
    assert get(client, "/api/openapi.json?x=1")["X-Cache"] == "hit"


def test_tags_page_in_one_order_whatever_the_databases_collation(client):
    """PostgreSQL's collations may put "a-c" before "ab" ("-" ignored) where Python's
    order puts it after: pages must follow one order, or tags repeat or go missing."""
    for name in ("ab", "a c", "a", "b", "a b c"):
        make_article(tags=[name])
    once = walk(client, "/api/tags/?limit=1")
    assert [t["slug"] for t in once] == [t["slug"] for t in walk(client, "/api/tags/")]
    assert sorted(t["slug"] for t in once) == sorted(["ab", "a-c", "a", "b", "a-b-c"])


def test_the_schema_and_the_docs_come_from_folio_itself(client):
    schema = get(client, "/api/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/articles/", "/api/articles/{slug}/", "/api/tags/", "/api/authors/"} <= set(
        schema["paths"]
    )
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "/api/openapi.json" in page
    assert "cdn" not in page.lower() and "https://" not in page


def test_reads_are_kept_by_the_page_cache_and_fresh_after_a_change(client, archive):
    url = "/api/articles/?limit=2&fields=title"
    first = get(client, url)
    again = get(client, url)
    assert (first["X-Cache"], again["X-Cache"]) == ("miss", "hit")
    assert again.content == first.content
    other = get(client, "/api/articles/?fields=title&limit=3")  # another query: another entry
    assert other["X-Cache"] == "miss" and len(other.json()["results"]) == 3
    unchanged = client.get(url, headers={"if-none-match": first["ETag"]})
    assert unchanged.status_code == 304
    make_article("刚发布", published_at=timezone.now() - timedelta(seconds=1))
    fresh = get(client, url)
    assert fresh["X-Cache"] == "miss" and titles(fresh.json()["results"])[0] == "刚发布"
    assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 200
    # A client with a token is answered afresh, never from what anonymous clients got.
    private = get(client, url, authorization="Bearer x")
    assert "X-Cache" not in private and "private" in private["Cache-Control"]


@pytest.mark.django_db(transaction=True)
def test_the_docs_work_in_a_browser_under_the_sites_policy(live_server, archive):
    """Swagger UI from Folio's static files, under the Content-Security-Policy every page
    has: it lists the operations and runs one."""
    from tests.test_browser import Reader, chromium

    with chromium() as browser:
        reader = Reader(browser, viewport={"width": 1280, "height": 900})
        page = reader.page
        page.goto(live_server.url + "/api/docs")
        operation = page.locator("#operations-reading-articles_api_reading_articles")
        operation.locator("button.opblock-summary-control").click()
        page.get_by_role("button", name="Try it out").click()
        page.get_by_role("button", name="Execute").click()
        status = page.locator(".live-responses-table tbody .response-col_status")
        status.first.wait_for()
        assert status.first.inner_text().strip() == "200"
        assert "文章5" in page.locator(".live-responses-table tbody .microlight").first.inner_text()
        if shots := __import__("os").environ.get("FOLIO_SCREENSHOTS"):
            page.screenshot(path=f"{shots}/api-docs-1280.png", full_page=False)
        assert reader.errors == []


def test_the_index_head_and_wrong_methods(client, archive):
    index = get(client, "/api/").json()
    assert index["articles"] == "http://testserver/api/articles/"
    assert index["docs"] == "http://testserver/api/docs"
    head = client.head("/api/articles/?limit=1")
    assert head.status_code == 200 and head.content == b""
    assert head["Content-Length"] == str(len(client.get("/api/articles/?limit=1").content))
    wrong = client.post("/api/articles/")
    assert problem(wrong, 405)["detail"] == "/api/articles/ takes GET, HEAD."
    assert wrong["Allow"] == "GET, HEAD"


def test_failures_inside_are_problems_too(client, monkeypatch):
    from django.db import OperationalError

    from articles import public

    def failing(error):
        def fail(*args, **kwargs):
            raise error

        return fail

    client.raise_request_exception = False  # as a server answers: with handler500
    monkeypatch.setattr(public, "tags", failing(OperationalError("the database is away")))
    away = get(client, "/api/tags/")
    assert problem(away, 503)["title"] == "Database unavailable"
    assert away["Retry-After"] == "30"
    monkeypatch.setattr(public, "tags", failing(RuntimeError("a bug")))
    body = problem(get(client, "/api/tags/"), 500)
    assert "a bug" not in str(body)


def test_other_sites_may_read_it_by_setting(client, settings, archive):
    url = "/api/articles/?limit=1&fields=title"
    app = {"origin": "https://app.example"}
    assert "Access-Control-Allow-Origin" not in get(client, "/api/tags/", **app)  # by default
    settings.FOLIO_API_CORS_ORIGINS = frozenset({"https://app.example"})
    for expected in ("miss", "hit"):  # a kept answer gets them on its way out too
        answer = get(client, url, **app)
        assert answer["X-Cache"] == expected
        assert answer["Access-Control-Allow-Origin"] == "https://app.example"
        assert "Origin" in answer["Vary"]
    other = get(client, url, origin="https://elsewhere.example")
    assert "Access-Control-Allow-Origin" not in other and other.status_code == 200
    preflight = client.options(
        "/api/articles/wen-zhang/status/",
        headers={
            **app,
            "access-control-request-method": "POST",
            "access-control-request-headers": "authorization, content-type",
        },
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "https://app.example"
    assert "Authorization" in preflight["Access-Control-Allow-Headers"]
    assert "POST" in preflight["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Origin" not in client.get("/", headers=app)  # the API only
    settings.FOLIO_API_CORS_ORIGINS = frozenset({"*"})
    assert get(client, url, origin="https://any.example")["Access-Control-Allow-Origin"] == "*"
    settings.FOLIO_API_CORS_ORIGINS = frozenset({"https://app.example"})
    assert "Origin" in get(client, "/api/tags/")["Vary"]  # no Origin: another cache's copy


def test_a_list_follows_every_change_of_its_articles(client, settings):
    """A list's entries are kept for each version of their articles, and every change
    (the article's, its tags' or its author's names) makes a new version."""
    from articles import publishing
    from articles.models import Author, Tag
    from tests.newsroom import person, post_change

    settings.FOLIO_PAGE_CACHE = False  # the entries kept, not the page
    article = make_article("旧标题", tags=["旧话题"], author="旧作者")
    [entry] = get(client, "/api/articles/").json()["results"]
    assert (entry["title"], entry["tags"][0]["name"], entry["author"]["name"]) == (
        "旧标题",
        "旧话题",
        "旧作者",
    )
    editor = person("editor", "Editor")
    client.force_login(editor)
    assert post_change(client, article, title="新标题").status_code == 302
    client.logout()
    publishing.edit_tag(Tag.objects.get(), name="新话题", vault_path="新话题", user=editor)
    publishing.edit_author(Author.objects.get(), name="新作者", user=editor)
    [entry] = get(client, "/api/articles/").json()["results"]
    assert (entry["title"], entry["tags"][0]["name"], entry["author"]["name"]) == (
        "新标题",
        "新话题",
        "新作者",
    )
    assert entry == get(client, f"/api/articles/{entry['slug']}/?fields={','.join(entry)}").json()


@pytest.mark.parametrize("lost", ["the generation", "the store"])
def test_entries_kept_before_expire_pages_never_come_back(client, settings, monkeypatch, lost):
    """After a change made by hand and `expire_pages`, what was kept before stays gone
    even when the site's generation is lost (Redis emptied) or cannot be read."""
    from django.core.management import call_command

    from articles import pagecache

    settings.FOLIO_PAGE_CACHE = False  # the entries kept, not the page
    store = pagecache._store()
    store.path.unlink(missing_ok=True)  # a site that never ran expire_pages
    article = make_article("旧标题")
    assert get(client, "/api/articles/").json()["results"][0]["title"] == "旧标题"
    Article.objects.filter(pk=article.pk).update(title="新标题")  # by hand, in SQL
    call_command("expire_pages", stdout=io.StringIO())
    assert get(client, "/api/articles/").json()["results"][0]["title"] == "新标题"
    if lost == "the generation":
        store.path.unlink()
    else:
        monkeypatch.setattr(type(store), "generation", lambda self: 1 / 0)
    assert get(client, "/api/articles/").json()["results"][0]["title"] == "新标题"
