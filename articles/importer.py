"""Vault notes into articles: `import_vault`.

Repeatable: an article is identified by its original URL (a WeChat link by `__biz`,
`mid`, `idx` and `sn` alone), else by its path relative to the import root. A second run
creates nothing; an unchanged file is skipped on its content hash without being parsed;
an article edited since its last import is never overwritten unless forced. Each file is
imported in its own transaction, and a bad file is reported and passed over.
"""

from __future__ import annotations

import logging
import os
from collections import ChainMap
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import notes, revisions, slugs, vault
from .models import Article, Author, Tag
from .pipeline import Prepared, Workers, prepare

logger = logging.getLogger(__name__)

NOTE_SUFFIXES = {".md", ".markdown", ".txt"}
PARALLEL_FROM = 200  # notes; fewer import faster without starting worker processes


class Verdict(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"
    DUPLICATE = "duplicate"
    FAILED = "failed"


@dataclass(frozen=True)
class FileResult:
    path: str  # the file as the user can find it
    verdict: Verdict
    detail: str = ""  # for failures, the whole `path:line: reason`


@dataclass
class ImportReport:
    results: list[FileResult] = field(default_factory=list)

    def count(self, verdict: Verdict) -> int:
        return sum(result.verdict == verdict for result in self.results)

    def of(self, verdict: Verdict) -> list[FileResult]:
        return [result for result in self.results if result.verdict == verdict]

    def summary(self) -> str:
        counts = [self.count(v) for v in (Verdict.CREATED, Verdict.UPDATED, Verdict.UNCHANGED)]
        counts += [self.count(Verdict.CONFLICT), self.count(Verdict.FAILED)]
        return "{} created, {} updated, {} unchanged, {} conflicts, {} failed".format(*counts)


@dataclass(frozen=True)
class Note:
    """A file to import: where it is, and its path relative to its import root."""

    path: Path
    root: Path
    relative: str


def find_notes(paths: Iterable[Path]) -> tuple[list[Note], list[FileResult]]:
    """The notes under `paths` (files, or folders walked without their hidden folders),
    and a failure for each path that does not exist."""
    notes, missing = [], []
    for path in paths:
        if path.is_file():
            notes.append(Note(path, path.parent, path.name))
        elif path.is_dir():
            notes += [Note(file, path, file.relative_to(path).as_posix()) for file in _walk(path)]
        else:
            missing.append(FileResult(str(path), Verdict.FAILED, f"{path}: no such file or folder"))
    return notes, missing


def _walk(folder: Path) -> list[Path]:
    found = []
    for directory, folders, files in os.walk(folder):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        found += [
            Path(directory) / name
            for name in sorted(files)
            if not name.startswith(".") and Path(name).suffix.lower() in NOTE_SUFFIXES
        ]
    return found


def import_vault(
    paths: Sequence[Path],
    *,
    dry_run: bool = False,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
    processes: int | None = None,
) -> ImportReport:
    """Import the notes under `paths`; one verdict per file. `dry_run` writes nothing;
    `force` overwrites articles edited since their last import. `processes` parse and
    render in parallel (default: one per core, for imports large enough to gain)."""
    notes, failures = find_notes(paths)
    report = ImportReport(failures)
    run = _Run(dry_run=dry_run, force=force)
    if processes is None:
        processes = (os.cpu_count() or 1) if len(notes) >= PARALLEL_FROM else 1
    with Workers(processes) as workers:
        for done, (read, prepared) in enumerate(workers.map(map(run.read, notes)), start=1):
            report.results.append(run.import_note(read, prepared))
            if progress:
                progress(done, len(notes))
    return report


@dataclass
class _Read:
    """A note's file as read: its text and content hash, or why it could not be read."""

    note: Note
    shown: str  # the path as the user named it
    text: str = ""
    digest: str = ""
    error: str = ""


@dataclass
class _Known:
    """What the run needs to know of an article already imported."""

    pk: int
    key: str
    path: str
    hash: str
    published_at: datetime


class _Run:
    def __init__(self, *, dry_run: bool, force: bool) -> None:
        self.dry_run, self.force = dry_run, force
        self.tz = timezone.get_default_timezone()
        self.max_bytes = settings.FOLIO_MAX_NOTE_BYTES
        fields = ("pk", "source_key", "source_path", "source_hash", "published_at")
        rows = Article.objects.exclude(source_key="").values_list(*fields)
        self.known = {row[1]: _Known(*row) for row in rows.iterator(chunk_size=2000)}
        self.by_path = {known.path: known for known in self.known.values()}
        self.by_hash = {known.hash: known for known in self.known.values()}
        self.authors = {author.name: author for author in Author.objects.all()}
        self.tags = {tag.name.casefold(): tag for tag in Tag.objects.all()}
        self.slugs = set(Article.objects.values_list("slug", flat=True))
        self.claimed: dict[str, str] = {}  # key -> the file that stands for it in this run
        # What the file being imported added, for the run to know once it commits.
        self._saved: tuple[Article, _Known | None] | None = None
        self._new_tags: dict[str, Tag] = {}
        self._new_authors: dict[str, Author] = {}

    def read(self, note: Note) -> tuple[_Read, tuple | None]:
        """Read a note's file; with the arguments for `prepare` unless it looks unchanged
        (same path, same hash), which `import_note` then confirms without parsing."""
        shown = str(note.path)
        try:
            text = vault.decode(note.path.read_bytes(), path=shown, max_bytes=self.max_bytes)
            read = _Read(note, shown, text, vault.text_hash(text))
            same_path = self.by_path.get(note.relative)
            if same_path and same_path.hash == read.digest:
                return read, None
            return read, (text, shown, self.tz, self._default_date(note))
        except vault.VaultError as error:
            return _Read(note, shown, error=str(error)), None
        except OSError as error:
            return _Read(note, shown, error=f"{shown}: cannot read ({error.strerror})"), None

    def _default_date(self, note: Note) -> datetime:
        """The date of a note that has none: its article's, else the file's."""
        same_path = self.by_path.get(note.relative)
        if same_path:
            return same_path.published_at
        return datetime.fromtimestamp(note.path.stat().st_mtime, tz=self.tz).replace(microsecond=0)

    def import_note(self, read: _Read, prepared: Callable[[], Prepared] | None) -> FileResult:
        """Import one note read by `read`, in its own transaction."""
        if read.error:
            return FileResult(read.shown, Verdict.FAILED, read.error)
        self._saved, self._new_tags, self._new_authors = None, {}, {}
        try:
            with transaction.atomic():
                result = self._import(read, prepared)
                if self.dry_run:
                    transaction.set_rollback(True)
        except vault.VaultError as error:
            return FileResult(read.shown, Verdict.FAILED, str(error))
        except Exception as error:
            logger.debug("importing %s", read.shown, exc_info=True)
            detail = f"{read.shown}: not imported ({type(error).__name__}: {error})"
            return FileResult(read.shown, Verdict.FAILED, detail)
        if self._saved and not self.dry_run:
            self._remember(*self._saved)
        return result

    def _import(self, read: _Read, prepared: Callable[[], Prepared] | None) -> FileResult:
        note, shown, digest = read.note, read.shown, read.digest
        same_path = self.by_path.get(note.relative)
        if same_path and same_path.hash == digest and same_path.key not in self.claimed:
            self.claimed[same_path.key] = shown
            return FileResult(shown, Verdict.UNCHANGED)
        if prepared is None:
            work = prepare(read.text, shown, self.tz, self._default_date(note))
        else:
            work = prepared()
        if work.error:
            raise work.error
        parsed = work.note
        key = vault.source_key(parsed.url, note.relative)
        known = self.known.get(key) or self._replaced_identity(note, parsed, digest)
        duplicate_of = self._duplicate_of(note, key, known)
        if duplicate_of:
            return FileResult(shown, Verdict.DUPLICATE, f"the same article as {duplicate_of}")
        self.claimed[key] = shown
        if known is None:
            article = self._save(Article(), work, key=key, note=note, digest=digest)
            return self._done(shown, Verdict.CREATED, article)
        return self._update(read, known, work, key)

    def _update(self, read: _Read, known: _Known, work: Prepared, key: str) -> FileResult:
        """A note of an article imported before: moved, in sync, edited, or changed."""
        note, shown, digest = read.note, read.shown, read.digest
        article = Article.objects.select_related("author").get(pk=known.pk)
        current = notes.note_hash(article)
        if digest in (known.hash, current):  # the file moved, or is the article's own export
            article.source_path, article.source_key = note.relative, key
            article.source_hash = digest
            if digest == current:
                article.synced_hash = digest
            fields = ("source_path", "source_key", "source_hash", "synced_hash")
            article.save(update_fields=fields)
            return self._done(shown, Verdict.UNCHANGED, article, forget=known)
        if current != article.synced_hash and not self.force:
            detail = "edited since its last import; the edit is kept (--force overwrites it)"
            return FileResult(shown, Verdict.CONFLICT, detail)
        article = self._save(article, work, key=key, note=note, digest=digest)
        return self._done(shown, Verdict.UPDATED, article, forget=known)

    def _replaced_identity(
        self, note: Note, parsed: vault.VaultArticle, digest: str
    ) -> _Known | None:
        """The article this file stood for under another key: the file gained a URL; a
        note without one moved (the same text, its old file gone); or the note is the
        export of an article written in Folio (`<slug>.md`)."""
        same_path = self.by_path.get(note.relative)
        if same_path and same_path.key == vault.source_key("", note.relative):
            return same_path
        if vault.canonical_url(parsed.url):
            return None
        moved = self.by_hash.get(digest)
        if moved and moved.key == vault.source_key("", moved.path):
            return None if (note.root / moved.path).is_file() else moved
        path = PurePosixPath(note.relative)
        if len(path.parts) == 1 and path.suffix == ".md":
            unsourced = Article.objects.filter(source_key="", slug=path.stem)
            pk_date = unsourced.values_list("pk", "published_at").first()
            return _Known(pk_date[0], "", "", "", pk_date[1]) if pk_date else None
        return None

    def _duplicate_of(self, note: Note, key: str, known: _Known | None) -> str | None:
        if key in self.claimed:
            return self.claimed[key]
        if known and known.path != note.relative and (note.root / known.path).is_file():
            return str(note.root / known.path)
        return None

    def _save(
        self, article: Article, work: Prepared, *, key: str, note: Note, digest: str
    ) -> Article:
        parsed = work.note
        if not article.slug:
            # The run knows every slug: no query per article (a clash with an editor's
            # article saved meanwhile fails this file, and the next run imports it).
            article.slug = slugs.numbered(work.slug or "article", self.slugs)
        new = article.pk is None
        summary_before = None if new else notes.to_vault(article).summary
        author = self._author(parsed.author)
        items = notes.apply(article, parsed, author=author, html=work.html, minutes=work.minutes)
        tags = notes.find_tags(parsed.tags, ChainMap(self._new_tags, self.tags))
        if summary_before != parsed.summary:  # a new machine summary wants a new review
            article.summary_reviewed_at = article.summary_reviewed_by = None
        article.vault_layout = parsed.layout
        article.source_key, article.source_path, article.source_hash = key, note.relative, digest
        text = notes.note_text(article, tags=tags, items=items)
        article.synced_hash = vault.text_hash(text)
        article.save()
        notes.save_related(article, items, tags, new=new)
        comment = _("Imported from %s") % note.relative
        revisions.record(
            article, user=None, comment=comment, note=text, first=new, document=work.document
        )
        return article

    def _done(
        self, shown: str, verdict: Verdict, article: Article, forget: _Known | None = None
    ) -> FileResult:
        self._saved = (article, forget)
        moved = forget and forget.path and forget.path != article.source_path
        return FileResult(shown, verdict, f"moved from {forget.path}" if moved else "")

    def _remember(self, article: Article, forget: _Known | None) -> None:
        """Let the rest of the run know what this file's transaction committed."""
        if forget:
            self.known.pop(forget.key, None)
            self.by_path.pop(forget.path, None)
            self.by_hash.pop(forget.hash, None)
        known = _Known(
            article.pk,
            article.source_key,
            article.source_path,
            article.source_hash,
            article.published_at,
        )
        self.known[known.key] = self.by_path[known.path] = self.by_hash[known.hash] = known
        self.slugs.add(article.slug)
        self.tags.update(self._new_tags)
        self.authors.update(self._new_authors)

    def _author(self, name: str) -> Author | None:
        if not name:
            return None
        author = self.authors.get(name) or self._new_authors.get(name)
        if author is None:
            author, _ = Author.objects.get_or_create(name=name)
            self._new_authors[name] = author
        return author
