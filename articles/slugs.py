"""Readable ASCII slugs for Chinese text. PURE: imports nothing from Django.

Chinese becomes pinyin (`春季发布会` -> `chun-ji-fa-bu-hui`), so a link pasted into a chat
app or a mail stays one readable, unescaped URL instead of a run of `%E6%98%A5…`.
"""

from __future__ import annotations

import re
import unicodedata

MAX_LENGTH = 80  # of a slug field: room for a readable slug and a `-N` suffix
READABLE_LENGTH = 60
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def slugify(text: str, *, max_length: int = READABLE_LENGTH) -> str:
    """Lower-case ASCII words joined by hyphens, cut at a word boundary within
    `max_length`; "" when `text` has nothing to spell (emoji, punctuation)."""
    from pypinyin import lazy_pinyin  # its dictionaries cost 55 MB: loaded by writers only

    words: list[str] = []
    for piece in lazy_pinyin(text[: max_length * 2]):  # a character gives a word or more
        ascii_text = unicodedata.normalize("NFKD", piece).encode("ascii", "ignore").decode()
        words += [word for word in _NOT_WORD.split(ascii_text.lower()) if word]
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            break
        slug = candidate
    return slug or "-".join(words)[:max_length].strip("-")


def numbered(slug: str, taken: set[str]) -> str:
    """`slug`, or `slug-2`, `slug-3`… : the first not in `taken`."""
    number, candidate = 1, slug
    while candidate in taken:
        number += 1
        candidate = f"{slug}-{number}"
    return candidate


def is_numbered(slug: str, base: str) -> bool:
    """Whether `slug` is `base` or one of the variants `numbered` makes of it."""
    head, _, number = slug.rpartition("-")
    return slug == base or (head == base and number.isdigit())
