"""Articles back to vault notes: the importer's round-trip partner."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.db import transaction
from django.db.models import Prefetch, QuerySet

from . import vault
from .images import store
from .models import Article, RemoteImage, SyncedFile, TaggedArticle
from .notes import note_text

IMAGES_FOLDER = "_images"  # at the vault's root, where an offline export keeps images


@dataclass
class ExportReport:
    written: list[Path] = field(default_factory=list)
    failed: list[vault.VaultError] = field(default_factory=list)


def export_articles(
    directory: Path,
    articles: QuerySet[Article] | None = None,
    *,
    agree: bool = True,
    images: bool = False,
) -> ExportReport:
    """Write each article as a note under `directory`, at its vault path where it has one
    (so the export is a vault again), else at `<slug>.md`; never through a link, never
    outside `directory`, never over a file changed since it was last imported or exported
    or one Folio never wrote. Each file written is an agreement with its article (unless
    not to `agree`: a backup's copy): edited and imported again, it updates the article.
    With `images`, an offline copy: each archived image written once under `_images/`
    and linked relatively from the notes (no agreement: the links are not the source's)."""
    agree = agree and not images
    articles = (articles if articles is not None else Article.objects.all()).order_by("pk")
    in_order = TaggedArticle.objects.select_related("tag").order_by("pk")
    articles = articles.select_related("author").prefetch_related(
        Prefetch("tagged_items", queryset=in_order), "summary_items"
    )
    report, taken, agreements, written_images = ExportReport(), set(), [], set()
    agreed = dict(SyncedFile.objects.exclude(path="").values_list("path", "file_hash"))
    root = os.path.realpath(directory)
    for article in articles.iterator(chunk_size=500):
        relative = _note_path(article, taken)
        taken.add(relative)
        text = note_text(article, tags=[tagged.tag for tagged in article.tagged_items.all()])
        if images:
            text = _offline(text, article, directory, relative, written_images)
        digest = vault.text_hash(text)
        known = agreed.get(os.path.join(root, *PurePosixPath(relative).parts))
        try:
            keep = functools.partial(_why_kept, digest=digest, agreed=known)
            real = vault.files.write(directory, relative, text, keep=keep)
        except vault.VaultError as error:
            report.failed.append(error)
            continue
        report.written.append(directory / relative)
        agreements.append(_agreement(article, real, relative, digest))
    if agree:
        _record(agreements)
    return report


def _offline(text: str, article: Article, directory: Path, note: str, written: set[str]) -> str:
    """`text` linking to copies of the article's archived images written under
    `directory`/_images/ (each once a run), relatively from the note at `note`."""
    rows = RemoteImage.objects.filter(articles=article, status=RemoteImage.Status.ARCHIVED)
    folder = PurePosixPath(note).parent
    for row in rows.select_related("image"):
        name = f"{IMAGES_FOLDER}/{PurePosixPath(row.image.name).name}"
        if name not in written:
            target = Path(os.path.realpath(directory)) / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with store.storage().open(row.image.name) as source:
                target.write_bytes(source.read())
            written.add(name)
        link = os.path.relpath(name, folder).replace(os.sep, "/")
        text = text.replace(f"]({row.url})", f"]({link})")
    return text


def _why_kept(existing: bytes, *, digest: str, agreed: str | None) -> str:
    """Why a file in the way must not be overwritten ("" when it may): it changed since
    it was last imported or exported (`agreed`: its content then), or Folio never saw it.
    A file that already says what is to be written may be."""
    try:
        current = vault.text_hash(vault.decode(existing, path=""))
    except vault.VaultError:
        current = None
    if current == digest:
        return ""
    if agreed is None:
        return "a file Folio did not write is in the way; move it away"
    if current != agreed:
        return "changed since it was last imported or exported; import it first, or move it away"
    return ""


def _note_path(article: Article, taken: set[str]) -> str:
    path = PurePosixPath(article.source_path)
    safe = article.source_path and not path.is_absolute() and ".." not in path.parts
    relative = article.source_path if safe else f"{article.slug}.md"
    number = 0
    while relative in taken:  # two articles at one path: the second beside the first
        number += 1
        name = f"{article.slug}-{article.pk}" + (f"-{number}" if number > 1 else "") + ".md"
        relative = str(PurePosixPath(relative).with_name(name))
    return relative


def _agreement(article: Article, path: str, relative: str, digest: str) -> SyncedFile:
    return SyncedFile(
        article=article,
        path=path,
        location=SyncedFile.location_of(path),
        relative=relative,
        file_hash=digest,
        note_hash=digest,
        version=article.version,
    )


@transaction.atomic
def _record(agreements: list[SyncedFile]) -> None:
    SyncedFile.objects.bulk_create(
        agreements,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["location"],
        update_fields=[
            *("article", "path", "relative", "file_hash", "note_hash", "version", "synced_at")
        ],
    )
