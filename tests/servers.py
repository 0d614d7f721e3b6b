"""Servers the tests start themselves on 127.0.0.1, as a deployment runs them."""

import http.cookiejar
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    """The test database, for another process to share (see cms.settings)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def production_server(**env: str):
    """gunicorn serving Folio with debug off on the test database, as `make serve` runs
    it (gunicorn.conf.py); its base URL. `env` adds to (or, with "", removes from) its
    environment."""
    port = free_port()
    environ = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_DEBUG": "0"}
    environ.update(DJANGO_ALLOWED_HOSTS="127.0.0.1", FOLIO_BIND=f"127.0.0.1:{port}")
    environ.update({"WEB_CONCURRENCY": "1", **env})
    environ = {k: v for k, v in environ.items() if v != ""}
    command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"]
    server = subprocess.Popen(
        command, cwd=ROOT, env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base, server)
        yield base
    finally:
        server.terminate()
        server.communicate(timeout=30)


class _Unfollowed(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # an answer all the same (raised as an HTTPError)


_unfollowed = urllib.request.build_opener(_Unfollowed)


def _wait_for(base: str, server: subprocess.Popen) -> None:
    for _ in range(300):
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped: {server.communicate()[0]}")
        try:
            _unfollowed.open(f"{base}/robots.txt", timeout=2)
            return
        except urllib.error.HTTPError:  # it answers (a redirect to HTTPS, say)
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    raise RuntimeError("the server did not answer within 30 s")


class Browser:
    """A reader or an editor over HTTP, with cookies: logs in, reads, posts forms."""

    def __init__(self, host: str = "") -> None:
        """`host`: the Host header of every request (servers behind one name)."""
        self.headers = {"Host": host} if host else {}
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, url: str) -> tuple[int, dict[str, str], str]:
        return self._open(urllib.request.Request(url, headers=self.headers))

    def post(self, url: str, data: dict[str, list[str]]) -> tuple[int, dict[str, str], str]:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        headers = {**self.headers, "Referer": url}
        return self._open(urllib.request.Request(url, data=body, headers=headers))

    def log_in(self, base: str, username: str, password: str) -> None:
        from tests.helpers import form_data

        form = form_data(self.get(f"{base}/admin/login/")[2])
        form.update(username=[username], password=[password])
        status, _, page = self.post(f"{base}/admin/login/?next=/admin/", form)
        assert status == 200 and "/admin/logout/" in page, page[:2000]

    def _open(self, request) -> tuple[int, dict[str, str], str]:
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()


def get(url: str) -> tuple[int, dict[str, str], str]:
    """Status, headers and text of a GET, whatever the status."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()
