"""Markdown to the HTML Folio stores and serves. PURE: imports nothing from Django.

Python-Markdown renders; nh3 then keeps only an allow-list of tags and attributes, so
nothing in an article can run script, set event handlers, use `javascript:` URLs or frame
other sites. Images load lazily and without a Referer: WeChat's image host refuses
hotlinks that carry one.
"""

from __future__ import annotations

import re
import threading

import markdown
import nh3
from markdown.extensions import Extension
from markdown.extensions.toc import slugify_unicode
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

EXTENSIONS = ["tables", "fenced_code", "footnotes", "sane_lists", "codehilite", "toc"]
EXTENSION_CONFIGS = {
    "codehilite": {"css_class": "highlight", "guess_lang": False},
    "toc": {"permalink": False, "slugify": slugify_unicode},
}

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins",
    "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"id", "title", "lang"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "loading"},
    "ol": {"start", "reversed"},
    "li": {"value"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan"},
    "span": {"class"},
    "div": {"class"},
    "code": {"class"},
    "sup": {"class"},
}
# One forced attribute a tag: ammonia adds several in no fixed order, and stored HTML
# should not change from one render to the next.
FORCED_ATTRIBUTES = {"img": {"referrerpolicy": "no-referrer"}}
URL_SCHEMES = {"http", "https", "mailto"}

# Every inline pattern Python-Markdown runs here starts with one of these (tests/
# test_rendering.py fails when a pattern is added, so that this list is kept true).
INLINE_PATTERNS = {
    "backtick", "escape", "footnote", "reference", "link", "image_link", "image_reference",
    "short_reference", "short_image_ref", "autolink", "automail", "linebreak", "html",
    "entity", "em_strong",
}  # fmt: skip
_INLINE_SYNTAX = re.compile(r"[\\`*_\[!<&]|  \n")


class _PlainText(Treeprocessor):
    """Mark text with no inline syntax at all as atomic, so the inline processor passes it
    by: no pattern could match it, and most of a Chinese article is such text. Same HTML,
    a quarter less time."""

    def run(self, root):
        for element in root.iter():
            for attribute in ("text", "tail"):
                text = getattr(element, attribute)
                if text and not isinstance(text, AtomicString) and not _INLINE_SYNTAX.search(text):
                    setattr(element, attribute, AtomicString(text))


class _LazyImages(Treeprocessor):
    """Images below the fold wait until the reader scrolls to them."""

    def run(self, root):
        for image in root.iter("img"):
            image.set("loading", "lazy")


class _FolioExtension(Extension):
    def __init__(self, *, fast: bool) -> None:
        super().__init__()
        self.fast = fast

    def extendMarkdown(self, md):
        if self.fast:
            md.treeprocessors.register(_PlainText(md), "plain_text", 25)  # before "inline"
        md.treeprocessors.register(_LazyImages(md), "lazy_images", 15)  # after "inline"


_local = threading.local()


def converter(*, fast: bool = True) -> markdown.Markdown:
    """The thread's Markdown converter (building one costs more than a conversion)."""
    name = "fast" if fast else "plain"
    if not hasattr(_local, name):
        extensions = [*EXTENSIONS, _FolioExtension(fast=fast)]
        md = markdown.Markdown(extensions=extensions, extension_configs=EXTENSION_CONFIGS)
        setattr(_local, name, md)
    return getattr(_local, name)


def render(text: str) -> str:
    """The sanitized HTML for Markdown `text`."""
    md = converter()
    try:
        html = md.convert(text)
    finally:
        md.reset()
    return sanitize(html)


def sanitize(html: str) -> str:
    """`html` with everything outside the allow-list removed."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        set_tag_attribute_values=FORCED_ATTRIBUTES,
        strip_comments=True,
    )
