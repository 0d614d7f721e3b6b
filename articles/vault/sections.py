"""The Markdown after the front matter: headings, the 摘要 and 关联主题 sections."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .types import Summary, SummaryItem, VaultTag

SUMMARY_NAMES = {"摘要", "summary"}
BODY_NAMES = {"正文", "原文", "body", "content"}
TAGS_NAMES = {"关联主题", "相关主题", "related", "related topics", "topics"}

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


@dataclass
class Heading:
    level: int
    text: str  # the heading's text as written
    name: str  # the heading's text, trimmed of spaces and a trailing colon
    start: int  # offset of the heading line
    end: int  # offset just past the heading line


def headings(text: str) -> list[Heading]:
    """The ATX headings of `text` outside fenced code blocks, in order."""
    found, fence, offset = [], "", 0
    for line in text.splitlines(keepends=True):
        start, offset = offset, offset + len(line)
        marker = _FENCE.match(line)
        if fence:
            if marker and marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence):
                fence = ""
            continue
        if marker:
            fence = marker.group(1)
            continue
        match = _HEADING.match(line.rstrip("\n"))
        if match:
            text = match.group(2)
            name = text.strip().rstrip(":：").strip()
            found.append(Heading(len(match.group(1)), text, name, start, offset))
    return found


def section_kind(heading: Heading) -> str | None:
    """ "summary", "body" or "tags" for the level-2 headings that open those sections."""
    if heading.level != 2:
        return None
    name = heading.name.lower()
    for kind, names in (("summary", SUMMARY_NAMES), ("body", BODY_NAMES), ("tags", TAGS_NAMES)):
        if name in names:
            return kind
    return None


# --- 摘要 -------------------------------------------------------------------------------

_PART_LINE = re.compile(r"^(?:\*\*(.+?)\*\*|#{3,6}[ \t]+(.+?))[ \t]*[:：]?[ \t]*$")
_BULLET = re.compile(r"^ {0,3}(?:[*+-]|\d{1,3}[.)])[ \t]+(.*)$")
_LABEL = re.compile(r"^\*\*(.+?)\*\*[ \t]*[:：]?[ \t]*(.*)$", re.DOTALL)
_PART_NAMES = {
    "risks": ("风险", "不足", "risk", "limitation", "caveat"),
    "key_points": ("要点", "核心", "key point", "highlight"),
    "one_sentence": ("一句话", "总结", "one-sentence", "one sentence", "tl;dr", "summary"),
}
PART_TITLES = {
    "one_sentence": "1) 一句话总结",
    "key_points": "2) 核心要点",
    "risks": "3) 风险/不足",
}


def _part_of(line: str) -> str | None:
    match = _PART_LINE.match(line.strip())
    if not match:
        return None
    title = (match.group(1) or match.group(2)).lower()
    for part, words in _PART_NAMES.items():
        if any(word in title for word in words):
            return part
    return None


def parse_summary(text: str) -> Summary:
    """Read a 摘要 section's content (the lines after its heading).

    Parts open on a bold or `###` line naming them (一句话总结, 核心要点, 风险/不足);
    a section with no such line is all one-sentence summary.
    """
    parts: dict[str, list[str]] = {}
    current = None
    for line in text.split("\n"):
        part = _part_of(line)
        if part:
            current = part
            parts.setdefault(part, [])
        elif current:
            parts[current].append(line)
    if not parts:
        return Summary(one_sentence=text.strip())
    return Summary(
        one_sentence="\n".join(parts.get("one_sentence", [])).strip(),
        key_points=_items(parts.get("key_points", [])),
        risks=_items(parts.get("risks", [])),
    )


def _items(lines: list[str]) -> list[SummaryItem]:
    chunks: list[list[str]] = []
    for line in lines:
        bullet = _BULLET.match(line)
        if bullet:
            chunks.append([bullet.group(1)])
        elif not line.strip():
            if chunks and chunks[-1][-1] != "":
                chunks[-1].append("")
        elif chunks and (line[:1].isspace() or chunks[-1][-1] != ""):
            chunks[-1].append(line.strip())
        else:
            chunks.append([line.strip()])
    items = (_item("\n".join(chunk).strip()) for chunk in chunks)
    return [item for item in items if item.label or item.text]


def _item(text: str) -> SummaryItem:
    match = _LABEL.match(text)
    if match:
        return SummaryItem(match.group(1).strip().rstrip(":：").strip(), match.group(2).strip())
    return SummaryItem("", text)


def format_summary(summary: Summary, heading: str = "摘要") -> str:
    """The 摘要 section in the vault's usual shape, ending in a blank line."""
    parts = []
    if summary.one_sentence:
        parts.append(f"**{PART_TITLES['one_sentence']}**\n{summary.one_sentence}\n")
    for name, items in (("key_points", summary.key_points), ("risks", summary.risks)):
        if items:
            lines = "".join(_format_item(item) for item in items)
            parts.append(f"**{PART_TITLES[name]}**\n{lines}")
    return f"## {heading}\n\n" + "\n".join(parts) + "\n"


def _format_item(item: SummaryItem) -> str:
    first, *more = item.text.split("\n")
    text = "\n".join([first, *(f"    {line}" if line else "" for line in more)])
    if item.label:
        return f"*   **{item.label}**：{text}\n"
    return f"*   {text}\n"


# --- 关联主题 ---------------------------------------------------------------------------

_WIKILINK = re.compile(r"\[\[([^\[\]|#]*)(?:#[^\[\]|]*)?(?:\|[^\[\]]*)?\]\]")
_LIST_ITEM = re.compile(r"^[ \t]*[*+-][ \t]+(.+?)[ \t]*$")


def parse_tags(text: str) -> list[tuple[VaultTag, int]]:
    """The tags a 关联主题 section lists, each with its offset in `text`.

    A wiki link `[[00-元语/AI|人工智能]]` is the tag `AI` at vault path `00-元语/AI`;
    a list item with no link is a tag named by its text.
    """
    found = []
    offset = 0
    for line in text.splitlines(keepends=True):
        links = list(_WIKILINK.finditer(line))
        if links:
            found += [(tag_from_path(m.group(1)), offset + m.start()) for m in links]
        else:
            item = _LIST_ITEM.match(line.rstrip("\n"))
            if item:
                found.append((tag_from_path(item.group(1)), offset + item.start(1)))
        offset += len(line)
    return [(tag, at) for tag, at in found if tag.name]


def tag_from_path(path: str) -> VaultTag:
    """A tag from a vault path or an Obsidian tag: `00-元语/AI` and `#AI` are `AI`."""
    path = path.strip().lstrip("#").strip().strip("/")
    return VaultTag(name=path.rsplit("/", 1)[-1].strip(), path=path)


def format_tags(tags: list[VaultTag], heading: str = "关联主题") -> str:
    """The 关联主题 section, one wiki link a line."""
    lines = "".join(f"- [[{tag.path or tag.name}]]\n" for tag in tags)
    return f"## {heading}\n\n{lines}"
