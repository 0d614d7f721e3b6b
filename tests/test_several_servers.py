"""Two app servers on one database and one Redis, as a deployment behind a load balancer
runs them: an edit made through one is what the other serves on the next request."""

import uuid

import pytest
from django.conf import global_settings
from django.contrib.auth.models import User

from tests.helpers import form_data
from tests.public import make_article
from tests.servers import Browser, production_server


@pytest.mark.django_db(transaction=True)
def test_an_edit_through_one_server_is_served_by_the_other_at_once(settings):
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS  # the servers' own
    article = make_article("第一台服务器的标题", tags=["标签"])
    User.objects.create_superuser("boss", "boss@example.invalid", "a long password 1")
    shared = {
        "DJANGO_SECRET_KEY": "k" * 50,
        "REDIS_URL": "redis://127.0.0.1:6379/15",
        "FOLIO_CACHE_PREFIX": f"test-{uuid.uuid4().hex}",
        "WEB_CONCURRENCY": "2",
    }
    pages = [article.get_absolute_url(), "/", "/tags/biao-qian/", "/rss/"]
    reader = Browser(host="127.0.0.1")  # one name for both, as behind a load balancer
    with production_server(**shared) as one, production_server(**shared) as two:
        for url in pages:  # both servers serve these from the shared cache
            reader.get(one + url)
            for base in (one, two):
                status, headers, _ = reader.get(base + url)
                assert (status, headers["X-Cache"]) == (200, "hit"), (base, url)
        editor = Browser(host="127.0.0.1")
        editor.log_in(one, "boss", "a long password 1")
        change = f"{one}/admin/articles/article/{article.pk}/change/"
        form = form_data(editor.get(change)[2])
        form.update(title=["改在第一台服务器"], _save=["Save"])
        status, _, page = editor.post(change, form)
        assert status == 200 and "/admin/articles/article/" in page
        for url in pages:
            status, headers, body = reader.get(two + url)
            assert "改在第一台服务器" in body and "第一台服务器的标题" not in body, url
            assert headers["X-Cache"] == "miss"
            assert reader.get(one + url)[1]["X-Cache"] == "hit"


def test_with_its_database_down_a_server_still_answers(tmp_path):
    """No generation can be started without the database: pages that need none are
    served uncached, the others get Folio's 503 page, saying when to come back."""
    down = {
        "DJANGO_SECRET_KEY": "k" * 50,
        "DATABASE_URL": f"sqlite:///{tmp_path}/no/such/folder/folio.sqlite3",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
        "FOLIO_CACHE_PREFIX": f"test-{uuid.uuid4().hex}",
    }
    with production_server(**down) as base:
        reader = Browser()
        status, headers, body = reader.get(f"{base}/robots.txt")
        assert status == 200 and "Sitemap:" in body and "X-Cache" not in headers
        status, headers, body = reader.get(f"{base}/")
        assert status == 503 and "暂时无法访问" in body and int(headers["Retry-After"]) > 0
