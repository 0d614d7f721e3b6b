"""Servers the tests start themselves on 127.0.0.1, as a deployment runs them."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
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
    """gunicorn serving Folio with debug off on the test database, as the README says to
    run it; its base URL. `env` adds to (or, with "", removes from) its environment."""
    port = free_port()
    environ = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_DEBUG": "0"}
    environ.update(DJANGO_ALLOWED_HOSTS="127.0.0.1", **env)
    environ = {k: v for k, v in environ.items() if v != ""}
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "cms.wsgi"]
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


def _wait_for(base: str, server: subprocess.Popen) -> None:
    for _ in range(300):
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped: {server.communicate()[0]}")
        try:
            urllib.request.urlopen(f"{base}/robots.txt", timeout=2)
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    raise RuntimeError("the server did not answer within 30 s")


def get(url: str) -> tuple[int, dict[str, str], str]:
    """Status, headers and text of a GET, whatever the status."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()
