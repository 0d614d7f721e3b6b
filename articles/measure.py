"""Text measured the Chinese way. PURE: imports nothing from Django.

Chinese has no spaces between words, so reading time counts characters, and excerpts
are cut at a character count, on punctuation, never in the middle of a character.
"""

from __future__ import annotations

import html
import re
import unicodedata

CJK_PER_MINUTE = 400  # characters a minute, a usual figure for reading Chinese on screen
WORDS_PER_MINUTE = 220  # for the Latin words mixed in

_TAG = re.compile(r"<[^>]*>")
# Tags inside a line of text: gone without a trace (a space would split a Chinese word).
_INLINE = re.compile(
    r"</?(?:a|abbr|b|bdi|bdo|cite|code|data|del|dfn|em|i|ins|kbd|mark|q|s|samp|small|span"
    r"|strong|sub|sup|time|u|var|wbr)(?:[\s/][^>]*)?>",
    re.IGNORECASE,
)
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’.-]*")
_STOPS = "。！？；!?;…"  # where a sentence or clause may end
_PAUSES = "，、：,:）)」』》”"  # where it may pause
_JOINERS = "\u200d\ufe0e\ufe0f"  # zero-width joiner, variation selectors


def plain_text(fragment: str) -> str:
    """The text of an HTML fragment, tags removed and entities decoded."""
    return html.unescape(_TAG.sub(" ", _INLINE.sub("", fragment)))


_HEADING = re.compile(r'<h([23]) id="([^"]+)">(.*?)</h\1>', re.DOTALL)
OUTLINE_LEAST = 3  # headings an article needs for a table of contents


def outline(html_text: str) -> list[tuple[int, str, str]]:
    """The level-2 and level-3 headings of rendered HTML that carry an id, as (level, id,
    text): a table of contents, when there are at least OUTLINE_LEAST; else none."""
    found = [
        (int(level), html.unescape(anchor), " ".join(plain_text(inner).split()))
        for level, anchor, inner in _HEADING.findall(html_text)
    ]
    return found if len(found) >= OUTLINE_LEAST else []


def whole_tags(fragment: str) -> str:
    """An HTML fragment cut short without the tag it was cut inside of."""
    opened = fragment.rfind("<")
    return fragment[:opened] if opened > fragment.rfind(">") else fragment


def reading_minutes(text: str) -> int:
    """Minutes to read `text` (plain text): its Chinese characters at CJK_PER_MINUTE and
    its other words at WORDS_PER_MINUTE; at least one for any text."""
    characters = len(_CJK.findall(text))
    words = len(_WORD.findall(_CJK.sub(" ", text)))
    minutes = characters / CJK_PER_MINUTE + words / WORDS_PER_MINUTE
    return max(1, round(minutes)) if text.strip() else 0


def excerpt(text: str, limit: int = 120) -> str:
    """`text` with its white space folded, cut to at most `limit` characters: after the
    last sentence end within the limit, else the last pause, else at the limit; an
    ellipsis marks a cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[: _whole(text, limit - 1)]
    for marks in (_STOPS, _PAUSES):
        cut = max(head.rfind(mark) for mark in marks)
        if cut >= limit // 2:
            return head[: cut + 1].rstrip("，、：,:") + "…"
    return head.rstrip() + "…"


def _whole(text: str, index: int) -> int:
    """`index`, moved back so as not to split a character from its combining marks or an
    emoji sequence."""
    while 0 < index < len(text) and (
        unicodedata.combining(text[index]) or text[index] in _JOINERS or text[index - 1] == "\u200d"
    ):
        index -= 1
    return index
