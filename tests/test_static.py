"""A forgotten `collectstatic` takes nothing down: pages render with a stylesheet that
loads, the log and `check --deploy` say what to run, and the 500 page needs nothing."""

import logging
import re
from urllib.parse import quote

import pytest
from django.core import checks

from tests.public import make_article
from tests.servers import get, production_server

pytestmark = pytest.mark.django_db
PRODUCTION_STORAGE = "articles.staticfiles.ManifestStorage"


@pytest.mark.django_db(transaction=True)
def test_every_page_serves_with_a_stylesheet_before_collectstatic(tmp_path):
    article = make_article("还没收集静态文件")
    empty = tmp_path / "static"
    with production_server(DJANGO_SECRET_KEY="k" * 50, DJANGO_STATIC_ROOT=str(empty)) as base:
        for path, status in [
            ("/", 200),
            (article.get_absolute_url(), 200),
            ("/search/?q=" + quote("静态"), 200),
            ("/admin/login/", 200),
            ("/no/such/page/", 404),
        ]:
            code, _, html = get(base + path)
            assert code == status, (path, html[:500])
            stylesheets = re.findall(r'<link rel="stylesheet"[^>]* href="([^"]+)"', html)
            assert stylesheets, path
            for href in stylesheets:
                code, headers, _ = get(base + href)
                assert (code, headers["Content-Type"].split(";")[0]) == (200, "text/css"), href
            if not path.startswith("/admin/"):  # the site's own icon in the tab
                icon = re.search(r'<link rel="icon" href="([^"]+)"', html)
                assert icon, path
                code, headers, _ = get(base + icon[1])
                assert (code, headers["Content-Type"]) == (200, "image/svg+xml"), icon[1]


def test_check_deploy_and_the_log_say_to_run_collectstatic(settings, tmp_path, client, caplog):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STORAGE}}
    warnings = [
        m for m in checks.run_checks(include_deployment_checks=True) if m.id == "folio.W001"
    ]
    assert len(warnings) == 1 and "collectstatic" in warnings[0].hint
    make_article()
    with caplog.at_level(logging.WARNING):
        assert client.get("/").status_code == 200
        assert client.get("/").status_code == 200
    logged = [r.getMessage() for r in caplog.records if "collectstatic" in r.getMessage()]
    assert len([m for m in logged if m.startswith("folio/site.css ")]) == 1  # once, not per page
    # once it has run, neither says anything
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')
    warnings = [
        m for m in checks.run_checks(include_deployment_checks=True) if m.id == "folio.W001"
    ]
    assert warnings == []


def test_the_500_page_depends_on_nothing(client, monkeypatch, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STORAGE}}
    article = make_article()
    monkeypatch.setattr("articles.views.measure.excerpt", lambda *a: 1 / 0)
    client.raise_request_exception = False
    response = client.get(article.get_absolute_url())
    assert response.status_code == 500
    html = response.content.decode()
    assert "500" in html and "<link" not in html and "{%" not in html


def test_a_release_collected_starts_with_nothing_to_say(settings, tmp_path, caplog):
    """WhiteNoise looks up, at start, the unhashed name of every file that looks hashed;
    a name that is not a static file is an answer there, not something to run."""
    from django.core.management import call_command
    from whitenoise.middleware import WhiteNoiseMiddleware

    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STORAGE}}
    settings.WHITENOISE_USE_FINDERS = False
    call_command("collectstatic", interactive=False, verbosity=0)
    with caplog.at_level(logging.WARNING):
        WhiteNoiseMiddleware(lambda request: None)
    assert [r.getMessage() for r in caplog.records if "unhashed" in r.getMessage()] == []
