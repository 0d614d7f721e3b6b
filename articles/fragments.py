"""Stored HTML for what pages repeat: an article's card in a list (title, date, author,
summary, tags), and on its own page the article and what the page's head says of it
(title, description, link previews' metadata, JSON-LD), rendered once for each version
of the article, language and release (and the head for each address of the site), and
kept in the "fragments" cache. A page then reads its articles' ids and last saves and
joins their HTML: no per-item template work, no rows, tags or authors to load. The API's
lists keep their entries' JSON the same way (`kept`).

Never stale: a fragment is keyed by the article's id and its last save (`updated_at`,
which the index holds): every change of an article, of its tags or of its author's name
saves it (`changes.touched`), a new release (code, templates, translations) has keys of
its own (pagecache's digest), and so has each epoch (`manage.py expire_pages`, after
changes made by hand in SQL). A fragment renders in the language of the page.
"""

from __future__ import annotations

import html
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.core.cache import caches
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.timezone import localtime

from . import measure, pagecache, rendering
from .images import archive as images
from .models import Article

CARD = "articles/_card.html"
ARTICLE = "articles/_article.html"
HEAD = "articles/_article_head.html"
TIMEOUT = 7 * 24 * 60 * 60
_FIRST_IMAGE = re.compile(r'<img [^>]*src="([^"]+)"')


class _Near:
    """This process's most recently used fragments, bounded by size: the only store
    without Redis, and in front of Redis (the "fragments" cache, shared by the servers)
    with it. A fragment's key names its version, so a copy is never stale, and a page
    whose fragments are all near makes no round trip for them."""

    SIZE = 1024 * 1024  # characters of HTML, about (2 to 4 MB)

    def __init__(self) -> None:
        self.kept: OrderedDict[str, object] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get_many(self, keys: list[str]) -> dict:
        with self.lock:
            found = {key: self.kept[key] for key in keys if key in self.kept}
            for key in found:
                self.kept.move_to_end(key)
        missing = [key for key in keys if key not in found]
        if missing and (shared := _shared()):
            fetched = shared.get_many(missing)
            self._keep(fetched)
            found.update(fetched)
        return found

    def set_many(self, values: dict) -> None:
        if shared := _shared():
            shared.set_many(values, TIMEOUT)
        self._keep(values)

    def clear(self) -> None:
        with self.lock:
            self.kept.clear()
            self.size = 0

    def _keep(self, values: dict) -> None:
        with self.lock:
            for key, value in values.items():
                if key not in self.kept:
                    self.kept[key] = value
                    self.size += _size(value)
            while self.size > self.SIZE and self.kept:
                self.size -= _size(self.kept.popitem(last=False)[1])


def _size(value) -> int:
    return len(value) if isinstance(value, str) else 200


def _shared():
    return caches["fragments"] if "fragments" in settings.CACHES else None


_near = _Near()


def clear() -> None:
    """Forget every stored fragment (tests: each starts with none)."""
    _near.clear()
    if shared := _shared():
        shared.clear()


def _stamp() -> str:
    """What every fragment's key holds: the release, the epoch and the language."""
    return f"{pagecache.release()}:{pagecache.epoch()}:{translation.get_language()}"


def _key(stamp: str, kind: str, pk: int, saved: datetime) -> str:
    return f"folio:{kind}:{stamp}:{pk}:{saved.timestamp()}"


def article(request, pk: int, saved: datetime, links: list) -> tuple:
    """(head, article, links): the head of article `pk`'s page and the article as the
    page shows it (header, summary, body, tags; `saved`: its last save), and a link to
    each article `links` holds (rows of public.LINK: title, address and date, as the
    page's lists of other articles show them), by row. One read of the store."""
    site = f"{request.scheme}://{request.get_host()}"
    stamp = _stamp()
    body, head = _key(stamp, "article", pk, saved), f"{_key(stamp, 'head', pk, saved)}:{site}"
    keys = {link: _key(stamp, "link", link.pk, link.updated_at) for link in links}
    found = _near.get_many([body, head, *keys.values()])
    made = {}
    if body not in found or head not in found:
        rows = Article.objects.with_related().prefetch_related("summary_items")
        article = rows.defer("body", "vault_layout", "extra").get(pk=pk)
        made[head] = render_to_string(HEAD, _head(request, article), request)
        [article.body_html] = images.shown([article.body_html])  # its archived images, if any
        made[body] = render_to_string(ARTICLE, {"article": article})
    for link, key in keys.items():
        if key not in found:
            made[key] = {
                "url": reverse("articles:article", args=[link.slug]),
                "title": Truncator(link.title).chars(100),
                "datetime": localtime(link.published_at).isoformat(),
                "date": date_format(localtime(link.published_at), "DATE_FORMAT"),
            }
    if made:
        _near.set_many(made)
        found.update(made)
    return mark_safe(found[head]), mark_safe(found[body]), {k: found[v] for k, v in keys.items()}


def _head(request, article) -> dict:
    """What the page says of itself to search engines and chat apps' link previews."""
    canonical = request.build_absolute_uri(article.get_absolute_url())
    description = measure.excerpt(article.summary or measure.plain_text(article.body_html))
    first = _FIRST_IMAGE.search(article.body_html)
    image = rendering.link(html.unescape(first.group(1))) if first else ""
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": article.title,
        "description": description,
        "datePublished": article.published_at,
        "dateModified": article.updated_at,
        "inLanguage": "zh-Hans",
        "mainEntityOfPage": canonical,
        "keywords": [tag.name for tag in article.tag_list()],
        "publisher": {"@type": "Organization", "name": settings.FOLIO_SITE_NAME},
    }
    if article.author:
        author_url = request.build_absolute_uri(article.author.get_absolute_url())
        data["author"] = {"@type": "Person", "name": article.author.name, "url": author_url}
    if article.original_link:
        data["isBasedOn"] = article.original_link
    if image:
        data["image"] = image
    return {
        "article": article,
        "canonical": canonical,
        "description": description,
        "image": image,
        "structured_data": data,
    }


def cards(rows: list[tuple[int, datetime]]) -> list[SafeString]:
    """The cards of the articles `rows` (id, last save) name, in their order."""

    def make(missing: list[int]) -> dict[int, str]:
        articles = Article.objects.filter(pk__in=missing).for_listing()
        return {article.pk: render_to_string(CARD, {"article": article}) for article in articles}

    return [mark_safe(card) for card in kept("card", rows, make)]


def kept(kind: str, rows: list[tuple[int, datetime]], make: Callable[[list[int]], dict]) -> list:
    """The `kind` of fragment of each article `rows` (id, last save) name, in their
    order: those kept read, the others made by `make` (ids -> {id: fragment}) and kept.
    An article `make` gives nothing for (deleted meanwhile) is left out."""
    stamp = _stamp()
    keys = {pk: _key(stamp, kind, pk, saved) for pk, saved in rows}
    found = _near.get_many(list(keys.values()))
    missing = [pk for pk, key in keys.items() if key not in found]
    if missing:
        made = {keys[pk]: fragment for pk, fragment in make(missing).items()}
        _near.set_many(made)
        found.update(made)
    return [found[key] for key in keys.values() if key in found]
