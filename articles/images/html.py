"""PURE. The images of stored body HTML (rendering.py's output): which remote ones it
shows, and the same HTML showing Folio's copies instead, with their size (no layout
shift) and a smaller rendition for phones. The link around each image (rendering.py)
keeps pointing at the original."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, replace
from urllib.parse import urljoin

from .. import rendering

_IMAGE = re.compile(r"<img\b[^>]*>")
_SOURCE = re.compile(r'\ssrc="([^"]*)"')
# The column of text is 40rem: 640 CSS pixels, up to 100vw below that.
SIZES = "(max-width: 42rem) calc(100vw - 2.5rem), 40rem"


@dataclass(frozen=True)
class Copy:
    """Where Folio serves its copy of an image, and its size."""

    url: str
    width: int
    height: int
    small_url: str = ""  # a narrower WebP rendition, for phones
    small_width: int = 0

    def absolute(self, base: str) -> Copy:
        """The copy with its addresses absolute (for feeds, read far from the site)."""
        small = urljoin(base, self.small_url) if self.small_url else ""
        return replace(self, url=urljoin(base, self.url), small_url=small)


def sources(body_html: str) -> list[str]:
    """The http(s) URLs of the images `body_html` shows, in order, each once."""
    found = (html.unescape(m.group(1)) for m in map(_SOURCE.search, _IMAGE.findall(body_html)) if m)
    return list(dict.fromkeys(url for url in found if rendering.link(url) == url))


def localize(body_html: str, copies: dict[str, Copy]) -> str:
    """`body_html` with each image `copies` has shown from Folio's copy."""
    if not copies:
        return body_html

    def localized(match: re.Match) -> str:
        tag = match.group(0)
        found = _SOURCE.search(tag)
        copy = copies.get(html.unescape(found.group(1))) if found else None
        if copy is None:
            return tag
        attributes = f' src="{html.escape(copy.url)}" width="{copy.width}" height="{copy.height}"'
        if copy.small_url:
            attributes += (
                f' srcset="{html.escape(copy.small_url)} {copy.small_width}w,'
                f' {html.escape(copy.url)} {copy.width}w" sizes="{SIZES}"'
            )
        return tag[: found.start()] + attributes + tag[found.end() :]

    return _IMAGE.sub(localized, body_html)
