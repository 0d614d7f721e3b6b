"""Stored HTML for what pages repeat: an article's card in a list (title, date, author,
summary, tags) and the article on its own page, rendered once for each version of the
article, language and release, and kept in the "fragments" cache. A list page then reads
its articles' ids and last saves and joins their cards: no per-item template work, no rows,
tags or authors to load.

Never stale: a fragment is keyed by the article's id and its last save (`updated_at`,
which the index holds): every change of an article, of its tags or of its author's name
saves it (`changes.touched`), and a new release (code, templates, translations) has keys
of its own (pagecache's digest). A fragment renders in the language of the page.
"""

from __future__ import annotations

from datetime import datetime

from django.core.cache import caches
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from . import pagecache

CARD = "articles/_card.html"
ARTICLE = "articles/_article.html"
TIMEOUT = 7 * 24 * 60 * 60


def _key(kind: str, pk: int, saved: datetime) -> str:
    language = translation.get_language()
    return f"folio:{kind}:{pagecache.release()}:{language}:{pk}:{saved.timestamp()}"


def article(article) -> SafeString:
    """The article itself as its page shows it (header, summary, body, tags)."""
    key = _key("article", article.pk, article.updated_at)
    store = caches["fragments"]
    html = store.get(key)
    if html is None:
        html = render_to_string(ARTICLE, {"article": article})
        store.set(key, html, TIMEOUT)
    return mark_safe(html)


def cards(articles: QuerySet) -> list[SafeString]:
    """The cards of `articles` (a page of a list), in their order."""
    keys = {pk: _key("card", pk, saved) for pk, saved in articles.values_list("pk", "updated_at")}
    store = caches["fragments"]
    found = store.get_many(keys.values())
    missing = [pk for pk, key in keys.items() if key not in found]
    if missing:
        made = {
            keys[article.pk]: render_to_string(CARD, {"article": article})
            for article in articles.filter(pk__in=missing).for_listing()
        }
        store.set_many(made, TIMEOUT)
        found.update(made)
    return [mark_safe(found[key]) for key in keys.values() if key in found]
