"""OPERATIONS. Archiving articles' remote images: which images an article shows (`follow`,
after every save), fetching one (`archive`, a background task), and the article's pages
showing the copies once none of its images is left to fetch.

Each remote image is a row (`RemoteImage`, one per URL whatever the number of articles
showing it), fetched once: by a task enqueued when the row is made, once the transaction
that made it commits. A failure that may pass (a 5xx, a 429, a timeout) is tried again
later, up to FOLIO_IMAGE_ATTEMPTS times, waiting longer each time.
"""

from __future__ import annotations

import hashlib
import random
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from .. import pagecache, rendering
from ..models import Article, RemoteImage
from . import fetch, html, store

Status = RemoteImage.Status

TINY = 16  # an image this small in both directions is a tracker or a placeholder
FIRST_WAIT = 30  # seconds before the second try; doubled for each try after
IMAGES_A_TASK = 4  # enough to make an import's tasks few, few enough to share them out


def url_hash(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()


def follow(article: Article, *, new: bool = False) -> list[int]:
    """Record the remote images `article`'s body shows; each new one is fetched once the
    transaction commits. `new` says the article shows none yet (spares a query). Returns
    the images' primary keys."""
    hashes = {url_hash(url): url for url in html.sources(article.body_html)}
    known = dict(RemoteImage.objects.filter(url_hash__in=hashes).values_list("url_hash", "pk"))
    unknown = [RemoteImage(url=url, url_hash=k) for k, url in hashes.items() if k not in known]
    if unknown:
        RemoteImage.objects.bulk_create(unknown, ignore_conflicts=True)  # another save made some
        made = RemoteImage.objects.filter(url_hash__in=[row.url_hash for row in unknown])
        made = made.values_list("url_hash", "pk", "attempts", "status")
        known.update((key, pk) for key, pk, _, _ in made)
        fresh = [pk for _, pk, tries, status in made if tries == 0 and status == Status.PENDING]
        transaction.on_commit(lambda: enqueue(fresh))
    pks = [known[key] for key in hashes]
    if new:
        shows = RemoteImage.articles.through
        shows.objects.bulk_create([shows(article_id=article.pk, remoteimage_id=pk) for pk in pks])
    else:
        article.images.set(pks)
    return pks


def enqueue(pks: list[int], *, after: float = 0) -> None:
    """Archive the images `pks` in the background (after `after` seconds), a few to a
    task: one row a task costs an import as much as the rest of an image's record."""
    from ..tasks import archive_images

    task = archive_images
    if after:
        task = task.using(run_after=timezone.now() + timedelta(seconds=after))
    for start in range(0, len(pks), IMAGES_A_TASK):
        task.enqueue(pks[start : start + IMAGES_A_TASK])


def archive(pk: int) -> RemoteImage | None:
    """Fetch and store remote image `pk` (the task's work; safe to run twice)."""
    image = RemoteImage.objects.filter(pk=pk).first()
    if image is None or image.status != Status.PENDING:
        return image  # deleted, or done already (a task run twice)
    try:
        fetched = _fetch(image)
    except fetch.FetchError as error:
        image.attempts += 1
        image.reason = str(error)
        if error.retry and image.attempts < settings.FOLIO_IMAGE_ATTEMPTS:
            wait = max(error.after, FIRST_WAIT * 2 ** (image.attempts - 1))
            image.save(update_fields=["attempts", "reason", "updated_at"])
            transaction.on_commit(lambda: enqueue([image.pk], after=wait))
            return image
        image.status = Status.FAILED
        image.save(update_fields=["attempts", "reason", "status", "updated_at"])
        _settle(image)
        return image
    image.attempts += 1
    if fetched.width <= TINY and fetched.height <= TINY:
        image.status, image.reason = Status.SKIPPED, f"{fetched.width}×{fetched.height}: a tracker"
    else:
        image.status, image.reason, image.image = Status.ARCHIVED, "", store.store(fetched)
    image.save(update_fields=["attempts", "reason", "status", "image", "updated_at"])
    _settle(image)
    return image


def _fetch(image: RemoteImage) -> fetch.Fetched:
    """The image's bytes: with no Referer, and for WeChat's hosts, if refused, with the
    URL of an article that shows it."""
    host = urlsplit(image.url).hostname or ""

    def get(referer: str) -> fetch.Fetched:
        with _host_slot(host):
            return fetch.fetch(
                image.url,
                referer=referer,
                max_bytes=settings.FOLIO_IMAGE_MAX_BYTES,
                allowed=settings.FOLIO_IMAGE_FETCH_ALLOWED,
            )

    try:
        return get("")
    except fetch.FetchError as error:
        refused = error.reason == "http" and not error.retry
        if not refused or host not in settings.FOLIO_IMAGE_REFERER_HOSTS:
            raise
        pages = image.articles.values_list("original_url", flat=True)
        page = next((url for url in pages if rendering.link(url)), "")
        if not page:
            raise
        return get(page)


@contextmanager
def _host_slot(host: str, wait: float = 60.0):
    """One of FOLIO_IMAGE_PER_HOST slots for fetching from `host`, shared by every worker
    that shares the cache (Redis), leased for longer than a fetch may take."""
    token, ends = uuid.uuid4().hex, time.monotonic() + wait
    while True:
        for slot in range(settings.FOLIO_IMAGE_PER_HOST):
            key = f"folio:fetching:{host}:{slot}"
            if cache.add(key, token, timeout=120):
                try:
                    yield
                finally:
                    if cache.get(key) == token:
                        cache.delete(key)
                return
        if time.monotonic() > ends:
            raise fetch.FetchError("busy", f"{host} is busy with other fetches", retry=True)
        time.sleep(0.05 + random.random() * 0.1)


def _settle(image: RemoteImage) -> None:
    """Articles showing `image` with none of their images left to fetch change (their
    last-save time: their stored fragments are made again) and the site's pages with
    them: one change an article, not one an image."""
    waiting = RemoteImage.articles.through.objects.filter(remoteimage__status=Status.PENDING)
    done = image.articles.exclude(pk__in=waiting.values("article"))
    if Article.objects.filter(pk__in=done.values("pk")).update(updated_at=timezone.now()):
        pagecache.expire()


def copies(urls: list[str]) -> dict[str, html.Copy]:
    """Where pages show the archived images among `urls` from, by original URL."""
    rows = RemoteImage.objects.filter(
        url_hash__in=[url_hash(url) for url in urls], status=Status.ARCHIVED
    ).select_related("image")
    return {row.url: store.copy(row.image) for row in rows}


def shown(bodies: list[str], *, base: str = "") -> list[str]:
    """Each of `bodies` as pages show it: Folio's copies of its images where there are
    some (their addresses absolute against `base` when one is given); one query for all."""
    found = copies([url for body in bodies for url in html.sources(body)])
    if base:
        found = {url: copy.absolute(base) for url, copy in found.items()}
    return [html.localize(body, found) for body in bodies]


def catch_up(articles, *, retry_failed: bool = False, each=None) -> dict[str, int]:
    """Archive the images of `articles` here and now (a vault imported before Folio kept
    images): record them, then fetch those still to fetch, the failed ones too with
    `retry_failed`; `each(done, total, image)` after each. How many images of theirs are
    in each status after."""
    with transaction.atomic():
        for article in articles.only("pk", "body_html").iterator(chunk_size=500):
            follow(article)
    images = RemoteImage.objects.filter(pk__in=articles.values("images"))
    if retry_failed:
        with transaction.atomic():
            again(images)
    pending = list(images.filter(status=Status.PENDING).values_list("pk", flat=True))
    for done, pk in enumerate(pending, 1):
        with transaction.atomic():
            image = archive(pk)
        if each:
            each(done, len(pending), image)
    counts = dict.fromkeys(Status.values, 0)
    counts.update(images.values_list("status").annotate(n=Count("pk")).order_by())
    return counts


def again(images) -> int:
    """Fetch the failed `images` again: back to pending, tries counted anew."""
    pks = list(images.filter(status=Status.FAILED).values_list("pk", flat=True))
    RemoteImage.objects.filter(pk__in=pks).update(
        status=Status.PENDING, attempts=0, reason="", updated_at=timezone.now()
    )
    transaction.on_commit(lambda: enqueue(pks))
    return len(pks)
