"""A VaultArticle back to the text of a note."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from typing import Any

from . import sections
from .layout import Baseline, EntryLayout, FrontLayout, Layout, Slot
from .meta import CHINESE_KEYS, ENGLISH_KEYS, REPEAT, ROLE_KEYS, Plain, format_entry, role_of
from .reading import parse
from .text import text_hash
from .types import VaultArticle, VaultError, VaultTag

# A piece of the note being written: its text, whether it asks for a blank line on both
# sides (text Folio wrote rather than text the file had), and the slot it fills ("" for
# the text between slots).
Piece = tuple[str, bool, str]
_TOP_HEADING = re.compile(r"#{1,2}[ \t]")
ENGLISH_ONLY = {"date", "author", "source", "url"}


def dump(article: VaultArticle) -> str:
    """The note for `article`: its original text wherever a value is unchanged since
    `parse` read it (keys, their order and spelling, sections, tags, spacing), the vault's
    usual shape for what changed or was added. `parse(dump(a))` gives back `a`'s values.
    """
    layout = article.layout
    if layout and not _Changes(article, layout.baseline).any():
        return _write(article, layout)
    # Try the file's own shape, then the vault's usual one, then one with the tags in the
    # front matter (a body with an unclosed code fence swallows a 关联主题 after it).
    shapes = [layout] if layout else []
    for shape in [*shapes, _fresh_layout()]:
        text = _write(article, shape)
        if _reads_back(text, article):
            return text
    return _write(article, _fresh_layout(tags_in_front=True))


def _write(article: VaultArticle, layout: Layout) -> str:
    changes = _Changes(article, layout.baseline)
    pieces: list[Piece] = []
    for item in layout.template:
        if isinstance(item, str):
            pieces.append((item, False, ""))
        elif item.name == "body":
            pieces.append((article.body, False, "body"))
        else:
            pieces.append(_SLOTS[item.name](article, layout, changes))
    _insert_missing(pieces, article, layout, changes)
    _head_body(pieces)
    return _join(pieces)


def _reads_back(text: str, article: VaultArticle) -> bool:
    try:
        tz = article.date.tzinfo if article.date and article.date.tzinfo else UTC
        again = parse(text, path=article.path, tz=tz, default_date=article.date)
    except VaultError:
        return False
    return _values(again) == _values(article)


def _values(article: VaultArticle) -> tuple[Any, ...]:
    tags = _folded(tag.name for tag in article.tags)
    summary = article.summary.as_json()
    fields = (article.title, article.date, article.author, article.source, article.url)
    return (*fields, article.status, summary, article.body, tags, _typed(article.extra))


def _same(value: Any, other: Any) -> bool:
    """Whether two front-matter values write alike: as YAML does, and unlike Python's `==`,
    1, 1.0 and true are three values."""
    return _typed(value) == _typed(other)


def _typed(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


class _Changes:
    """Which values differ from the layout's baseline."""

    def __init__(self, article: VaultArticle, base: Baseline) -> None:
        self.title = article.title != base.title
        self.date = _date_changed(article.date, base.date)
        self.author = article.author != base.author
        self.source = article.source != base.source
        self.url = article.url != base.url
        self.status = article.status != base.status
        self.summary = article.summary.as_json() != base.summary
        self.body = text_hash(article.body) != base.body
        self.tags = _folded(tag.name for tag in article.tags) != _folded(base.tags)
        self.extra = not _same(article.extra, base.extra)

    def __getitem__(self, role: str) -> bool:
        return getattr(self, role)

    def any(self) -> bool:
        return any(vars(self).values())


def _date_changed(current: datetime | None, base: str | None) -> bool:
    if current is None or base is None:
        return current is not None or base is not None
    return current != datetime.fromisoformat(base)


def _folded(names: Any) -> set[str]:
    return {name.casefold() for name in names}


def _fresh_layout(*, tags_in_front: bool = False) -> Layout:
    """The layout of an article that came from no file: everything counts as added."""
    front = None
    if tags_in_front:
        front = FrontLayout("---\n", "", [EntryLayout("tags", "tags", None)], "---\n", False)
    template: list[str | Slot] = [Slot("front_matter"), "## 正文\n\n", Slot("body"), "\n"]
    return Layout(template=template, front_matter=front)


# --- slots --------------------------------------------------------------------------------


def _head_body(pieces: list[Piece]) -> None:
    """Open the body with `## 正文` where it follows a 摘要 or 关联主题 section directly,
    which would otherwise read it as part of that section."""
    previous = ""
    for index, (text, pad, slot) in enumerate(pieces):
        after_section = slot == "body" and text and previous in {"summary", "tags"}
        if after_section and not _TOP_HEADING.match(text + _joined_to(pieces, index, pad)):
            pieces[index] = ("## 正文\n\n" + text, True, slot)
        if text.strip():
            previous = slot


def _joined_to(pieces: list[Piece], index: int, pad: bool) -> str:
    """The text of the piece after `index`, where it joins the piece with nothing between
    (a body that is `##` then the file's own ` `: a heading, as the file had it)."""
    following = pieces[index + 1 : index + 2]
    return following[0][0] if following and not (pad or following[0][1]) else ""


def _title(article: VaultArticle, layout: Layout, changes: _Changes) -> Piece:
    if changes.title:
        return f"# {_title_text(article.title)}\n", True, "title"
    return layout.raw["title"], False, "title"


def _title_text(title: str) -> str:
    """The title as written: reading decodes HTML entities in titles (clippers leave
    `&quot;` in them), so a title whose text looks like an entity is written escaped."""
    return html.escape(title, quote=False) if html.unescape(title) != title else title


def _summary(article: VaultArticle, layout: Layout, changes: _Changes) -> Piece:
    if not changes.summary:
        return layout.raw.get("summary", ""), False, "summary"
    if article.summary.is_empty():
        return "", False, "summary"
    heading = layout.headings.get("summary", "摘要")
    return sections.format_summary(article.summary, heading), True, "summary"


def _tags(article: VaultArticle, layout: Layout, changes: _Changes) -> Piece:
    if not changes.tags and "tags" in layout.raw:
        return layout.raw["tags"], False, "tags"
    tags = [tag for tag in article.tags if not _in_front(tag, layout)] if changes.tags else []
    heading = layout.headings.get("tags", "关联主题")
    if tags:
        return sections.format_tags(tags, heading), True, "tags"
    # A body holding a 关联主题 section of its own needs one after it, even empty: the
    # last such section is the one that lists the tags.
    shadowed = _holds_tags_heading(article.body)
    return (f"## {heading}\n" if shadowed else ""), shadowed, "tags"


def _holds_tags_heading(body: str) -> bool:
    return any(sections.section_kind(heading) == "tags" for heading in sections.headings(body))


def _in_front(tag: VaultTag, layout: Layout) -> bool:
    """Whether a tag is written in the front matter's `tags:` rather than in 关联主题."""
    entries = layout.front_matter.entries if layout.front_matter else []
    if not any(entry.role == "tags" for entry in entries):
        return False
    if "tags" not in layout.slots():
        return True
    return tag.name.casefold() in _folded(layout.baseline.front_tags)


def _front_matter(article: VaultArticle, layout: Layout, changes: _Changes) -> Piece:
    front = layout.front_matter
    added = _added_entries(article, layout, changes)
    if front is None:
        return (_front_text(None, added) if added else ""), bool(added), "front_matter"
    written = [_entry(entry, article, layout, changes) for entry in front.entries]
    changed = bool(added) or any(text is not None for text in written)
    if front.flow and changed:  # keys share lines: rewrite them all
        texts = [_entry(e, article, layout, changes, force=True) or "" for e in front.entries]
        return _front_text(front, [*texts, *added]), False, "front_matter"
    raws = [entry.raw or "" for entry in front.entries]
    texts = [raw if text is None else text for raw, text in zip(raws, written, strict=True)]
    return _front_text(front, [front.prefix, *texts, *added]), False, "front_matter"


def _front_text(front: FrontLayout | None, entries: list[str]) -> str:
    opening, closing = (front.opening, front.closing) if front else ("---\n", "---\n")
    body = "".join(entries)
    if body and not body.endswith("\n"):
        body += "\n"
    return opening + body + closing


def _entry(
    entry: EntryLayout,
    article: VaultArticle,
    layout: Layout,
    changes: _Changes,
    *,
    force: bool = False,
) -> str | None:
    """The entry rewritten for what changed; None when unchanged (unless `force`)."""
    key, role = entry.key, entry.role
    if role == REPEAT:
        return format_entry(key, entry.value) if force else None
    if role == "extra":
        if key not in article.extra:
            return ""
        changed = not _same(article.extra[key], layout.baseline.extra.get(key))
        value = article.extra[key]
    elif role == "title" and layout.title_from == "heading":
        changed, value = False, article.title  # the title lives in the # heading
    elif role == "tags":
        changed = changes.tags
        value = [tag.path or tag.name for tag in article.tags if _in_front(tag, layout)]
    elif role in {"draft", "status"}:
        changed = changes.status
        value = article.status != "published" if role == "draft" else article.status
    else:
        changed, value = changes[role], _value(role, article)
    return format_entry(key, value) if changed or force else None


def _value(role: str, article: VaultArticle) -> Any:
    if role == "title":
        return _title_text(article.title)
    if role == "date":
        date = article.date
        if date is None:
            return ""
        if (date.hour, date.minute, date.second) == (0, 0, 0):
            return date.date()
        if date.second:
            return date.replace(tzinfo=None)  # YAML writes it plain: 2024-05-14 10:30:15
        # isoformat, not strftime: "%Y" writes the year 224 as `224`, a date nobody reads
        return Plain(date.replace(tzinfo=None).isoformat(sep=" ", timespec="minutes"))
    return getattr(article, role)


def _added_entries(article: VaultArticle, layout: Layout, changes: _Changes) -> list[str]:
    entries = layout.front_matter.entries if layout.front_matter else []
    roles = {entry.role for entry in entries}
    # English role keys (`date`, `author`) mean an English vault; `title`, `tags` are shared.
    english = any(ROLE_KEYS.get(e.key.lower()) in ENGLISH_ONLY for e in entries if e.key.isascii())
    keys = ENGLISH_KEYS if english else CHINESE_KEYS
    added = []
    for role in ("title", "date", "author", "source", "url"):
        if role in roles or not changes[role] or not _value(role, article):
            continue
        if role == "title" and layout.title_from == "heading":
            continue
        added.append(format_entry(keys[role], _value(role, article)))
    if changes.status and "status" not in roles:
        # `draft: true` says draft (as vaults write it); other states need `status:`.
        if article.status == "draft" and "draft" not in roles:
            added.append(format_entry(keys["draft"], True))
        elif article.status in {"review", "archived"}:
            added.append(format_entry(keys["status"], article.status))
    written = {entry.key for entry in entries}
    # A key with a role is never written from the other front matter: it would say the
    # article's status or link in place of the article's own.
    extra = {k: v for k, v in article.extra.items() if k not in written and role_of(k) is None}
    added += [format_entry(k, v) for k, v in extra.items()]
    return added


_SLOTS = {
    "front_matter": _front_matter,
    "title": _title,
    "summary": _summary,
    "tags": _tags,
}


# --- assembly -----------------------------------------------------------------------------


def _insert_missing(
    pieces: list[Piece], article: VaultArticle, layout: Layout, changes: _Changes
) -> None:
    """Add the sections the file did not have: 摘要 after the front matter and title,
    the body before 关联主题, 关联主题 at the end."""
    slots = [slot for _, _, slot in pieces]
    if "summary" not in slots and changes.summary and not article.summary.is_empty():
        at = slots.index("title") + 1 if "title" in slots else 1
        pieces.insert(at, (sections.format_summary(article.summary), True, "summary"))
    if "body" not in slots and article.body:
        at = next((i for i, p in enumerate(pieces) if p[2] == "tags"), len(pieces))
        pieces.insert(at, (article.body, True, "body"))
    if "tags" not in slots and (
        changes.tags or (changes.any() and _holds_tags_heading(article.body))
    ):
        pieces.append(_tags(article, layout, changes))


def _join(pieces: list[Piece]) -> str:
    out = ""
    blank_after = False
    for text, pad, _ in pieces:
        if not text:
            continue
        if out and (pad or blank_after):
            newlines = len(out) - len(out.rstrip("\n")) + len(text) - len(text.lstrip("\n"))
            out += "\n" * max(0, 2 - newlines)
        out += text
        blank_after = pad
    if blank_after and not out.endswith("\n"):
        out += "\n"
    return out
