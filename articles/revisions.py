"""Every save of an article is a revision: who, when, what changed, and the whole article
as its vault note, so that any two can be compared and any one restored."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser

from . import notes
from .models import Article, Revision


def record(
    article: Article,
    *,
    user: AbstractBaseUser | None,
    comment: str = "",
    note: str | None = None,
    first: bool = False,
) -> Revision:
    """A new revision of `article` as saved now (see `changes.saved`, the path every
    change takes). `note` spares working it out again; `first` says the article has no
    revision yet."""
    note = notes.note_text(article) if note is None else note
    previous = None if first else article.revisions.order_by("-number").first()
    return Revision.objects.create(
        article=article,
        number=previous.number + 1 if previous else 1,
        user=user if user and user.is_authenticated else None,
        comment=comment,
        changed=_changed(previous, note, article) if previous else [],
        status=article.status,
        slug=article.slug,
        note=note,
    )


def _changed(previous: Revision, note: str, article: Article) -> list[str]:
    changed = notes.changes(previous.note, note) if previous.note != note else []
    if previous.status != article.status and "status" not in changed:
        changed.insert(0, "status")
    return changed + (["slug"] if previous.slug != article.slug else [])


@dataclass
class Line:
    """One line of a diff: "+" added, "-" removed, " " kept, "@" a hunk's heading."""

    mark: str
    text: str


def diff(older: Revision, newer: Revision, *, context: int = 2) -> list[Line]:
    """What changed from `older` to `newer`, line by line, in their notes."""
    lines = difflib.unified_diff(
        older.note.splitlines(), newer.note.splitlines(), lineterm="", n=context
    )
    return [Line(line[:1], line[1:]) for line in list(lines)[2:]]
