"""Markdown to the HTML Folio stores and serves. PURE: imports nothing from Django.

Python-Markdown renders; nh3 then keeps only an allow-list of tags and attributes, so
nothing in an article can run script, set event handlers, use `javascript:` URLs or frame
other sites. Images load lazily and without a Referer: WeChat's image host refuses
hotlinks that carry one.
"""

from __future__ import annotations

import threading

import markdown
import nh3
from markdown.extensions.toc import slugify_unicode

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
    "img": {"src", "alt", "width", "height"},
    "ol": {"start", "reversed"},
    "li": {"value"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan"},
    "span": {"class"},
    "div": {"class"},
    "code": {"class"},
    "sup": {"class"},
}
FORCED_ATTRIBUTES = {"img": {"referrerpolicy": "no-referrer", "loading": "lazy"}}
URL_SCHEMES = {"http", "https", "mailto"}

_local = threading.local()


def _converter() -> markdown.Markdown:
    # Building a Markdown instance costs more than a conversion; one per thread, reset.
    if not hasattr(_local, "md"):
        _local.md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
    return _local.md


def render(text: str) -> str:
    """The sanitized HTML for Markdown `text`."""
    md = _converter()
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
