"""The values a vault note is read into, and the one error reading can raise."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .layout import Layout

STATUSES = ("draft", "review", "published", "archived")


class VaultError(Exception):
    """A note that cannot be read: names the file, the line where known, and why."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        super().__init__(path, line, message)
        self.path = path
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


@dataclass
class SummaryItem:
    """One key point or risk: an optional bold label, then its text."""

    label: str
    text: str


@dataclass
class Summary:
    """The 摘要 section: a one-sentence summary, key points and risks."""

    one_sentence: str = ""
    key_points: list[SummaryItem] = field(default_factory=list)
    risks: list[SummaryItem] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.one_sentence or self.key_points or self.risks)

    def as_json(self) -> dict[str, Any]:
        return {
            "one_sentence": self.one_sentence,
            "key_points": [[item.label, item.text] for item in self.key_points],
            "risks": [[item.label, item.text] for item in self.risks],
        }


@dataclass
class VaultTag:
    """A tag: its name (the link's last path segment) and its vault path (`00-元语/AI`)."""

    name: str
    path: str


@dataclass
class VaultArticle:
    """A note as Folio stores it.

    `layout` remembers how the file was written (its raw front-matter entries, the text
    around the sections, and the values as first read) so that `dump` gives the file back
    unchanged wherever the values are unchanged. An article with no layout is dumped in
    the vault's usual shape.
    """

    path: str
    title: str
    date: datetime | None = None
    author: str = ""
    source: str = ""
    url: str = ""
    status: str = "published"  # one of STATUSES
    summary: Summary = field(default_factory=Summary)
    body: str = ""
    tags: list[VaultTag] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    layout: Layout | None = None
    body_line: int = field(default=1, compare=False)  # the file's line the body starts on
