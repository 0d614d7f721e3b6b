"""The Markdown after the front matter: headings, the 摘要 and 关联主题 sections."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .types import Summary, SummaryItem, VaultTag

SUMMARY_NAMES = {"摘要", "summary"}
BODY_NAMES = {"正文", "原文", "body", "content"}
TAGS_NAMES = {"关联主题", "相关主题", "related", "related topics", "topics"}

# Patterns here match in time linear in the line: a line of a note may be 512 KB long, and
# a lazy group beside `[ \t]*` (`(.*?)[ \t]*$`) backtracks quadratically over a run of
# spaces (minutes for one line). What such a pattern would trim, plain code trims.
_HEADING = re.compile(r"(#{1,6})[ \t]+(.*)")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})(.*)")


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
            if marker and _closes(marker, fence):
                fence = ""
            continue
        # A backtick fence's info string holds no backtick: "```a```" is inline code.
        if marker and not (marker.group(1)[0] == "`" and "`" in marker.group(2)):
            fence = marker.group(1)
            continue
        match = _HEADING.match(line.rstrip("\n"))
        if match:
            text = _without_closing(match.group(2))
            name = text.strip().rstrip(":：").strip()
            found.append(Heading(len(match.group(1)), text, name, start, offset))
    return found


def _closes(marker: re.Match, fence: str) -> bool:
    """Whether a line closes the fence: its marker's kind, as long or longer, alone."""
    found, rest = marker.groups()
    return found[0] == fence[0] and len(found) >= len(fence) and not rest.strip()


def _without_closing(text: str) -> str:
    """A heading's text without its closing sequence (`## 摘要 ##`: spaces, then only
    `#`s) and trailing spaces, as Markdown reads it."""
    text = text.rstrip(" \t")
    bare = text.rstrip("#")
    if bare != text and bare[-1:] in (" ", "\t"):
        return bare.rstrip(" \t")
    return text


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

_PART_HEADING = re.compile(r"#{3,6}[ \t]+(.+)")
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


def _part_title(line: str) -> str | None:
    """The title of a line that may open a part of the summary: `**title**` or `### title`,
    then maybe a colon (spaces around it); None for any other line."""
    line = line.strip()
    if line.startswith("**"):
        inside = line[2:]
        end = inside.rfind("**")  # what follows the title holds no `*`: it is the last `**`
        if end >= 1 and _is_colon(inside[end + 2 :]):
            return inside[:end]
        return None
    match = _PART_HEADING.match(line)
    if not match:
        return None
    title = match.group(1).rstrip(" \t")
    if title[-1] in ":：" and title[:-1].rstrip(" \t"):
        return title[:-1].rstrip(" \t")
    return title


def _is_colon(text: str) -> bool:
    """Whether `text` is spaces, maybe a colon, spaces."""
    return text.strip(" \t") in ("", ":", "：")


def _part_of(line: str) -> str | None:
    title = _part_title(line)
    if title is None:
        return None
    title = title.lower()
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
_LIST_ITEM = re.compile(r"[ \t]*[*+-][ \t]+(.+)")  # tag_from_path trims the item


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
    """The 关联主题 section, one wiki link a line (or the tag's text, for a tag a link
    cannot hold: one with `[`, `]`, `|` or `#` in it)."""
    lines = "".join(f"- {_tag_item(tag.path or tag.name)}\n" for tag in tags)
    return f"## {heading}\n\n{lines}"


def _tag_item(path: str) -> str:
    return path if any(character in path for character in "[]|#") else f"[[{path}]]"
