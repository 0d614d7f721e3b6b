"""A note's text to a VaultArticle."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import PurePosixPath
from typing import Any

from . import sections
from .layout import Baseline, EntryLayout, FrontLayout, Layout, Slot
from .meta import REPEAT, Entry, FrontMatter, read_front_matter
from .text import text_hash
from .types import VaultArticle, VaultError, VaultTag

# The columns that must keep a limit: a name unique in an index (an author's), a tag name
# (taggit's column), a link (a URL field). Titles, sources and labels have none.
MAX_LENGTHS = {"author": 500, "url": 2000, "tag": 100}
# How many of a kind a note may hold: more would make its form too long to send back and
# every page that lists it slower, and no article needs them.
MAX_COUNTS = {"tags": 50, "key points": 50, "risks": 50, "other keys": 100}

# Matched against the stripped text, each run of spaces where a part must follow it: runs
# of `\s` side by side (`\s*日?\s+`, `\s*(Z)?\s*`) backtrack in cubic time over spaces.
_DATE = re.compile(
    r"""(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})(?:\s*日)?
    (?:(?:\s+|T)(\d{1,2})[:：](\d{2})(?:[:：](\d{2})(?:[.,]\d+)?)?)?
    (?:\s*(Z|[+-]\d{2}:?\d{2}))?""",
    re.VERBOSE,
)
_TRUE = {"true", "yes", "on", "1"}
# What `status:` may say, and the status it means.
_STATUS_WORDS = {
    "draft": "draft", "草稿": "draft", "unpublished": "draft", "private": "draft",
    "review": "review", "in review": "review", "审核中": "review", "待审核": "review",
    "published": "published", "public": "published", "已发布": "published", "发布": "published",
    "archived": "archived", "归档": "archived", "已归档": "archived",
}  # fmt: skip


def parse_date(text: str, tz: tzinfo) -> datetime | None:
    """A date as vaults write it (`2024-05-14`, `2024-05-14 10:30`, `2024/05/14`,
    `2024年5月14日`, ISO 8601 with an offset) as an aware datetime; None for blank text.
    Dates with no offset are in `tz`. Raises ValueError for anything else."""
    if not text.strip():
        return None
    match = _DATE.fullmatch(text.strip())
    if not match:
        raise ValueError(f"unrecognised date {text.strip()!r}")
    year, month, day, hour, minute, second = (int(g or 0) for g in match.groups()[:6])
    offset = match.group(7)
    try:
        naive = datetime(year, month, day, hour, minute, second)
    except ValueError as exc:
        raise ValueError(f"impossible date {text.strip()!r} ({exc})") from None
    if offset is None:
        aware = naive.replace(tzinfo=tz)
    elif offset == "Z":
        aware = naive.replace(tzinfo=UTC)
    else:
        sign = -1 if offset[0] == "-" else 1
        hours, minutes = int(offset[1:3]), int(offset[-2:])
        aware = naive.replace(tzinfo=timezone(sign * timedelta(hours=hours, minutes=minutes)))
    try:  # databases keep times in UTC: years 1 to 9999 there
        aware.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"date {text.strip()!r} outside years 1 to 9999 in UTC") from None
    return aware


@dataclass
class _Fields:
    title: str = ""
    date: datetime | None = None
    author: str = ""
    source: str = ""
    url: str = ""
    status: str = "published"
    tags: list[tuple[VaultTag, int]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def _front_fields(front: FrontMatter | None, path: str, tz: tzinfo, limits: bool) -> _Fields:
    fields, draft, stated = _Fields(), False, None
    for entry in front.entries if front else ():
        if entry.role == REPEAT:
            continue
        if entry.role == "extra":
            fields.extra[entry.key] = entry.value
            if limits:
                _check_count("other keys", len(fields.extra), path, entry.line)
        elif entry.role == "tags":
            fields.tags += [(tag, entry.line) for tag in _front_tags(entry)]
        elif entry.role == "draft":
            draft = draft or entry.value is True or str(entry.value).strip().lower() in _TRUE
        elif entry.role == "status":
            stated = stated or _STATUS_WORDS.get(str(entry.value).strip().lower())
        else:
            _set_scalar(fields, entry, path, tz)
    # `status:` says most; else `draft: true` makes a draft; else the note is published.
    fields.status = stated or ("draft" if draft else "published")
    return fields


def _set_scalar(fields: _Fields, entry: Entry, path: str, tz: tzinfo) -> None:
    if entry.scalar is None:
        raise VaultError(path, entry.line, f"`{entry.key}` must be a single value, not a list")
    if entry.role == "date":
        try:
            fields.date = parse_date(entry.scalar, tz)
        except ValueError as exc:
            raise VaultError(
                path, entry.line, f"{exc}; write dates as 2024-05-14 or 2024-05-14 10:30"
            ) from None
        return
    value = entry.scalar.strip()
    if entry.role == "title":
        value = html.unescape(value)
    _check_length(entry.role, value, path, entry.line)
    setattr(fields, entry.role, value)


def _check_count(kind: str, count: int, path: str, line: int | None) -> None:
    if count > MAX_COUNTS[kind]:
        raise VaultError(path, line, f"more than {MAX_COUNTS[kind]} {kind}, the limit")


def _check_length(role: str, value: str, path: str, line: int | None) -> None:
    limit = MAX_LENGTHS.get(role)
    if limit is not None and len(value) > limit:
        shown = value if len(value) <= 40 else value[:40] + "…"
        raise VaultError(
            path,
            line,
            f"{role} is {len(value):,} characters long, over the limit of {limit}: {shown!r}",
        )


def _front_tags(entry: Entry) -> list[VaultTag]:
    """`tags: [AI, 语音]` (one tag an item), or `tags: AI, 语音` / `tags: AI 语音`."""
    value = entry.value
    if isinstance(value, str):
        names = re.split(r"[,，\s]+", value)
    elif isinstance(value, list):
        names = [
            str(item) for item in value if item is not None and not isinstance(item, dict | list)
        ]
    else:
        names = [] if value is None else [str(value)]
    tags = (sections.tag_from_path(name) for name in names)
    return [tag for tag in tags if tag.name]


@dataclass
class _Spans:
    """Where the slots sit in the text after the front matter (start, end offsets)."""

    slots: dict[str, tuple[int, int]] = field(default_factory=dict)
    headings: dict[str, str] = field(default_factory=dict)  # a section's heading as written
    content: dict[str, int] = field(default_factory=dict)  # where a section's lines start
    title: str = ""

    def text(self, rest: str, kind: str) -> str:
        """The lines of section `kind` after its heading."""
        return rest[self.content[kind] : self.slots[kind][1]] if kind in self.slots else ""


def _find_spans(rest: str, *, has_title: bool) -> _Spans:
    found = sections.headings(rest)
    spans = _Spans()
    tops = [h.start for h in found if h.level <= 2] + [len(rest)]

    def section(heading: sections.Heading, kind: str) -> None:
        spans.slots[kind] = (heading.start, min(t for t in tops if t > heading.start))
        spans.headings[kind] = heading.text
        spans.content[kind] = heading.end

    kinds = [(h, sections.section_kind(h)) for h in found]
    body = next((h for h, kind in kinds if kind == "body"), None)
    summaries = [h for h, kind in kinds if kind == "summary" and (not body or h.start < body.start)]
    tags = [h for h, kind in kinds if kind == "tags"]
    if summaries:
        section(summaries[0], "summary")
    if tags:
        section(tags[-1], "tags")
    h1 = next((h for h in found if h.level == 1), None)
    if h1 and not has_title:
        spans.title = html.unescape(h1.name)
        if not rest[: h1.start].strip():
            spans.slots["title"] = (h1.start, h1.end)
    body_span = _body_span(rest, spans.slots, body)
    if body_span[0] < body_span[1]:
        spans.slots["body"] = body_span
    return spans


def _body_span(
    rest: str, slots: dict[str, tuple[int, int]], heading: sections.Heading | None
) -> tuple[int, int]:
    """The body: after 正文 up to the next section; with no 正文, the largest stretch of
    text between the other sections. Its surrounding blank lines stay outside."""
    if heading is not None:
        ends = [start for start, _ in slots.values() if start >= heading.end]
        start, end = heading.end, min(ends, default=len(rest))
    else:
        edges = [0, *(offset for span in sorted(slots.values()) for offset in span), len(rest)]
        gaps = list(zip(edges[::2], edges[1::2], strict=True))
        start, end = max(gaps, key=lambda gap: len(rest[gap[0] : gap[1]].strip()))
    text = rest[start:end]
    lead = len(text) - len(text.lstrip())
    return (start + lead, start + lead + len(text.strip()))


def parse(
    text: str,
    *,
    path: str,
    tz: tzinfo = UTC,
    default_date: datetime | None = None,
    limits: bool = True,
) -> VaultArticle:
    """Read a note (decoded text, see `decode`) into a VaultArticle.

    `path` names the note in errors and gives the title when nothing else does;
    `default_date` is the date of a note that has none; dates without an offset are in
    `tz`. Raises VaultError, naming the line where it can, for anything unreadable, and
    for more of a kind than MAX_COUNTS allows unless `limits` is off (Folio reading its
    own revisions: what it saved, it reads back).
    """
    if not text.strip():
        raise VaultError(path, None, "empty note: nothing to import")
    front = read_front_matter(text, path=path)
    fields = _front_fields(front, path, tz, limits)
    rest_at = front.end if front else 0
    rest = text[rest_at:]
    spans = _find_spans(rest, has_title=bool(fields.title))
    title_from = (
        "front_matter" if fields.title else "heading" if "title" in spans.slots else "derived"
    )
    title = fields.title or spans.title or PurePosixPath(path).stem
    summary = sections.parse_summary(spans.text(rest, "summary"))
    if limits:
        line = text.count("\n", 0, rest_at + spans.slots.get("summary", (0, 0))[0]) + 1
        _check_count("key points", len(summary.key_points), path, line)
        _check_count("risks", len(summary.risks), path, line)
    offset = text.count("\n", 0, rest_at)
    tags = _tags(fields, rest, spans, path, line_offset=offset, limits=limits)
    body_start, body_end = spans.slots.get("body", (0, 0))
    article = VaultArticle(
        path=path,
        title=title,
        date=fields.date or default_date,
        author=fields.author,
        source=fields.source,
        url=fields.url,
        status=fields.status,
        summary=summary,
        body=rest[body_start:body_end],
        tags=tags,
        extra=fields.extra,
        body_line=text.count("\n", 0, rest_at + body_start) + 1,
    )
    article.layout = _layout(article, front, rest, spans, title_from)
    return article


def _tags(
    fields: _Fields, rest: str, spans: _Spans, path: str, *, line_offset: int, limits: bool
) -> list[VaultTag]:
    found = list(fields.tags)
    start = spans.content.get("tags", 0)
    for tag, at in sections.parse_tags(spans.text(rest, "tags")):
        found.append((tag, line_offset + rest.count("\n", 0, start + at) + 1))
    tags, seen = [], set()
    for tag, line in found:
        _check_length("tag", tag.name, path, line)
        if tag.name.casefold() not in seen:
            seen.add(tag.name.casefold())
            tags.append(tag)
            if limits:
                _check_count("tags", len(tags), path, line)
    return tags


def _layout(
    article: VaultArticle, front: FrontMatter | None, rest: str, spans: _Spans, title_from: str
) -> Layout:
    template: list[str | Slot] = []
    raw, position = {}, 0
    for name, (start, end) in sorted(spans.slots.items(), key=lambda item: item[1]):
        if start > position:
            template.append(rest[position:start])
        template.append(Slot(name))
        raw[name] = rest[start:end]
        position = end
    if position < len(rest):
        template.append(rest[position:])
    raw.pop("body", None)
    return Layout(
        template=[Slot("front_matter"), *template],
        front_matter=_front_layout(front),
        title_from=title_from,
        raw=raw,
        headings=spans.headings,
        baseline=_baseline(article, front_tags=_front_tag_names(front)),
    )


def _front_layout(front: FrontMatter | None) -> FrontLayout | None:
    if front is None:
        return None
    entries = [
        # A repeated key is read by nobody and written back as it was.
        EntryLayout(e.key, e.role, e.raw, e.value if e.role == REPEAT else None)
        for e in front.entries
    ]
    return FrontLayout(front.opening, front.prefix, entries, front.closing, front.flow)


def _front_tag_names(front: FrontMatter | None) -> list[str]:
    entries = [e for e in front.entries if e.role == "tags"] if front else []
    return [tag.name for entry in entries for tag in _front_tags(entry)]


def _baseline(article: VaultArticle, *, front_tags: list[str] | None = None) -> Baseline:
    """The values `dump` compares against to tell what changed since the note was read."""
    return Baseline(
        title=article.title,
        date=article.date.isoformat() if article.date else None,
        author=article.author,
        source=article.source,
        url=article.url,
        status=article.status,
        summary=article.summary.as_json(),
        body=text_hash(article.body),
        tags=[tag.name for tag in article.tags],
        front_tags=front_tags or [],
        extra=article.extra,
    )
