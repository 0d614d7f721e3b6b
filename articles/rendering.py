"""Markdown to the HTML Folio stores and serves. PURE: imports nothing from Django.

Python-Markdown renders; nh3 then keeps only an allow-list of tags and attributes, so
nothing in an article can run script, set event handlers, use `javascript:` URLs or frame
other sites. Images load lazily and without a Referer: WeChat's image host refuses
hotlinks that carry one. As in Obsidian, a list may start right under a line of text; a
Chinese sentence that WeChat broke over two lines reads on without a stray space.
"""

from __future__ import annotations

import re
import signal
import threading
import xml.etree.ElementTree as etree
from itertools import groupby
from urllib.parse import urlsplit

import markdown
import nh3
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.extensions.toc import slugify_unicode
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString
from pygments.token import STANDARD_TYPES

EXTENSIONS = ["tables", "fenced_code", "footnotes", "sane_lists", "codehilite", "toc"]
EXTENSION_CONFIGS = {
    "codehilite": {"css_class": "highlight", "guess_lang": False},
    "toc": {"permalink": False, "slugify": lambda value, separator: _heading_id(value, separator)},
}

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins",
    "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"id", "title", "lang"},  # ids: see _own_id
    "a": {"href", "aria-label"},
    "img": {"src", "alt", "width", "height", "loading"},
    "ol": {"start", "reversed"},
    "li": {"value"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan"},
}
# Classes are those the renderer gives (code highlighting, footnotes, links to images),
# never the page's own.
ALLOWED_CLASSES = {
    "a": {"image"},
    "div": {"highlight", "footnote"},
    "span": set(STANDARD_TYPES.values()) - {""},
}
# Ids of the public pages around a body: a heading that would take one gets another, raw
# HTML that claims one loses it (tests/test_budget.py keeps this list true). The admin's
# preview shows the page in a frame, a document of its own.
PAGE_IDS = frozenset(
    {
        "main", "site-name", "site-search-q", "search-q", "summary-heading", "related-heading",
        "archive-chart-title", "archive-chart-desc",
    }
)  # fmt: skip
# One forced attribute a tag: ammonia adds several in no fixed order, and stored HTML
# should not change from one render to the next.
FORCED_ATTRIBUTES = {"img": {"referrerpolicy": "no-referrer"}}
URL_SCHEMES = {"http", "https", "mailto"}

_URL_NOISE = re.compile(r"[\t\n\r]")
_C0_AND_SPACE = "".join(map(chr, range(0x21)))
_C0_OR_SPACE = re.compile(r"[\x00-\x20]")

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


class _ListAfterText(BlockProcessor):
    """A list may start right under a line of text, as in Obsidian and CommonMark: a bullet
    item, or an ordered item numbered 1, ends the paragraph above it.

    A block processor rather than a preprocessor: it sees only the blocks that would become
    paragraphs, once the parser has taken out code, tables and lists (whose lazy lines stay
    theirs), so it needs no idea of its own of where those begin and end. Inside a list item
    it does nothing, so that items nest and continue as before. `1)` is left alone:
    Python-Markdown makes no list of it.
    """

    ITEM = re.compile(r"\n {0,3}(?:[*+-]|1\.) +\S")  # 4+ spaces: continuation, not item

    def test(self, parent, block):
        return parent.tag not in {"li", "ol", "ul"} and self.ITEM.search(block) is not None

    def run(self, parent, blocks):
        block = blocks.pop(0)
        start = self.ITEM.search(block).start()
        blocks[:0] = [block[:start], block[start + 1 :]]


# Wrapped Chinese lines join with no space; Latin beside Chinese keeps the space a line
# break makes, as Chinese typography spaces it.
_CJK = (
    "\u00b7\u2014\u2018\u2019\u201c\u201d\u2026"  # · — ‘ ’ “ ” …
    "\u2e80-\u2fdf\u3000-\u303f"  # radicals; CJK punctuation: 、。「」『』《》【】
    "\u3040-\u30ff\u3100-\u312f"  # kana, bopomofo
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"  # ideographs
    "\ufe30-\ufe4f\uff00-\uffef"  # vertical and fullwidth forms: ，！？：；（）
)
# Spaces around the break are indentation of the wrapped line, not text.
_CJK_LINE_BREAK = re.compile(f"(?<=[{_CJK}])[ \t]*\n[ \t]*(?=[{_CJK}])")
_INLINE_TAGS = {"a", "abbr", "del", "em", "ins", "mark", "strong", "sub", "sup"}
_VERBATIM_TAGS = {"code", "pre"}


class _CjkLineBreaks(Treeprocessor):
    """Drop the line breaks between two Chinese characters.

    On the tree after inline processing rather than on the serialized HTML: here the text on
    either side of a break is found through inline markup (`**粗体**\\n中文`) without
    parsing tags, code is skipped as elements rather than found with patterns, and fenced
    code and raw HTML are still stash placeholders, so they are never touched. `<br>`,
    images and code interrupt the text, so a break next to them stays.
    """

    def run(self, root):
        for is_text, slots in groupby(_text_slots(root), key=bool):
            if is_text:
                _join_lines(list(slots))


def _text_slots(element):
    """(element, "text" | "tail") in reading order, None wherever the text is interrupted."""
    inline = element.tag in _INLINE_TAGS
    if not inline:
        yield None
    if element.tag not in _VERBATIM_TAGS:
        yield element, "text"
        for child in element:
            yield from _text_slots(child)
            yield child, "tail"
    if not inline:
        yield None


def _join_lines(slots):
    """Remove the CJK line breaks from one stretch of text spread over `slots`."""
    texts = [getattr(element, name) or "" for element, name in slots]
    for index, text in enumerate(texts):
        if "\n" not in text:
            continue
        before = next((t[-1] for t in reversed(texts[:index]) if t), "")
        after = next((t[0] for t in texts[index + 1 :] if t), "")
        joined = _CJK_LINE_BREAK.sub("", before + text + after)
        texts[index] = joined[len(before) : len(joined) - len(after)]
        if texts[index] != text:
            setattr(*slots[index], texts[index])


class _Images(Treeprocessor):
    """Images below the fold wait until the reader scrolls to them; and each links to its
    original, unless it is in a link already: where it cannot load (deleted, or its host
    down), the page's placeholder says so and the reader can still open it (site.css)."""

    def run(self, root):
        self.visit(root, in_link=False)

    def visit(self, parent, *, in_link: bool) -> None:
        for index, child in enumerate(parent):
            if child.tag == "img":
                child.set("loading", "lazy")
                original = link(child.get("src", ""))
                if original and not in_link:
                    parent[index] = wrapper = etree.Element("a", {"class": "image"})
                    wrapper.set("href", original)
                    if not child.get("alt"):  # the link's name, in the article's language
                        wrapper.set("aria-label", "查看原图")
                    wrapper.append(child)
                    wrapper.tail, child.tail = child.tail, None
            else:
                self.visit(child, in_link=in_link or child.tag == "a")


class _FolioExtension(Extension):
    def __init__(self, *, fast: bool) -> None:
        super().__init__()
        self.fast = fast

    def extendMarkdown(self, md):
        if self.fast:
            md.treeprocessors.register(_PlainText(md), "plain_text", 25)  # before "inline"
        md.treeprocessors.register(_CjkLineBreaks(md), "cjk_line_breaks", 18)  # after "inline"
        md.treeprocessors.register(_Images(md), "images", 15)
        # Just before "paragraph", after every processor that takes a block of its own.
        md.parser.blockprocessors.register(_ListAfterText(md.parser), "list_after_text", 11)


_local = threading.local()


def converter(*, fast: bool = True) -> markdown.Markdown:
    """The thread's Markdown converter (building one costs more than a conversion)."""
    name = "fast" if fast else "plain"
    if not hasattr(_local, name):
        extensions = [*EXTENSIONS, _FolioExtension(fast=fast)]
        md = markdown.Markdown(extensions=extensions, extension_configs=EXTENSION_CONFIGS)
        setattr(_local, name, md)
    return getattr(_local, name)


class RenderError(ValueError):
    """Markdown Folio will not render: what limit it broke, and on which line when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message, line)
        self.message, self.line = message, line

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


# Characters of indentation and of quote and list markers a line may open with: nesting
# costs the parser recursion, and 64 levels of list are more than any article needs.
MAX_NESTING = 128
_NESTING = re.compile(r"(?:[ >]|\t|(?:[*+-]|\d{1,9}[.)])[ \t])*")


def check(text: str) -> None:
    """Raise RenderError, naming the line, where `text` nests deeper than MAX_NESTING."""
    for line, row in enumerate(text.split("\n"), 1):
        if len(row) > MAX_NESTING // 4 and row[0] in " \t>*+-0123456789":  # a tab counts 4
            prefix = _NESTING.match(row).group()
            width = len(prefix) + 3 * prefix.count("\t")
            if width > MAX_NESTING and prefix.strip(" \t"):  # markers, not only indentation
                raise RenderError(
                    f"nested too deeply: {width} characters of indentation and quote or list "
                    f"markers before the text, at most {MAX_NESTING}",
                    line,
                )


class _OverTime(Exception):
    pass


class _Deadline:
    """Interrupt the Python code within after `seconds` of the process's CPU time (so
    that a loaded machine does not refuse what an idle one renders), in the main thread,
    where web workers (gunicorn's sync workers) and import workers render. Other threads
    (the development server's) go unbounded in time."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.armed = bool(seconds) and threading.current_thread() is threading.main_thread()

    def __enter__(self) -> None:
        if self.armed:
            self.previous = signal.signal(signal.SIGVTALRM, self._expire)
            signal.setitimer(signal.ITIMER_VIRTUAL, self.seconds)

    def _expire(self, signum, frame) -> None:
        if self.armed:  # not once the work is done and the alarm is being taken down
            raise _OverTime

    def __exit__(self, *exc_info: object) -> None:
        if self.armed:
            self.armed = False
            signal.setitimer(signal.ITIMER_VIRTUAL, 0)
            signal.signal(signal.SIGVTALRM, self.previous or signal.SIG_DFL)  # None: set in C


def render(text: str, *, seconds: float | None = None) -> str:
    """The sanitized HTML for Markdown `text`, rendered in at most `seconds`. Raises
    RenderError for Markdown nested too deeply or that takes longer."""
    check(text)
    md = converter()
    try:
        with _Deadline(seconds):
            html = md.convert(text)
    except (_OverTime, RecursionError) as error:
        _local.__dict__.clear()  # a converter stopped midway is not used again
        if isinstance(error, RecursionError):
            message = "nested too deeply to render (lists, quotes or emphasis within each other)"
        else:
            message = (
                f"took longer than {seconds:g} s to render (FOLIO_RENDER_SECONDS): brackets, "
                "links or HTML tags left open by the thousand are the usual cause"
            )
        raise RenderError(message) from None
    finally:
        md.reset()
    return sanitize(html)


def link(url: str) -> str:
    """`url` as an attribute may carry it: an http(s) URL with a host, cleaned as a
    browser cleans it first (tabs and newlines go, and leading or trailing controls and
    spaces, which is how `java\tscript:` and ` javascript:` get past naive checks); ""
    for anything else."""
    cleaned = _URL_NOISE.sub("", url).strip(_C0_AND_SPACE)
    if _C0_OR_SPACE.search(cleaned):
        return ""  # a control character or a space inside: no URL a browser would take as is
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        return ""
    return cleaned if parts.scheme.lower() in {"http", "https"} and parts.hostname else ""


def sanitize(html: str) -> str:
    """`html` with everything outside the allow-list removed."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        set_tag_attribute_values=FORCED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        attribute_filter=_own_id,
        strip_comments=True,
    )


def _heading_id(text: str, separator: str) -> str:
    """A heading's id: its words (Chinese kept), unless the page has that id already."""
    slug = slugify_unicode(text, separator)
    return f"section{separator}{slug}" if slug in PAGE_IDS else slug


def _own_id(tag: str, attribute: str, value: str) -> str | None:
    """Drop an id the page around the body uses (raw HTML claiming `main`, say)."""
    return None if attribute == "id" and value in PAGE_IDS else value
