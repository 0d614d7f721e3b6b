"""Every save of an article is a revision: who, when, what changed, and the whole article
as its vault note, so that any two can be compared and any one restored."""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import notes, vault
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


# --- side by side: two versions of every field, aligned, the changed words marked --------

# Scripts written without spaces: compared a character at a time.
_CJK = (
    "\u2e80-\u2fdf\u3005-\u3007\u3021-\u3029\u3040-\u30ff\u3100-\u312f\u3130-\u318f"
    "\u31a0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
)
_TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+|\s+|.", re.S)
CONTEXT = 3  # unchanged lines kept on each side of a change
_MOST_PAIRS = 4_000_000  # tokens × tokens beyond which a line is marked whole, not word by word


def tokens(text: str) -> list[str]:
    """`text` cut for comparing within a line: each CJK character alone, each run of other
    letters and digits (a Latin word, a number) whole, each run of spaces whole, and each
    other character (punctuation) alone. Joined, they give `text` back."""
    return _TOKEN.findall(text)


@dataclass
class Part:
    """A piece of a line: `change` is "" (the same on both sides), "del" or "ins"."""

    text: str
    change: str = ""


def word_diff(old: str, new: str) -> tuple[list[Part], list[Part]]:
    """Two versions of a line as pieces, the old one's removed words marked "del" and
    the new one's added words "ins" (CJK compared character by character)."""
    a, b = tokens(old), tokens(new)
    if len(a) * len(b) > _MOST_PAIRS:
        return [Part(old, "del")] if old else [], [Part(new, "ins")] if new else []
    left: list[Part] = []
    right: list[Part] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            _add(left, "".join(a[i1:i2]), "")
            _add(right, "".join(b[j1:j2]), "")
        else:
            _add(left, "".join(a[i1:i2]), "del")
            _add(right, "".join(b[j1:j2]), "ins")
    return left, right


def _add(parts: list[Part], text: str, change: str) -> None:
    if not text:
        return
    if parts and parts[-1].change == change:
        parts[-1].text += text
    else:
        parts.append(Part(text, change))


@dataclass
class Side:
    """One side of a row: the line's number in its field and its pieces."""

    number: int
    parts: list[Part]


@dataclass
class Row:
    """A row of the side-by-side view. `kind`: "same", "changed" (a line facing its new
    version), "removed" (nothing on the right), "added" (nothing on the left), or "fold"
    (`hidden` unchanged lines not shown)."""

    kind: str
    old: Side | None = None
    new: Side | None = None
    hidden: int = 0


@dataclass
class FieldDiff:
    name: str
    label: str
    rows: list[Row]


@dataclass
class Comparison:
    """Every field of two versions: those that differ, row by row, and the labels of
    those that do not."""

    fields: list[FieldDiff]
    unchanged: list[str]


def align(old: list[str], new: list[str], *, context: int = CONTEXT) -> list[Row]:
    """Two versions of a field's lines as rows: changed lines facing each other, added
    and removed ones against nothing, unchanged stretches folded to `context` lines
    either side of a change."""
    rows: list[Row] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            rows += [
                Row("same", Side(i + 1, [Part(old[i])]), Side(j + 1, [Part(new[j])]))
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            ]
            continue
        paired = min(i2 - i1, j2 - j1) if op == "replace" else 0
        for k in range(paired):
            left, right = word_diff(old[i1 + k], new[j1 + k])
            rows.append(Row("changed", Side(i1 + k + 1, left), Side(j1 + k + 1, right)))
        rows += [Row("removed", old=_whole(old, i, "del")) for i in range(i1 + paired, i2)]
        rows += [Row("added", new=_whole(new, j, "ins")) for j in range(j1 + paired, j2)]
    return _fold(rows, context)


def _whole(lines: list[str], i: int, change: str) -> Side:
    return Side(i + 1, [Part(lines[i], change)] if lines[i] else [])


def _fold(rows: list[Row], context: int) -> list[Row]:
    """Each run of unchanged rows longer than its context, folded to one row that says
    how many it hides."""
    out: list[Row] = []
    start = 0
    while start < len(rows):
        if rows[start].kind != "same":
            out.append(rows[start])
            start += 1
            continue
        end = start
        while end < len(rows) and rows[end].kind == "same":
            end += 1
        keep_before = context if start > 0 else 0  # after a change
        keep_after = context if end < len(rows) else 0  # before a change
        hidden = (end - start) - keep_before - keep_after
        if hidden > 1:  # folding one line would hide no more than the fold row shows
            out += rows[start : start + keep_before]
            out.append(Row("fold", hidden=hidden))
            out += rows[end - keep_after : end]
        else:
            out += rows[start:end]
        start = end
    return out


def field_lines(note: str, slug: str) -> dict[str, list[str]]:
    """The fields of a note (and the slug a revision keeps beside it), each as the lines
    it is compared by. A note that cannot be read is compared whole, as its text."""
    try:
        article = vault.parse(
            note, path="revision", tz=timezone.get_default_timezone(), limits=False
        )
    except vault.VaultError:
        return {"note": note.splitlines(), "slug": [slug]}
    summary = article.summary
    date = timezone.localtime(article.date).strftime("%Y-%m-%d %H:%M:%S") if article.date else ""
    return {
        "title": [article.title],
        "status": [str(STATUS_LABELS.get(article.status, article.status))],
        "date": [date],
        "author": [article.author],
        "source": [article.source],
        "url": [article.url],
        "slug": [slug],
        "summary": [summary.one_sentence],
        "key_points": [_item(item) for item in summary.key_points],
        "risks": [_item(item) for item in summary.risks],
        "tags": [tag.name for tag in article.tags],
        "body": article.body.splitlines(),
        "extra": [
            f"{key}: {json.dumps(value, ensure_ascii=False, default=str)}"
            for key, value in article.extra.items()
        ],
    }


def _item(item: vault.SummaryItem) -> str:
    return f"{item.label}：{item.text}" if item.label else item.text


STATUS_LABELS = dict(Article.Status.choices)
FIELD_LABELS = {
    **Revision.LABELS,
    "key_points": _("Key points"),
    "risks": _("Risks and shortcomings"),
    "note": _("the article as a note"),
}


def compare(old_note: str, new_note: str, *, old_slug: str, new_slug: str) -> Comparison:
    """Every field of two versions of an article (as notes), side by side."""
    old, new = field_lines(old_note, old_slug), field_lines(new_note, new_slug)
    fields, unchanged = [], []
    for name in dict.fromkeys([*old, *new]):
        before, after = _blank(old.get(name, [])), _blank(new.get(name, []))
        label = str(FIELD_LABELS.get(name, name))
        if before == after:
            if before:
                unchanged.append(label)
            continue
        fields.append(FieldDiff(name, label, align(before, after)))
    return Comparison(fields, unchanged)


def _blank(lines: list[str]) -> list[str]:
    """A field of one empty line is a field with none."""
    return [] if lines == [""] else lines
