"""The page cache, through the doors readers and editors use: a hit runs no query, and
every change made through Folio shows on the next request, on every page it touches.

Each test runs on both stores: this process's memory (no REDIS_URL) and the Redis server
this machine runs. Transactions really commit here, as they do in production."""

import io
import shutil
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import pagecache
from articles.models import Article, Author, Tag
from tests.helpers import form_data, import_seeds, note, run_command, write
from tests.newsroom import post_change
from tests.public import Page, make_article

pytestmark = pytest.mark.django_db(transaction=True)
S = Article.Status


@pytest.fixture(autouse=True, params=["local", "redis"])
def store(request, settings):
    if request.param == "redis":
        settings.REDIS_URL = "redis://127.0.0.1:6379/15"
        redis = {
            "BACKEND": "articles.rediscache.RedisCache",
            "LOCATION": settings.REDIS_URL,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
        settings.CACHES = {"default": redis, "fragments": redis}
    pagecache._store.cache_clear()
    yield request.param
    pagecache._store.cache_clear()


@pytest.fixture
def editor():
    client = Client()
    client.force_login(User.objects.create_superuser("boss", "boss@example.invalid", "pw"))
    return client


def fetch(url: str, client: Client | None = None, **headers):
    """The response to a reader's GET, and how many queries it took."""
    with CaptureQueriesContext(connection) as captured:
        response = (client or Client()).get(url, headers=headers)
    return response, len(captured)


def text(url: str) -> str:
    response, _ = fetch(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def warm(*urls: str) -> None:
    """Ask for each page until it is a hit."""
    for url in urls:
        fetch(url)
        response, queries = fetch(url)
        assert (response["X-Cache"], queries) == ("hit", 0), url


def admin_post(client: Client, url: str, data: dict) -> None:
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]


# --- hits -------------------------------------------------------------------------------


def test_a_hit_runs_no_view_no_template_and_no_query():
    article = make_article("缓存", tags=["标签"], author="作者")
    urls = [
        "/",
        article.get_absolute_url(),
        "/tags/biao-qian/",
        "/authors/zuo-zhe/",
        "/archive/",
        f"/archive/{article.published_at:%Y}/",
        "/rss/",
        "/atom/",
        "/tags/biao-qian/rss/",
        "/sitemap.xml",
        "/robots.txt",
    ]
    for url in urls:
        first, queries = fetch(url)
        assert (first.status_code, first["X-Cache"]) == (200, "miss"), url
        assert queries > 0 or url == "/robots.txt"
        again, queries = fetch(url)
        assert (again["X-Cache"], queries) == ("hit", 0), url
        assert again.content == first.content
        assert again["Content-Type"] == first["Content-Type"]


def test_search_and_the_admin_are_not_kept(editor):
    make_article("搜索")
    for _ in range(2):
        response, queries = fetch("/search/?q=搜索")
        assert "X-Cache" not in response and queries > 0
        response, queries = fetch("/admin/", editor)
        assert "X-Cache" not in response and queries > 0


def test_unknown_query_strings_share_the_page_and_a_bad_page_number_is_not_kept():
    for n in range(25):
        make_article(f"文章{n}")
    assert fetch("/?utm_source=wechat&from=timeline")[0]["X-Cache"] == "miss"
    for url in ["/", "/?utm_source=weibo", "/?page=1", "/?fbclid=x&page=1&isappinstalled=0"]:
        response, queries = fetch(url)
        assert (response["X-Cache"], queries) == ("hit", 0), url
    canonical = Page(text("/?utm_source=x")).find("link", rel="canonical")[0][0]["href"]
    assert canonical == "http://testserver/"
    assert fetch("/?page=2&utm_medium=x")[0]["X-Cache"] == "miss"
    assert fetch("/?page=02")[0]["X-Cache"] == "hit"
    canonical = Page(text("/?page=2&utm_medium=x")).find("link", rel="canonical")[0][0]["href"]
    assert canonical == "http://testserver/?page=2"
    for bad in ["/?page=x", "/?page=0", "/?page=99"]:
        for _ in range(2):
            response, _ = fetch(bad)
            assert response.status_code == 404 and response.get("X-Cache") != "hit", bad


def test_each_language_has_its_page():
    make_article()
    english, _ = fetch("/", **{"accept-language": "en"})
    chinese, _ = fetch("/", **{"accept-language": "zh-CN,zh;q=0.9"})
    assert "Latest articles" in english.content.decode()
    assert "Latest articles" not in chinese.content.decode()
    for language, words in (("en", "Latest articles"), ("zh-CN", "最新文章")):
        response, _ = fetch("/", **{"accept-language": language})
        assert response["X-Cache"] == "hit" and words in response.content.decode()
        assert response["Content-Language"] == ("en" if language == "en" else "zh-hans")


def test_head_answers_as_get():
    article = make_article()
    url = article.get_absolute_url()
    head = Client().head(url)
    assert (head.status_code, head["X-Cache"], head.content) == (200, "miss", b"")
    get, queries = fetch(url)
    assert (get["X-Cache"], queries) == ("hit", 0) and b"<h1" in get.content
    head = Client().head(url)
    assert (head["X-Cache"], head.content, head["ETag"]) == ("hit", b"", get["ETag"])
    assert head["Content-Length"] == get["Content-Length"] == str(len(get.content))


# --- nothing leaked ---------------------------------------------------------------------


def test_kept_pages_set_no_cookie_and_cookies_that_do_not_matter_share_them():
    article = make_article()
    url = article.get_absolute_url()
    warm(url)
    reader = Client()
    reader.cookies["csrftoken"] = "a" * 32
    reader.cookies["_ga"] = "GA1.2.3"
    hit, queries = fetch(url, reader)
    assert (hit["X-Cache"], queries) == ("hit", 0)
    for response in (hit, fetch("/")[0], fetch("/")[0]):
        assert not response.cookies and "csrfmiddlewaretoken" not in response.content.decode()
        assert "Cookie" not in response.get("Vary", "")


def test_staff_are_never_served_nor_stored(editor):
    article = make_article("已发表")
    draft = make_article("草稿", status=S.DRAFT)
    url = article.get_absolute_url()
    # staff first: what they are shown is not kept for readers
    for _ in range(2):
        response, queries = fetch(url, editor)
        assert "X-Cache" not in response and queries > 0
        assert "private" in response["Cache-Control"]
    assert fetch(url)[0]["X-Cache"] == "miss"
    # a reader's page is not served to staff
    warm(url)
    response, queries = fetch(url, editor)
    assert "X-Cache" not in response and queries > 0
    # a preview is for the logged-in only
    assert fetch(draft.get_absolute_url(), editor)[0].status_code == 200
    for _ in range(2):
        assert fetch(draft.get_absolute_url())[0].status_code == 404


def test_cache_off_renders_every_request(settings):
    settings.FOLIO_PAGE_CACHE = False
    article = make_article()
    for _ in range(2):
        response, queries = fetch(article.get_absolute_url())
        assert "X-Cache" not in response and queries > 0 and response["ETag"]


# --- conditional GET --------------------------------------------------------------------


@pytest.mark.parametrize("cache_on", [True, False], ids=["cache", "no-cache"])
def test_a_repeat_with_the_validators_gets_304_until_the_page_changes(settings, editor, cache_on):
    settings.FOLIO_PAGE_CACHE = cache_on
    article = make_article("原题")
    for url in [article.get_absolute_url(), "/", "/rss/", "/sitemap.xml"]:
        first, _ = fetch(url)
        assert "no-cache" in first["Cache-Control"]
        again, _ = fetch(url, **{"if-none-match": first["ETag"]})
        assert (again.status_code, again.content) == (304, b""), url
        assert again["ETag"] == first["ETag"]
        if cache_on:
            since, queries = fetch(url, **{"if-modified-since": first["Last-Modified"]})
            assert (since.status_code, queries) == (304, 0), url
    etag = fetch("/")[0]["ETag"]
    post_change(editor, article, title="新题")
    response, _ = fetch("/", **{"if-none-match": etag})
    assert response.status_code == 200 and "新题" in response.content.decode()


# --- never stale ------------------------------------------------------------------------


def test_an_edit_shows_on_every_page_it_touches(editor):
    article = make_article("原来的标题", tags=["标签"], author="作者")
    neighbour = make_article("邻居", tags=["标签"])
    pages = [
        article.get_absolute_url(),
        neighbour.get_absolute_url(),  # its "previous" link and related list
        "/",
        "/tags/biao-qian/",
        "/authors/zuo-zhe/",
        f"/archive/{article.published_at:%Y}/{article.published_at:%m}/",
        "/rss/",
        "/tags/biao-qian/atom/",
    ]
    warm(*pages)
    post_change(editor, article, title="改过的标题")
    for url in pages:
        assert "改过的标题" in text(url), url
        assert "原来的标题" not in text(url), url


def test_publish_unpublish_and_bulk_actions_show_at_once(editor):
    draft = make_article("草稿文章", status=S.REVIEW, tags=["标签"])
    make_article("别的", tags=["标签"])
    warm("/", "/tags/biao-qian/", "/sitemap.xml", "/rss/")
    actions = "/admin/articles/article/"
    admin_post(editor, actions, {"action": "publish", "_selected_action": [draft.pk]})
    for url in ["/", "/tags/biao-qian/", "/rss/"]:
        assert "草稿文章" in text(url), url
    assert draft.slug in text("/sitemap.xml")
    admin_post(editor, actions, {"action": "add_tag", "_selected_action": [draft.pk], "tag": "新"})
    assert "草稿文章" in text("/tags/xin/")
    warm(draft.get_absolute_url())
    admin_post(editor, actions, {"action": "unpublish", "_selected_action": [draft.pk]})
    assert fetch(draft.get_absolute_url())[0].status_code == 404
    for url in ["/", "/tags/biao-qian/", "/rss/", "/sitemap.xml"]:
        assert "草稿文章" not in text(url) and draft.slug not in text(url), url


def test_a_deleted_article_is_gone_from_every_page(editor):
    doomed, other = make_article("将删除", tags=["标签"]), make_article("留下", tags=["标签"])
    pages = ["/", "/tags/biao-qian/", other.get_absolute_url(), "/rss/", "/sitemap.xml"]
    warm(doomed.get_absolute_url(), *pages)
    admin_post(editor, f"/admin/articles/article/{doomed.pk}/delete/", {"post": "yes"})
    assert fetch(doomed.get_absolute_url())[0].status_code == 404
    for url in pages:
        assert "将删除" not in text(url) and doomed.slug not in text(url), url
    one, two = make_article("一号"), make_article("二号")
    warm("/")
    data = {"action": "delete_selected", "_selected_action": [one.pk, two.pk], "post": "yes"}
    admin_post(editor, "/admin/articles/article/", data)
    assert "一号" not in text("/") and "二号" not in text("/")


def test_a_new_slug_and_the_old_address(editor):
    article = make_article("春季发布会")
    old = article.get_absolute_url()
    warm(old, "/", "/sitemap.xml")
    post_change(editor, article, slug="spring")
    response, _ = fetch(old)
    assert (response.status_code, response["Location"]) == (301, "/articles/spring/")
    assert "/articles/spring/" in text("/") and "/articles/spring/" in text("/sitemap.xml")
    warm(old)  # the redirect is kept too, and follows the next move
    post_change(editor, Article.objects.get(), slug="spring-2024")
    assert fetch(old)[0]["Location"] == "/articles/spring-2024/"


def test_tag_rename_and_merge(editor):
    article = make_article("文章", tags=["大模型", "LLM"])
    warm(article.get_absolute_url(), "/tags/da-mo-xing/", "/tags/llm/", "/")
    tag = Tag.objects.get(name="大模型")
    url = f"/admin/articles/tag/{tag.pk}/change/"
    form = form_data(editor.get(url).content.decode())
    form.update(name=["大语言模型"], _save=["Save"])
    admin_post(editor, url, form)
    assert "大语言模型" in text(article.get_absolute_url()) and "大语言模型" in text("/")
    assert fetch("/tags/da-mo-xing/")[0]["Location"] == "/tags/da-yu-yan-mo-xing/"
    keep = Tag.objects.get(name="大语言模型")
    data = {"action": "merge", "_selected_action": [keep.pk, Tag.objects.get(name="LLM").pk]}
    admin_post(editor, "/admin/articles/tag/", {**data, "into": keep.pk, "confirm": "yes"})
    assert fetch("/tags/llm/")[0]["Location"] == "/tags/da-yu-yan-mo-xing/"
    assert ">LLM<" not in text(article.get_absolute_url())


def test_author_edit(editor):
    article = make_article("文章", author="旧笔名")
    author = Author.objects.get()
    warm(article.get_absolute_url(), author.get_absolute_url(), "/")
    url = f"/admin/articles/author/{author.pk}/change/"
    form = form_data(editor.get(url).content.decode())
    form.update(name=["新笔名"], _save=["Save"])
    admin_post(editor, url, form)
    for page in [article.get_absolute_url(), author.get_absolute_url(), "/"]:
        assert "新笔名" in text(page) and "旧笔名" not in text(page), page


def test_revision_restore(editor):
    article = make_article("草稿")
    post_change(editor, article, title="第一版")
    post_change(editor, article, title="第二版")
    warm(article.get_absolute_url(), "/")
    admin_post(editor, f"/admin/articles/article/{article.pk}/history/1/restore/", {})
    assert "第一版" in text(article.get_absolute_url()) and "第一版" in text("/")


def test_an_import_shows_at_once(tmp_path):
    make_article("已有")
    warm("/", "/rss/", "/sitemap.xml")
    write(tmp_path / "new.md", note("新导入的文章", url="https://example.com/new"))
    assert import_seeds(tmp_path)[0] == 0
    assert "新导入的文章" in text("/") and "新导入的文章" in text("/rss/")
    assert Article.objects.get(title="新导入的文章").slug in text("/sitemap.xml")


def test_a_scheduled_article_appears_on_time_with_no_write(editor):
    make_article("已发表", tags=["标签"])
    soon = timezone.now() + timedelta(seconds=2)
    scheduled = make_article("定时文章", published_at=soon, tags=["标签"])
    pages = ["/", "/tags/biao-qian/", "/rss/", "/sitemap.xml"]
    warm(*pages)
    assert fetch(scheduled.get_absolute_url())[0].status_code == 404
    assert all("定时文章" not in text(url) for url in pages)
    time.sleep(max(0, (soon - timezone.now()).total_seconds()) + 0.1)
    for url in pages:
        assert "定时文章" in text(url) or scheduled.slug in text(url), url
    assert fetch(scheduled.get_absolute_url())[0].status_code == 200
    warm("/")  # and the new generation is kept again


def test_a_change_made_by_hand_shows_after_expire_pages():
    article = make_article("原题")
    warm(article.get_absolute_url())
    Article.objects.filter(pk=article.pk).update(title="手改")
    assert "原题" in text(article.get_absolute_url())  # SQL by hand is not seen…
    assert run_command("expire_pages") == (0, "pages expired\n", "")
    assert "手改" in text(article.get_absolute_url())  # …until the command says so


def test_a_status_changed_by_hand_shows_on_tag_pages_after_expire_pages():
    """Tag pages list by their rows' copy of each article's status and publish time,
    which Folio's changes keep; SQL by hand does not, and the command copies them again."""
    make_article("公开的", tags=["标签"])
    hidden = make_article("草稿", tags=["标签"], status=Article.Status.DRAFT)
    assert "草稿" not in text("/tags/biao-qian/")
    Article.objects.filter(pk=hidden.pk).update(status=Article.Status.PUBLISHED)
    assert "草稿" not in text("/tags/biao-qian/")
    assert run_command("expire_pages") == (0, "pages expired\n", "")
    assert "草稿" in text("/tags/biao-qian/")
    Article.objects.filter(pk=hidden.pk).update(status=Article.Status.DRAFT)  # and back
    run_command("expire_pages")
    assert "草稿" not in text("/tags/biao-qian/") and "公开的" in text("/tags/biao-qian/")


# --- the WSGI front ---------------------------------------------------------------------


def wsgi(path: str, method: str = "GET", **headers: str) -> tuple[str, dict[str, str], bytes]:
    """A request to the WSGI application a production server runs (cms.wsgi)."""
    from cms.wsgi import application

    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        **{f"HTTP_{name.upper()}": value for name, value in headers.items()},
    }
    started = {}

    def start_response(status, headers, exc_info=None):
        started.update(status=status, headers=dict(headers))

    with CaptureQueriesContext(connection) as captured:
        body = b"".join(application(environ, start_response))
    started["headers"]["queries"] = str(len(captured))
    return started["status"], started["headers"], body


def test_the_front_answers_hits_as_django_would_with_no_query():
    article = make_article("前门")
    url = article.get_absolute_url()
    status, miss, body = wsgi(url, host="testserver")
    assert (status, miss["X-Cache"]) == ("200 OK", "miss")
    status, hit, again = wsgi(url, host="testserver")
    assert (status, hit["X-Cache"], hit["queries"], again) == ("200 OK", "hit", "0", body)
    assert {k: v for k, v in hit.items() if k not in ("X-Cache", "queries")} == {
        k: v for k, v in miss.items() if k not in ("X-Cache", "queries")
    }
    status, head, empty = wsgi(url, "HEAD", host="testserver")
    assert (head["X-Cache"], empty, head["Content-Length"]) == ("hit", b"", str(len(body)))
    # conditional requests, hosts not allowed and readers with a session go on to Django
    status, _, empty = wsgi(url, host="testserver", if_none_match=hit["ETag"])
    assert (status, empty) == ("304 Not Modified", b"")
    assert wsgi(url, host="evil.example")[0].startswith("400")
    status, private, _ = wsgi(url, host="testserver", cookie="sessionid=x")
    assert "X-Cache" not in private and private["queries"] != "0"


@pytest.fixture
def kept(store, monkeypatch):
    """With Redis, an article whose page this worker has served and keeps, on a machine
    slow enough that the worker never asks Redis for the generation of its own accord."""
    if store != "redis":
        pytest.skip("without Redis the pages are in the worker already, with no channel")
    monkeypatch.setattr(pagecache._SharedStore, "RECHECK", 600.0)
    article = make_article("原题")
    fetch(article.get_absolute_url())  # rendered and kept, in Redis and in this worker
    return article


@contextmanager
def in_another_worker(monkeypatch):
    """Changes made within go through another worker (a store of its own), which this
    one hears of only by the channel."""
    mine, other = pagecache._store, pagecache._SharedStore()
    monkeypatch.setattr(pagecache, "_store", lambda: other)
    try:
        yield
    finally:
        monkeypatch.setattr(pagecache, "_store", mine)


def test_with_redis_a_worker_that_has_the_page_asks_redis_nothing(kept, editor):
    """Until a new generation is announced: then the next request sees it."""
    import redis
    from django.conf import settings

    url = kept.get_absolute_url()
    server = redis.Redis.from_url(settings.REDIS_URL)

    def calls() -> dict[str, int]:
        stats = server.info("commandstats")
        return {name: stats.get(f"cmdstat_{name}", {}).get("calls", 0) for name in ("get", "mget")}

    before = calls()
    response, _ = fetch(url)
    assert response["X-Cache"] == "hit"
    assert calls() == before
    post_change(editor, kept, title="改了")  # another generation, announced
    assert "改了" in text(url)
    assert calls()["get"] > before["get"]


def test_with_redis_a_worker_whose_channel_failed_still_sees_changes(kept, editor, monkeypatch):
    """Its announcement lost, a change made through another worker shows here within
    RECHECK: the worker listens again, or asks Redis once RECHECK has passed."""
    monkeypatch.setattr(pagecache._SharedStore, "RECHECK", 0.5)
    url = kept.get_absolute_url()
    _, listener = pagecache._store().listener
    listener.connection.disconnect()
    with in_another_worker(monkeypatch):
        post_change(editor, kept, title="新题")
    deadline = time.monotonic() + 3 * pagecache._SharedStore.RECHECK
    while "新题" not in text(url):
        assert time.monotonic() < deadline, "still the page from before the change"
        time.sleep(0.05)
    assert "新题" in text(url)


def test_with_redis_a_worker_knows_at_once_the_generation_it_started(kept, editor, monkeypatch):
    """The change made through this worker shows on its next request, though its own
    announcement has not come back yet."""
    monkeypatch.setattr(pagecache._SharedStore, "_announced", lambda self: False)
    post_change(editor, kept, title="新题")
    assert "新题" in text(kept.get_absolute_url())


def test_a_new_release_never_serves_the_pages_of_the_one_it_replaced(settings, tmp_path):
    """Keys hold a digest of the code, templates and translations: a deploy that changed
    a template renders afresh, with no expire."""
    make_article()
    warm("/")
    release = tmp_path / "release"
    for folder in ("cms", "articles", "templates", "locale"):
        shutil.copytree(settings.BASE_DIR / folder, release / folder)
    settings.BASE_DIR = release
    pagecache.release.cache_clear()
    try:
        assert fetch("/")[0]["X-Cache"] == "hit"  # the same files: the same pages
        (release / "templates" / "base.html").write_text("{# changed #}", encoding="utf-8")
        pagecache.release.cache_clear()
        assert fetch("/")[0]["X-Cache"] == "miss"
    finally:
        pagecache.release.cache_clear()


def test_a_batch_of_changes_starts_one_generation_a_flush(monkeypatch):
    """An import's thousands of saves start a new generation once a BATCH_FLUSH and at
    its end, not once each."""

    def token() -> str:
        return pagecache._store().read("-")[0].token

    pagecache.expire()
    first = token()
    with pagecache.batched():
        pagecache.expire()
        pagecache.expire()
        assert token() == first  # pages stay while the batch goes on…
    assert token() != first  # …and all change at its end
    monkeypatch.setattr(pagecache, "BATCH_FLUSH", 0.0)
    last = token()
    with pagecache.batched():
        pagecache.expire()
        assert token() != last  # past BATCH_FLUSH, within the batch
