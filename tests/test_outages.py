"""The database going away, under the production server: readers get a 503 that says when
to come back (pages the cache has are still served), a read whose connection was cut is
tried again, and the server recovers by itself when the database returns."""

import socket
import time
import uuid
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.conf import global_settings
from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone

from articles.models import Article
from tests.helpers import form_data
from tests.public import make_article
from tests.servers import Browser, DatabaseProxy, production_server

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("a database over TCP: PostgreSQL")


@pytest.fixture
def proxy(postgres):
    proxy = DatabaseProxy((connection.settings_dict["HOST"], int(connection.settings_dict["PORT"])))
    proxy.open()
    yield proxy
    proxy.close()


def _through(proxy: DatabaseProxy) -> dict[str, str]:
    """A production server's environment: its database reached through `proxy`, its
    connections kept between requests (as in production), pages in Redis."""
    db = connection.settings_dict
    return {
        "DATABASE_URL": f"postgres://{db['USER']}@127.0.0.1:{proxy.port}/{db['NAME']}",
        "DJANGO_CONN_MAX_AGE": "60",
        "DJANGO_SECRET_KEY": "k" * 50,
        "REDIS_URL": "redis://127.0.0.1:6379/15",
        "FOLIO_CACHE_PREFIX": f"test-{uuid.uuid4().hex}",
    }


def _unavailable(status: int, headers: dict[str, str], body: str) -> bool:
    """Folio's own 503: when to come back, said to people and to clients."""
    return (
        status == 503
        and int(headers["Retry-After"]) > 0
        and "暂时无法访问" in body
        and "Traceback" not in body
    )


def test_with_the_database_away_readers_get_a_503_and_cached_pages(proxy, settings):
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS  # the server's own
    article = make_article("数据库暂停时的文章", tags=["标签"])
    User.objects.create_superuser("boss", "boss@example.invalid", "a long password 1")
    soon = make_article("定时发布的文章", published_at=timezone.now() + timedelta(seconds=3))
    with production_server(**_through(proxy)) as base:
        reader = Browser()
        page = base + article.get_absolute_url()
        assert reader.get(page)[0] == 200  # kept in the page cache
        proxy.close()  # the port refuses, the open connections are cut
        status, headers, body = reader.get(page)
        assert (status, headers["X-Cache"]) == (200, "hit") and "数据库暂停时的文章" in body
        # Once the scheduled article is due, the cache cannot ask what changed: it goes
        # on serving what it has (the article comes out when the database returns).
        time.sleep(max(0, (soon.published_at - timezone.now()).total_seconds()) + 0.5)
        status, headers, body = reader.get(page)
        assert (status, headers["X-Cache"]) == (200, "hit") and "定时发布的文章" not in body
        for url in ["/tags/biao-qian/", "/search/?q=" + quote("文章")]:
            assert _unavailable(*reader.get(base + url)), url
        login = form_data(reader.get(f"{base}/admin/login/")[2])  # a form that needs none
        login.update(username=["boss"], password=["a long password 1"])
        assert _unavailable(*reader.post(f"{base}/admin/login/", login))
        proxy.open()  # the database returns: the server recovers by itself
        status, _, body = reader.get(f"{base}/tags/biao-qian/")
        assert status == 200 and "数据库暂停时的文章" in body
        Browser().log_in(base, "boss", "a long password 1")
        assert "定时发布的文章" in reader.get(page)[2]  # now its neighbour


def test_connections_terminated_by_the_database_are_replaced(postgres):
    article = make_article("连接被终止的文章")
    db = connection.settings_dict
    environ = {
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DJANGO_CONN_MAX_AGE": "60",
        "DJANGO_SECRET_KEY": "k" * 50,
        "FOLIO_PAGE_CACHE": "off",
        "WEB_CONCURRENCY": "2",
    }
    with production_server(**environ) as base:
        reader = Browser()
        for _ in range(4):  # each worker holds a connection
            assert reader.get(base + article.get_absolute_url())[0] == 200
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            assert cursor.fetchone()[0] >= 1
        for url in [
            article.get_absolute_url(),
            "/",
            "/search/?q=" + quote("终止"),
            "/admin/login/",
        ] * 2:
            status, _, body = reader.get(base + url)
            assert status == 200, (url, body[:300])


def test_a_read_cut_midway_is_tried_again_and_a_write_is_not(proxy, settings):
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS  # the server's own
    article = make_article("读到一半断开的文章")
    User.objects.create_superuser("boss", "boss@example.invalid", "a long password 1")
    with production_server(**_through(proxy), FOLIO_PAGE_CACHE="off") as base:
        reader = Browser()
        page = base + article.get_absolute_url()
        assert reader.get(page)[0] == 200  # the worker keeps its connection
        # The request's first query checks the kept connection; the second is the page's.
        proxy.cut_at_query(2)
        status, _, body = reader.get(page)
        assert status == 200 and "读到一半断开的文章" in body
        assert proxy.queries_left == 0  # the cut was made

        editor = Browser()
        editor.log_in(base, "boss", "a long password 1")
        change = f"{base}/admin/articles/article/{article.pk}/change/"
        form = form_data(editor.get(change)[2])
        form.update(title=["改了的标题"], _save=["Save"])
        proxy.cut_at_query(3)  # within the save
        assert _unavailable(*editor.post(change, form))  # said, not tried again
        assert Article.objects.get().title == "读到一半断开的文章"
        status, _, page_text = editor.post(change, form)  # the editor sends it again
        assert status == 200 and Article.objects.get().title == "改了的标题", page_text[:500]


def test_a_database_that_does_not_answer_is_given_up_after_the_connect_timeout(postgres):
    silent = socket.create_server(("127.0.0.1", 0))  # accepts connections, answers nothing
    environ = {
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{silent.getsockname()[1]}/folio",
        "DJANGO_SECRET_KEY": "k" * 50,
        "WEB_CONCURRENCY": "2",  # one waits for robots.txt's look at the generation
    }
    with silent, production_server(**environ) as base:
        started = time.monotonic()
        assert _unavailable(*Browser().get(f"{base}/"))
        assert (
            time.monotonic() - started < 9
        )  # 3 s a try, two tries (the cache's, the view's); libpq would wait for ever
