"""Servers the tests start themselves on 127.0.0.1, as a deployment runs them."""

import http.cookiejar
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager, suppress
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
        except TimeoutError:  # it took the request, and is slow to answer (its database)
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


class DatabaseProxy:
    """A TCP relay to PostgreSQL on a port of its own, for a server to reach its database
    through: closed and opened again (the database goes away and returns), or told to
    cut the connection that sends the n-th query from now (a connection lost mid-request)."""

    def __init__(self, target: tuple[str, int] = ("127.0.0.1", 5432)) -> None:
        self.target = target
        self.port = free_port()
        self.listener: socket.socket | None = None
        self.sockets: set[socket.socket] = set()
        self.lock = threading.Lock()
        self.queries_left = 0  # cut the connection that sends this query (0: none)

    def open(self) -> None:
        listener = socket.create_server(("127.0.0.1", self.port))
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def close(self) -> None:
        """Refuse new connections and cut every open one."""
        if self.listener is not None:
            self._shut(self.listener)  # wakes the thread waiting in accept()
            self.listener = None
        with self.lock:
            for sock in self.sockets:
                self._shut(sock)
            self.sockets.clear()

    def cut_at_query(self, n: int) -> None:
        """Cut the connection over which the n-th query from now is sent, instead of
        sending it."""
        self.queries_left = n

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:  # closed
                return
            server = socket.create_connection(self.target)
            with self.lock:
                self.sockets |= {client, server}
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, queries: bool) -> None:
        try:
            while data := source.recv(65536):
                # A simple query ('Q') or the Parse of an extended one ('P') starts a chunk.
                if queries and self.queries_left and data[:1] in (b"Q", b"P"):
                    self.queries_left -= 1
                    if not self.queries_left:
                        break
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            self._shut(sock)

    @staticmethod
    def _shut(sock: socket.socket) -> None:
        with suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()
