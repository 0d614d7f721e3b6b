"""What readers get while the database is away: a 503 that says when to come back, never
a 500, and a read whose connection was cut midway tried once more on a new one.

Pages the page cache holds are answered before any of this runs (pagecache.py), so they
are still served. Nothing here reconnects: Django opens a connection at the next query
once the broken one is closed, so the site recovers by itself when the database returns.
"""

import sys

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views import defaults

from .api import problems

RETRY_AFTER = 30  # seconds: what the 503 asks clients to wait
IDEMPOTENT = {"GET", "HEAD", "OPTIONS"}


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the database being away (it refused, or cut, a connection) is a 503
    with Retry-After; any other error is Django's 500. The API's are problem details."""
    away = isinstance(sys.exc_info()[1], OperationalError | InterfaceError)
    api = request.path.startswith(problems.PREFIX)
    if not away:
        if api:
            return problems.problem(500, "Server error", "Folio failed; it is logged.")
        return defaults.server_error(request)
    if api:
        response = problems.problem(503, "Database unavailable", "Try again shortly.")
    else:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response.headers["Cache-Control"] = "no-store"
    response.headers["Retry-After"] = str(RETRY_AFTER)
    response.connection_lost = _close_lost()
    return response


def _close_lost() -> bool:
    """Close the connections that were open and no longer work (the next query opens a
    new one); whether there was one."""
    lost = False
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None and not connection.is_usable():
            connection.close()
            lost = True
    return lost


class RetryMiddleware:
    """An idempotent request whose database connection was cut midway is answered again,
    once, on a new connection. A write is not: its transaction was rolled back, and the
    503 says so to whoever sent it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method in IDEMPOTENT and getattr(response, "connection_lost", False):
            response.close()
            response = self.get_response(request)
        return response
