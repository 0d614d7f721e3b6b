"""Production settings: without a secret key, commands that need none run; serving does
not. Behind TLS, one variable (DJANGO_HTTPS) turns HTTPS enforcement on and `check
--deploy` has nothing to say; without it, plain HTTP still serves."""

import http.client
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.public import make_article
from tests.servers import production_server

ROOT = Path(__file__).resolve().parent.parent
KEY = "folio-deploy-test-" + "abcdefghijklmnopqrstuvwxyz0123456789"  # as check --deploy asks


def run(*args: str, key: str = "", **env: str) -> subprocess.CompletedProcess:
    """Python with debug off (unless `env` says otherwise) and `key` as DJANGO_SECRET_KEY
    (none when empty), `env` added to its environment."""
    unset = {"DJANGO_SECRET_KEY", "DATABASE_URL"}
    environ = {k: v for k, v in os.environ.items() if k not in unset}
    environ.update({"DJANGO_DEBUG": "0", "DJANGO_SETTINGS_MODULE": "cms.settings", **env})
    if key:
        environ["DJANGO_SECRET_KEY"] = key
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("debug", ["0", "1"])
def test_a_warning_is_logged_once(debug, tmp_path):
    """With debug on (make run) Django's own console handler printed each of its warnings,
    and then the root's printed it again."""
    loggers = ["django.request", "django.security.csrf", "articles.pagecache", "gunicorn"]
    code = "import logging\n" + "".join(
        f"logging.getLogger({name!r}).warning('a warning from %s', {name!r})\n" for name in loggers
    )
    code += "logging.getLogger('django.server').info('a request line')\n"  # runserver's
    url = f"sqlite:///{tmp_path / 'folio.sqlite3'}"
    done = run("manage.py", "shell", "-v", "0", "-c", code, DJANGO_DEBUG=debug, DATABASE_URL=url)
    assert done.returncode == 0, done.stderr
    for name in loggers:
        assert done.stderr.count(f"a warning from {name}\n") == 1, done.stderr
    assert re.search(r"^\[.+\] a request line$", done.stderr, re.MULTILINE), done.stderr


def test_commands_that_need_no_key_run_without_one():
    done = run("manage.py", "makemigrations", "--check", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "No changes detected" in done.stdout


@pytest.mark.parametrize("module", ["cms.wsgi", "cms.asgi"])
def test_serving_refuses_to_start_without_a_key(module):
    done = run("-c", f"import {module}")
    assert done.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in done.stderr
    assert run("-c", f"import {module}", key="k" * 50).returncode == 0


def test_a_web_worker_never_loads_pillow():
    """What the app loads before the fork is in every worker: Pillow (3 MB) is for the
    task workers, which fetch and store images, not for serving pages."""
    code = "import sys, cms.wsgi, cms.urls; from django.urls import reverse; reverse('api:index')"
    code += "; print('PIL' in sys.modules)"
    done = run("-c", code, key="k" * 50)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def request(base: str, path: str, **headers: str) -> http.client.HTTPResponse:
    """One request, redirects not followed; the response, read."""
    address = urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    connection.request("GET", path, headers={"Host": "127.0.0.1", **headers})
    response = connection.getresponse()
    response.body = response.read().decode()
    connection.close()
    return response


def test_check_deploy_is_clean_behind_tls(tmp_path):
    static = {"DJANGO_STATIC_ROOT": str(tmp_path / "static")}
    assert run("manage.py", "collectstatic", "--noinput", **static).returncode == 0
    deployed = {**static, "DJANGO_ALLOWED_HOSTS": "folio.example", "DJANGO_HTTPS": "1"}
    done = run("manage.py", "check", "--deploy", key=KEY, **deployed)
    assert done.returncode == 0 and not done.stderr, done.stderr
    assert "System check identified no issues" in done.stdout
    # Without DJANGO_HTTPS, what it says is what that variable turns on.
    done = run("manage.py", "check", "--deploy", key=KEY, **{**deployed, "DJANGO_HTTPS": ""})
    warned = sorted(set(re.findall(r"security\.W\d+", done.stderr)))
    assert warned == ["security.W004", "security.W008", "security.W012", "security.W016"]


@pytest.mark.django_db(transaction=True)
def test_behind_tls_http_is_redirected_and_browsers_told_to_keep_to_https():
    article = make_article("安全的文章")
    with production_server(DJANGO_SECRET_KEY=KEY, DJANGO_HTTPS="1") as base:
        plain = request(base, article.get_absolute_url())
        assert plain.status == 301
        assert plain.getheader("Location") == f"https://127.0.0.1{article.get_absolute_url()}"
        tls = {"X-Forwarded-Proto": "https"}  # the proxy that terminated TLS says so
        page = request(base, article.get_absolute_url(), **tls)
        assert page.status == 200 and "安全的文章" in page.body
        hsts = page.getheader("Strict-Transport-Security")
        assert hsts == "max-age=31536000; includeSubDomains; preload"
        login = request(base, "/admin/login/", **tls)
        assert login.status == 200 and "Secure" in login.getheader("Set-Cookie")


@pytest.mark.django_db(transaction=True)
def test_without_https_plain_http_serves_with_one_referrer_policy_and_no_banner():
    article = make_article("明文的文章")
    with production_server(DJANGO_SECRET_KEY=KEY) as base:
        for path in ["/", article.get_absolute_url(), "/admin/login/"] * 2:  # kept pages too
            page = request(base, path)
            assert page.status == 200, path
            assert page.getheader("Strict-Transport-Security") is None
            assert page.getheader("Referrer-Policy") == "same-origin"
            assert 'name="referrer"' not in page.body  # no <meta> loosening the header
            assert "camera=()" in page.getheader("Permissions-Policy")
            assert page.getheader("Server") == "gunicorn", "no version to look up"
        cookie = request(base, "/admin/login/").getheader("Set-Cookie")
        assert "csrftoken" in cookie and "Secure" not in cookie
