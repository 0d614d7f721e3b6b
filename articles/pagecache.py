"""The page cache: whole public pages for anonymous readers, answered before Django's
middleware, views and templates run (PageCacheMiddleware is the first middleware).

Which pages. Views marked `@cached(...)` (pages, feeds, sitemap, robots.txt), asked for
with GET or HEAD by a reader without a session or messages cookie. Staff, logged-in
readers and previews go past the cache, and their pages are marked private.

Keys. A page is kept under its scheme, host, path, the reader's language, and the page
number(s) its view reads, nothing else of the query string: `?utm_source=…` and the like
neither go past the cache nor add entries, and a malformed page number is not kept. The
key also holds the release (a digest of the code, templates and translations), so that a
deploy never serves pages rendered by the code it replaced.

Freshness. Every kept page carries the token of the site's *generation*. Any change of
what readers may see starts a new one (`expire()`, called by the operations once their
transaction commits), and a page of an older generation is a miss: one write makes every
page fresh, on every server sharing the store. One generation for the whole site rather
than a list of pages per change, because an edit reaches far (previous/next links and
related lists on other articles, home and its pages, tag, author and archive pages,
feeds, sitemap): a computed list is where stale pages come from. A generation also knows
when the next scheduled article comes out; past that time the next request starts the
next generation itself, so the article appears on time with no write at all.

Stores. With REDIS_URL, pages and the generation live in Redis (Django's RedisCache) and
a hit is one round trip. Without, pages live in each process's memory and the
generation in a small file every process on the machine reads. FOLIO_PAGE_CACHE=off
turns the cache off; ETag, Last-Modified and 304s work either way.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.db import DatabaseError, connections, transaction
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, urlencode

logger = logging.getLogger(__name__)

GENERATION = "folio:generation"
TIMEOUT = 24 * 60 * 60  # a page not asked for in a day leaves the store
_KEPT_STATUSES = {200, 301}
_KEYED_VARY = {"accept-language"}  # what the key covers
_NOT_KEPT_HEADERS = {"set-cookie", "x-cache"}
_COMMAS = re.compile(r"\s*,\s*")


class Generation(NamedTuple):
    token: str
    since: float  # when the site's pages last changed: their Last-Modified
    until: float  # when the next scheduled article comes out (inf: none is)
    # Changed by expire_pages alone (changes made by hand): stored HTML is keyed by it.
    epoch: str = "0"


class Entry(NamedTuple):
    token: str  # of the generation the page was rendered in
    status: int
    headers: tuple[tuple[str, str], ...]
    content: bytes


# The page numbers of a view whose every query parameter is part of its key (the API's:
# it refuses parameters it does not know, so unknown ones add no entries).
WHOLE_QUERY = ("?",)


def cached(*numbers: str):
    """Mark a view as a public page the cache may keep. `numbers` name the query
    parameters that number its pages: they are part of the key, the rest of a query
    string is not."""

    def mark(view):
        @functools.wraps(view)
        def page(request, *args, **kwargs):
            return view(request, *args, **kwargs)

        page.page_numbers = numbers
        return page

    return mark


@dataclass
class _Batch:
    pending: bool = False  # a change not yet followed by a new generation
    flushed: float = field(default_factory=time.monotonic)


_batch = threading.local()  # .current: the _Batch under way in this thread, or None
BATCH_FLUSH = 1.0  # seconds: how stale pages may be while a batch of changes goes on


@contextmanager
def batched():
    """Changes made within (an import of thousands of notes) start a new generation at
    most once a BATCH_FLUSH, and once at the end, rather than once each."""
    if getattr(_batch, "current", None) is not None:
        yield
        return
    _batch.current = _Batch()
    try:
        yield
    finally:
        pending, _batch.current = _batch.current.pending, None
        if pending:
            expire()


def expire() -> None:
    """Start a new generation of the site's pages once the current transaction commits
    (now, outside one): the next request anywhere renders afresh. Whether or not this
    process serves from the cache (FOLIO_PAGE_CACHE): the servers may."""
    batch = getattr(_batch, "current", None)
    if batch is not None:
        batch.pending = time.monotonic() - batch.flushed < BATCH_FLUSH
        if batch.pending:
            return
        batch.flushed = time.monotonic()
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return _new_generation()
    pending = connection.run_on_commit  # (savepoints, callback, robust): one will do
    if not (pending and pending[-1][1] is _new_generation):
        transaction.on_commit(_new_generation)


def expire_everything() -> Generation:
    """A new generation, and stored HTML (fragments.py) made afresh too: after changes
    made by hand in SQL, which no article's last save records."""
    return _new_generation(epoch=os.urandom(8).hex())


def _new_generation(
    since: float | None = None, token: str | None = None, epoch: str | None = None
) -> Generation:
    from .models import Article  # the store knows nothing of models until it must

    if epoch is None:  # the current one's; with none to read, a new one (the generation
        try:  # lost, Redis emptied: what was kept under an old epoch must not come back)
            current = _store().generation()
            epoch = current.epoch if current else os.urandom(8).hex()
        except Exception:  # the store is down (and publish, below, will say so)
            epoch = os.urandom(8).hex()
    now = time.time()
    upcoming = (
        Article.objects.in_state(Article.State.SCHEDULED)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    generation = Generation(
        token=token or os.urandom(8).hex(),
        since=since or now,
        until=upcoming.timestamp() if upcoming else float("inf"),
        epoch=epoch,
    )
    try:
        _store().publish(generation)
    except Exception:  # the store is down: nothing can be served from it either
        logger.exception("The page cache could not start a new generation")
    return generation


def _current(generation: Generation | None, now: float) -> Generation:
    """`generation`, or the one that follows it once its scheduled article is out (the
    same token on every server that notices, so that they agree)."""
    if generation is None:
        return _new_generation()
    if now < generation.until:
        return generation
    token = hashlib.sha256(f"{generation.token}{generation.until}".encode()).hexdigest()[:16]
    try:
        return _new_generation(since=generation.until, token=token, epoch=generation.epoch)
    except DatabaseError:  # away: the pages kept are served until it can say what is out
        logger.warning("The page cache keeps its generation: the database is away")
        return generation


# .generation: the one this thread's request has read, or None; .failed: reading it failed
# (the store or the database is away), so that the request does not wait for it again.
_seen = threading.local()


def seen() -> Generation | None:
    """The site's generation as the request under way read it (read now if it has not),
    or None when the store cannot say."""
    generation = getattr(_seen, "generation", None)
    if generation is None and not getattr(_seen, "failed", False):
        try:
            generation = _seen.generation = _current(_store().generation(), time.time())
        except Exception:
            _seen.failed = True
            logger.exception("The page cache could not be read")
    return generation


def epoch() -> str:
    """The epoch of the site's generation, as the request under way saw it; when the
    store cannot say, one of this request's own, which nothing kept has."""
    generation = seen()
    if generation is not None:
        return generation.epoch
    if not getattr(_seen, "unknown", None):
        _seen.unknown = os.urandom(8).hex()
    return _seen.unknown


class _SharedStore:
    """Redis: pages and the generation. Each new generation is also announced on a
    channel every worker listens to: a worker keeps the generation it last read, and
    asks Redis again only when one was announced (a look at its socket, no round trip;
    and at least every RECHECK seconds, should the channel fail unnoticed). A worker
    also keeps the last pages it served, RECENT_BYTES of them: when it has the page and
    no new generation was announced, a hit costs no round trip at all."""

    RECENT_BYTES = 12 * 1024 * 1024
    RECHECK = 1.0  # seconds

    def __init__(self) -> None:
        self.recent: OrderedDict[str, Entry] = OrderedDict()
        self.recent_bytes = 0
        self.lock = threading.Lock()
        self.listener = None  # (pid, PubSub): a worker's own, never its parent's
        self.known: Generation | None = None
        self.checked = 0.0

    def read(self, key: str) -> tuple[Generation | None, Entry | None]:
        generation = self.generation()
        with self.lock:
            entry = self.recent.get(key)
            if entry is not None:
                self.recent.move_to_end(key)
        if generation is None or entry is None or entry.token != generation.token:
            entry = cache.get(key)
            if entry is not None:
                self.kept(key, entry)
        return generation, entry

    def generation(self) -> Generation | None:
        with self.lock:
            now = time.monotonic()
            if self._announced() or now - self.checked > self.RECHECK or self.known is None:
                self.known, self.checked = cache.get(GENERATION), now
            return self.known

    def _announced(self) -> bool:
        """Whether a new generation was announced since the last look (or this worker
        cannot tell: it has just started listening, or the channel failed)."""
        pid, listener = self.listener or (None, None)
        try:
            if pid != os.getpid():
                self.listener = (os.getpid(), cache.listen(GENERATION))
                return True
            announced = False
            while listener.get_message(timeout=0) is not None:
                announced = True
            return announced
        except Exception:
            logger.warning("The page cache stopped hearing of new generations", exc_info=True)
            self.listener = None
            return True

    def kept(self, key: str, entry: Entry) -> None:
        with self.lock:
            if key in self.recent:
                self.recent_bytes -= len(self.recent.pop(key).content)
            self.recent[key] = entry
            self.recent_bytes += len(entry.content)
            while self.recent_bytes > self.RECENT_BYTES:
                self.recent_bytes -= len(self.recent.popitem(last=False)[1].content)

    def publish(self, generation: Generation) -> None:
        cache.set(GENERATION, generation, None)
        cache.announce(GENERATION, generation.token)
        with self.lock:  # this worker's next request knows it, announced back or not yet
            self.known, self.checked = generation, time.monotonic()


class _LocalStore:
    """Pages in this process's memory; the generation in a file that every process on
    this machine reads (a few microseconds), so that a change made by one is seen by all."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self, key: str) -> tuple[Generation | None, Entry | None]:
        return self.generation(), cache.get(key)

    def generation(self) -> Generation | None:
        try:
            with open(self.path, "rb") as file:
                token, since, until, epoch = file.read().decode().split()
            return Generation(token, float(since), float(until), epoch)
        except (OSError, ValueError):
            return None

    def kept(self, key: str, entry: Entry) -> None:
        """(The pages are in this process's memory already.)"""

    def publish(self, generation: Generation) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}")
        temporary.write_text(" ".join(map(str, generation)))
        os.replace(temporary, self.path)


@functools.cache
def _store() -> _SharedStore | _LocalStore:
    if settings.REDIS_URL:
        return _SharedStore()
    # One file a database: sites (or a test run) on one machine do not expire each other.
    database = str(connections["default"].settings_dict["NAME"]).encode()
    digest = hashlib.md5(database, usedforsecurity=False).hexdigest()[:12]
    path = Path(settings.FOLIO_PAGE_CACHE_GENERATION_FILE)
    return _LocalStore(path.with_name(f"{path.name}-{digest}"))


@functools.cache
def release() -> str:
    """A digest of what renders pages: code, templates, translations, static manifest."""
    digest = hashlib.md5(usedforsecurity=False)
    root = Path(settings.BASE_DIR)
    for folder in ("cms", "articles", "templates", "locale"):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in {".py", ".html", ".mo", ".txt", ".xml"}:
                digest.update(path.read_bytes())
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    digest.update(manifest.read_bytes() if manifest.exists() else b"")
    digest.update(f"{settings.FOLIO_SITE_NAME}|{settings.TIME_ZONE}".encode())
    return digest.hexdigest()[:12]


@functools.lru_cache(maxsize=4096)
def _page_numbers(urlconf: str, path: str) -> tuple[str, ...] | None:
    """The page-number parameters of the cached view at `path`, or None."""
    try:
        return getattr(resolve(path, urlconf).func, "page_numbers", None)
    except Resolver404:
        return None


def _key(request: HttpRequest, numbers: tuple[str, ...]) -> str | None:
    """The page's key, or None when a page number is malformed (a 404 not worth keeping)."""
    parts = [release(), request.scheme, request.get_host(), request.path]
    if numbers == WHOLE_QUERY:
        parts.append(urlencode(sorted(request.GET.lists()), doseq=True))
        numbers = ()
    for name in numbers:
        value = request.GET.get(name)
        try:
            number = int(value or 1)
        except ValueError:
            return None
        if number < 1:
            return None
        parts.append(f"{name}={number}")
    parts.append(translation.get_language_from_request(request))
    digest = hashlib.md5("\n".join(parts).encode(), usedforsecurity=False).hexdigest()
    return f"folio:page:{digest}"


class _Found(NamedTuple):
    key: str
    generation: Generation
    entry: Entry | None  # the kept page, if it is of this generation


def _page_of(request: HttpRequest) -> tuple[str, ...] | None:
    """The page-number parameters of the cached view a GET or HEAD asks for; None for
    anything the cache does not keep."""
    if request.method not in ("GET", "HEAD"):
        return None
    return _page_numbers(settings.ROOT_URLCONF, request.path_info)


def _has_session(request: HttpRequest) -> bool:
    """A reader who may be logged in (a session, or an API token), or has messages
    waiting: never served a kept page."""
    cookies = request.COOKIES
    return (
        settings.SESSION_COOKIE_NAME in cookies
        or "messages" in cookies
        or "HTTP_AUTHORIZATION" in request.META
    )


def _find(request: HttpRequest, numbers: tuple[str, ...], *, front: bool = False) -> _Found | None:
    """The public page's key, the site's generation and the kept page if current; None
    when the cache is off, the page number malformed, or the store or the database (which
    a new generation asks) cannot answer: the page is then rendered, uncached. In `front`
    of Django, where no error page can be made, the database is never asked."""
    key = _key(request, numbers) if settings.FOLIO_PAGE_CACHE else None
    if key is None:
        return None
    try:
        generation, entry = _store().read(key)
        now = time.time()
        if front and (generation is None or now >= generation.until):
            return None
        generation = _seen.generation = _current(generation, now)
    except Exception:
        _seen.failed = True
        logger.exception("The page cache could not be read")
        return None
    if entry is not None and entry.status == 301 and request.META.get("QUERY_STRING"):
        entry = None  # a redirect is kept without a query string, and passes one on
    return _Found(key, generation, entry if entry and entry.token == generation.token else None)


class PageCacheFront:
    """The WSGI application in front of Django's: a hit is written out before Django's
    handler runs (its request signals, the middleware, a response object), at a fraction
    of the cost of the simplest view. Everything else, conditional requests included,
    goes on to Django, where PageCacheMiddleware renders, keeps and validates, and so
    does a request from another site's page (Origin), which the API's CORS headers
    answer (articles/api/cors.py)."""

    def __init__(self, application) -> None:
        self.application = application
        release()  # at start-up (before the fork, preloaded), not at a reader's request

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") in ("GET", "HEAD") and not (
            "HTTP_IF_NONE_MATCH" in environ
            or "HTTP_IF_MODIFIED_SINCE" in environ
            or ("HTTP_ORIGIN" in environ and settings.FOLIO_API_CORS_ORIGINS)
        ):
            request = WSGIRequest(environ)
            numbers = _page_of(request)
            try:
                public = numbers is not None and not _has_session(request)
                found = _find(request, numbers, front=True) if public else None
            except DisallowedHost:  # Django answers 400
                found = None
            if found is not None and found.entry is not None:
                entry = found.entry
                status = f"{entry.status} {HTTPStatus(entry.status).phrase}"
                start_response(status, [*entry.headers, ("X-Cache", "hit")])
                return [] if request.method == "HEAD" else [entry.content]
        return self.application(environ, start_response)


class PageCacheMiddleware:
    """The first middleware: answers hits (where PageCacheFront did not), renders and
    keeps misses, and gives every public page its validators."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        _seen.generation, _seen.failed = None, False  # this request reads it afresh
        _seen.unknown = None
        numbers = _page_of(request)
        if numbers is None:
            return self.get_response(request)
        if _has_session(request):
            response = _validated(self.get_response(request))
            patch_cache_control(response, private=True)
            return _conditional(request, response, None)
        found = _find(request, numbers)
        if found is None:
            response = _validated(_anonymous(self.get_response(request)))
            return _conditional(request, response, None)
        since = found.generation.since
        if found.entry is not None:
            response = HttpResponse(found.entry.content, status=found.entry.status)
            for header, value in found.entry.headers:
                response.headers[header] = value
            response.headers["X-Cache"] = "hit"
            return _conditional(request, response, since)
        response = _validated(_anonymous(self.get_response(request)))
        if response.status_code == 200:
            response.headers["Last-Modified"] = http_date(since)
        if _keepable(response):
            _keep(found.key, found.generation, response)
        response.headers["X-Cache"] = "miss"
        return _conditional(request, response, since)


def _anonymous(response: HttpResponse) -> HttpResponse:
    """A page for readers without a session says nothing of cookies: it is the same for
    them all, and no-cache makes a shared cache ask again for a reader with a session
    (who gets their own page). Vary: Cookie would only split such caches by every
    analytics cookie."""
    if "Vary" in response:
        vary = [v for v in _COMMAS.split(response["Vary"]) if v.lower() != "cookie"]
        if vary:
            response.headers["Vary"] = ", ".join(vary)
        else:
            del response.headers["Vary"]
    return response


def _validated(response: HttpResponse) -> HttpResponse:
    """`response` with an ETag, and no-cache: a browser or proxy asks each time whether
    its copy is current, and gets a 304 when it is."""
    if response.status_code == 200 and not response.streaming:
        if "ETag" not in response:
            # (SHA-1 for speed: 3 times md5's on this machine; not for security)
            digest = hashlib.sha1(response.content, usedforsecurity=False).hexdigest()
            response.headers["ETag"] = f'"{digest}"'
        patch_cache_control(response, no_cache=True)
    return response


def _conditional(request: HttpRequest, response: HttpResponse, since: float | None):
    """A 304 when the reader's copy is current; a HEAD's answer without the body (its
    Content-Length still the GET's)."""
    if response.status_code == 200 and not response.streaming:
        response = get_conditional_response(
            request, etag=response["ETag"], last_modified=since and int(since), response=response
        )
    if request.method == "HEAD" and not response.streaming:
        response.content = b""
    return response


def _keepable(response: HttpResponse) -> bool:
    """Only a page that is the same for every anonymous reader: no cookie set, nothing
    private, no Vary the key does not cover, no query string in a redirect."""
    if response.status_code not in _KEPT_STATUSES or response.streaming or response.cookies:
        return False
    control = response.get("Cache-Control", "")
    if "private" in control or "no-store" in control:
        return False
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    if not vary <= _KEYED_VARY:
        return False
    return response.status_code != 301 or "?" not in response["Location"]


def _keep(key: str, generation: Generation, response: HttpResponse) -> None:
    headers = tuple(
        (name, value) for name, value in response.items() if name.lower() not in _NOT_KEPT_HEADERS
    )
    entry = Entry(generation.token, response.status_code, headers, response.content)
    try:
        cache.set(key, entry, TIMEOUT)
        _store().kept(key, entry)
    except Exception:
        logger.exception("The page cache could not keep a page")
