"""How a note was written, so that `dump` gives it back unchanged wherever its values are:
the note's text around its sections, its front matter's entries as written, and the values
as first read. Stored beside the article as JSON (`to_json`, `from_json`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

LAYOUT_VERSION = 1
SLOTS = ("front_matter", "title", "summary", "body", "tags")


@dataclass
class Slot:
    """Where a part of the note goes in its template: one of SLOTS."""

    name: str


@dataclass
class EntryLayout:
    """One front-matter key as written: its role (see meta.ROLE_KEYS, "extra" or "repeat")
    and its lines, or None when it shares a line with others."""

    key: str
    role: str
    raw: str | None
    value: Any = None  # the value of a "repeat" entry, which nobody reads


@dataclass
class FrontLayout:
    opening: str
    prefix: str
    entries: list[EntryLayout]
    closing: str
    flow: bool  # keys share lines (`{title: x, date: y}`): rewritten all at once


@dataclass
class Baseline:
    """The values as first read: what `dump` compares against to tell what changed."""

    title: str | None = None
    date: str | None = None  # ISO 8601
    author: str | None = None
    source: str | None = None
    url: str | None = None
    status: str = "published"
    summary: dict[str, Any] | None = None  # Summary.as_json()
    body: str | None = None  # the body's hash
    tags: list[str] = field(default_factory=list)
    front_tags: list[str] = field(default_factory=list)  # those front matter's `tags:` gave
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Layout:
    template: list[str | Slot]  # the text between the slots, and the slots
    front_matter: FrontLayout | None = None
    title_from: str = "derived"  # "front_matter", "heading" or "derived" (the file name)
    raw: dict[str, str] = field(default_factory=dict)  # each slot but the body as written
    headings: dict[str, str] = field(default_factory=dict)  # each section's heading
    baseline: Baseline = field(default_factory=Baseline)
    version: int = LAYOUT_VERSION

    def slots(self) -> list[str]:
        return [item.name for item in self.template if isinstance(item, Slot)]

    def to_json(self) -> dict[str, Any]:
        front = self.front_matter
        return {
            "template": [t if isinstance(t, str) else {"slot": t.name} for t in self.template],
            "front_matter": _front_json(front) if front else None,
            "title_from": self.title_from,
            "raw": dict(self.raw),
            "headings": dict(self.headings),
            "baseline": asdict(self.baseline),
            "version": self.version,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Layout:
        front = data.get("front_matter")
        if front:
            entries = [EntryLayout(**entry) for entry in front["entries"]]
            front = FrontLayout(**{**front, "entries": entries})
        return cls(
            template=[t if isinstance(t, str) else Slot(t["slot"]) for t in data["template"]],
            front_matter=front,
            title_from=data["title_from"],
            raw=data["raw"],
            headings=data["headings"],
            baseline=Baseline(**data["baseline"]),
            version=data.get("version", LAYOUT_VERSION),
        )


def _front_json(front: FrontLayout) -> dict[str, Any]:
    return {**vars(front), "entries": [_entry_json(entry) for entry in front.entries]}


def _entry_json(entry: EntryLayout) -> dict[str, Any]:
    data = asdict(entry)
    if entry.role != "repeat":
        del data["value"]
    return data
