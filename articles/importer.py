"""Vault notes into articles: `import_vault`.

Repeatable: an article is identified by its original URL (see `vault.source_key`), else
by its path relative to the folder imported. A second run creates nothing; a file
unchanged since it and its article last agreed is passed over without being parsed.

Whether a file may overwrite its article is asked of their last agreement (a SyncedFile:
the file's content and the article's note when an import or an export last made them
one), per file: only the file changed, it updates the article; only the article, the
edit is kept (and said); both, a conflict, unless forced. Importing another file (an
export) makes its own agreement and leaves this one's alone.

Each file is imported in its own transaction, and a bad file is reported and passed
over. A file that clashes with what another import or an editor saved meanwhile is tried
once more, knowing what they saved.
"""

from __future__ import annotations

import logging
import os
from collections import ChainMap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import PurePosixPath

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import changes, notes, slugs, vault
from .models import Article, Author, SyncedFile, Tag
from .pipeline import Prepared, Workers, prepare
from .vault import files
from .vault.files import NoteFile

logger = logging.getLogger(__name__)

PARALLEL_FROM = 200  # notes; fewer import faster without starting worker processes
EDIT_KEPT = "edited in Folio since this file was last imported; the edit is kept"
BOTH_CHANGED = "edited since its last import; the edit is kept (--force overwrites it)"
NEVER_AGREED = (
    "differs from its article, which was not imported from this file; the article is "
    "kept (--force overwrites it)"
)


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
    skipped: list[str] = field(default_factory=list)  # folders not walked, and why

    def count(self, verdict: Verdict) -> int:
        return sum(result.verdict == verdict for result in self.results)

    def of(self, verdict: Verdict) -> list[FileResult]:
        return [result for result in self.results if result.verdict == verdict]

    def summary(self) -> str:
        counts = [self.count(v) for v in (Verdict.CREATED, Verdict.UPDATED, Verdict.UNCHANGED)]
        counts += [self.count(Verdict.CONFLICT), self.count(Verdict.FAILED)]
        return "{} created, {} updated, {} unchanged, {} conflicts, {} failed".format(*counts)


def import_vault(
    paths: Sequence[os.PathLike],
    *,
    dry_run: bool = False,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
    processes: int | None = None,
) -> ImportReport:
    """Import the notes under `paths`; one verdict per file. `dry_run` writes nothing;
    `force` overwrites articles edited since they and the file last agreed. `processes`
    parse and render in parallel (default: one per core, for imports large enough)."""
    found = files.find(paths)
    report = ImportReport(
        [FileResult(e.path, Verdict.FAILED, str(e)) for e in found.refused], found.skipped
    )
    run = _Run(dry_run=dry_run, force=force)
    if processes is None:
        processes = (os.cpu_count() or 1) if len(found.notes) >= PARALLEL_FROM else 1
    with Workers(processes) as workers:
        for done, (read, prepared) in enumerate(workers.map(map(run.read, found.notes)), 1):
            report.results.append(run.import_note(read, prepared))
            if progress:
                progress(done, len(found.notes))
    return report


# --- what the run knows of the database --------------------------------------------------


@dataclass
class _Known:
    """What the run needs to know of an article already imported."""

    pk: int
    key: str
    path: str
    version: int
    published_at: datetime


@dataclass
class _Agreement:
    """A SyncedFile, as the run knows it."""

    article: int
    path: str
    relative: str
    file_hash: str
    note_hash: str
    version: int


@dataclass
class _Learned:
    """What a file's transaction committed, for the rest of the run to know."""

    article: _Known
    slug: str
    agreement: _Agreement | None = None
    tags: list[Tag] = field(default_factory=list)
    author: Author | None = None
    forget_key: str = ""


class _Knowledge:
    """The articles, agreements, slugs, tags and authors, loaded once for the whole run
    and kept up to date by it (so that a note costs no lookup), refreshed where another
    import or an editor saved something meanwhile."""

    def __init__(self) -> None:
        self.articles: dict[int, _Known] = {}
        self.by_key: dict[str, int] = {}
        self.agreements: dict[str, _Agreement] = {}  # by file path
        self.by_file_hash: dict[str, list[_Agreement]] = {}
        self.legacy: dict[tuple[int, str], _Agreement] = {}  # by (article, vault path)
        fields = ("pk", "source_key", "source_path", "version", "published_at")
        for row in Article.objects.values_list(*fields).iterator(2000):
            self._know(_Known(*row))
        self._agree(SyncedFile.objects.all())
        self.slugs = set(Article.objects.values_list("slug", flat=True))
        self.tags = {tag.name.casefold(): tag for tag in Tag.objects.all()}
        self.authors = {author.name: author for author in Author.objects.all()}

    def _know(self, known: _Known) -> None:
        self.articles[known.pk] = known
        if known.key:  # articles written in Folio have none until a file stands for them
            self.by_key[known.key] = known.pk

    def _agree(self, rows) -> None:
        fields = ("article_id", "path", "relative", "file_hash", "note_hash", "version")
        for row in rows.values_list(*fields).iterator(2000):
            self._add(_Agreement(*row))

    def _add(self, agreement: _Agreement) -> None:
        if agreement.path:
            self.agreements[agreement.path] = agreement
        else:
            self.legacy[(agreement.article, agreement.relative)] = agreement
        self.by_file_hash.setdefault(agreement.file_hash, []).append(agreement)

    def learn(self, learned: _Learned) -> None:
        if learned.forget_key:
            self.by_key.pop(learned.forget_key, None)
        self._know(learned.article)
        if learned.agreement:
            self.legacy.pop((learned.article.pk, learned.agreement.relative), None)
            self._add(learned.agreement)
        self.slugs.add(learned.slug)
        self.tags.update((tag.name.casefold(), tag) for tag in learned.tags)
        if learned.author:
            self.authors[learned.author.name] = learned.author

    def refresh(self, note: vault.VaultArticle, key: str, path: str) -> None:
        """Learn what was saved meanwhile that this note's import clashed with."""
        fields = ("pk", "source_key", "source_path", "version", "published_at")
        for row in Article.objects.filter(source_key=key).values_list(*fields):
            self._know(_Known(*row))
        self._agree(SyncedFile.objects.filter(location=SyncedFile.location_of(path)))
        base = slugs.slugify(note.title) or "article"
        self.slugs |= set(
            Article.objects.filter(slug__startswith=base).values_list("slug", flat=True)
        )
        for tag in note.tags:
            found = Tag.objects.filter(name__iexact=tag.name).first()
            if found:
                self.tags[tag.name.casefold()] = found


# --- one run --------------------------------------------------------------------------------


@dataclass
class _Read:
    """A note's file as read: its text and content hash, or why it could not be read."""

    note: NoteFile
    text: str = ""
    digest: str = ""
    error: str = ""

    @property
    def shown(self) -> str:
        return str(self.note.path)


class _Run:
    def __init__(self, *, dry_run: bool, force: bool) -> None:
        self.dry_run, self.force = dry_run, force
        self.tz = timezone.get_default_timezone()
        self.max_bytes = settings.FOLIO_MAX_NOTE_BYTES
        self.seen = _Knowledge()
        self.claimed: dict[str, str] = {}  # key -> the file that stands for it in this run

    def read(self, note: NoteFile) -> tuple[_Read, tuple | None]:
        """Read a note's file; with the arguments for `prepare`, unless the file is as it
        was when it and its article last agreed (then it needs no parsing)."""
        try:
            data = files.read(note, max_bytes=self.max_bytes)
            text = vault.decode(data, path=str(note.path), max_bytes=self.max_bytes)
        except vault.VaultError as error:
            return _Read(note, error=str(error)), None
        read = _Read(note, text, vault.text_hash(text))
        if self._agreed(read):
            return read, None
        return read, (text, read.shown, self.tz, self._default_date(note))

    def _agreed(self, read: _Read) -> _Agreement | None:
        """The agreement with this file, if the file has not changed since (and its
        article knows it stands for it)."""
        agreement = self.seen.agreements.get(read.note.real)
        if agreement and agreement.file_hash == read.digest:
            known = self.seen.articles.get(agreement.article)
            return agreement if known and known.key else None
        return None

    def _default_date(self, note: NoteFile) -> datetime:
        """The date of a note that has none: its article's, else the file's."""
        agreement = self.seen.agreements.get(note.real)
        known = self.seen.articles.get(agreement.article) if agreement else None
        if known:
            return known.published_at
        return datetime.fromtimestamp(note.path.stat().st_mtime, tz=self.tz).replace(microsecond=0)

    def import_note(self, read: _Read, prepared: Callable[[], Prepared] | None) -> FileResult:
        """Import one note read by `read`, in its own transaction."""
        if read.error:
            return FileResult(read.shown, Verdict.FAILED, read.error)
        agreed = self._agreed(read)
        if agreed and self.seen.articles[agreed.article].key not in self.claimed:
            self.claimed[self.seen.articles[agreed.article].key] = read.shown
            return self._unchanged(read, agreed)
        # (A file read as unchanged may stand for an article another file claimed first.)
        work = prepared() if prepared else self._prepare(read)
        if work.error:
            return FileResult(read.shown, Verdict.FAILED, str(work.error))
        key = vault.source_key(work.note.url, read.note.relative)
        for attempt in (1, 2):
            try:
                with transaction.atomic():
                    result, learned = self._import(read, work, key)
                    if self.dry_run:
                        transaction.set_rollback(True)
            except IntegrityError as error:
                if attempt == 1:  # another import or an editor saved this key, slug or tag
                    self.seen.refresh(work.note, key, read.note.real)
                    continue
                return self._failed(read, error)
            except Exception as error:
                return self._failed(read, error)
            break
        if result.verdict not in (Verdict.FAILED, Verdict.DUPLICATE):
            self.claimed[key] = read.shown
        if learned and not self.dry_run:
            self.seen.learn(learned)
        return result

    def _prepare(self, read: _Read) -> Prepared:
        return prepare(read.text, read.shown, self.tz, self._default_date(read.note))

    def _failed(self, read: _Read, error: Exception) -> FileResult:
        if isinstance(error, vault.VaultError):
            return FileResult(read.shown, Verdict.FAILED, str(error))
        logger.debug("importing %s", read.shown, exc_info=True)
        detail = f"{read.shown}: not imported ({type(error).__name__}: {error})"
        return FileResult(read.shown, Verdict.FAILED, detail)

    def _import(self, read: _Read, work: Prepared, key: str) -> tuple[FileResult, _Learned | None]:
        known = self._article_for(key, read, work.note)
        duplicate_of = self._duplicate_of(read.note, key, known)
        if duplicate_of:
            detail = f"the same article as {duplicate_of}"
            return FileResult(read.shown, Verdict.DUPLICATE, detail), None
        if known is None:
            return self._create(read, work, key)
        return self._update(read, known, work, key)

    def _unchanged(self, read: _Read, agreed: _Agreement) -> FileResult:
        """A file as it was when it and its article agreed: say whether the article was
        edited since (its version tells which might have been; its note, which were)."""
        if self.seen.articles[agreed.article].version == agreed.version:
            return FileResult(read.shown, Verdict.UNCHANGED)
        article = Article.objects.select_related("author").get(pk=agreed.article)
        edited = notes.note_hash(article) != agreed.note_hash
        return FileResult(read.shown, Verdict.UNCHANGED, EDIT_KEPT if edited else "")

    def _article_for(self, key: str, read: _Read, note: vault.VaultArticle) -> _Known | None:
        """The article this note stands for: the one with its key; else the one this file
        stood for when it had no URL (it gained one), the same text moved from a file now
        gone (a note without URL), or an article written in Folio (its export,
        `<slug>.md`)."""
        pk = self.seen.by_key.get(key)
        if pk is not None:
            return self.seen.articles[pk]
        here = self.seen.agreements.get(read.note.real)
        if here and self._is_path_keyed(here.article):
            return self.seen.articles[here.article]
        if vault.canonical_url(note.url):
            return None
        for agreement in self.seen.by_file_hash.get(read.digest, []):
            gone = agreement.path or str(read.note.root / agreement.relative)
            if self._is_path_keyed(agreement.article) and not os.path.lexists(gone):
                return self.seen.articles[agreement.article]
        return self._unsourced(read.note)

    def _is_path_keyed(self, pk: int) -> bool:
        """Whether the article is named by no URL (by its path, or not yet at all)."""
        known = self.seen.articles.get(pk)
        return bool(known) and known.key in ("", vault.source_key("", known.path))

    def _unsourced(self, note: NoteFile) -> _Known | None:
        path = PurePosixPath(note.relative)
        if len(path.parts) != 1 or path.suffix != ".md":
            return None
        unsourced = Article.objects.filter(source_key="", slug=path.stem)
        row = unsourced.values_list("pk", "version", "published_at").first()
        return _Known(row[0], "", "", row[1], row[2]) if row else None

    def _duplicate_of(self, note: NoteFile, key: str, known: _Known | None) -> str | None:
        if key in self.claimed:
            return self.claimed[key]
        if known and known.path and known.path != note.relative:
            home = note.root / known.path
            if home.is_file() and not home.is_symlink():
                return str(home)
        return None

    # --- writing

    def _create(self, read: _Read, work: Prepared, key: str) -> tuple[FileResult, _Learned]:
        article = Article(slug=slugs.numbered(work.slug or "article", self.seen.slugs))
        learned = self._save(article, read, work, key=key, new=True)
        return FileResult(read.shown, Verdict.CREATED), learned

    def _update(
        self, read: _Read, known: _Known, work: Prepared, key: str
    ) -> tuple[FileResult, _Learned | None]:
        """A note of an article imported before: in step, moved, edited, or changed."""
        rows = Article.objects.select_related("author").select_for_update(of=("self",))
        article = rows.get(pk=known.pk)
        current = notes.note_hash(article)
        moved = known.path != read.note.relative
        detail = f"moved from {known.path}" if moved and known.path else ""
        if read.digest == current:  # in step: the file moved, or is the article's export
            learned = self._in_step(article, read, key, current, forget=known.key)
            return FileResult(read.shown, Verdict.UNCHANGED, detail), learned
        base = self._base(article.pk, read)
        if base is None and not self.force:
            return FileResult(read.shown, Verdict.CONFLICT, NEVER_AGREED), None
        file_changed = base is None or read.digest != base.file_hash
        edited = base is not None and current != base.note_hash
        if not file_changed:
            learned = None if edited else self._in_step(article, read, key, current, known.key)
            return FileResult(
                read.shown, Verdict.UNCHANGED, EDIT_KEPT if edited else detail
            ), learned
        if edited and not self.force:
            return FileResult(read.shown, Verdict.CONFLICT, BOTH_CHANGED), None
        learned = self._save(article, read, work, key=key, new=False)
        learned.forget_key = known.key
        return FileResult(read.shown, Verdict.UPDATED, detail), learned

    def _base(self, pk: int, read: _Read) -> _Agreement | None:
        """The last agreement between the article and this file: made with it where it is,
        else with a file of the same content (moved), else with its vault path before
        Folio kept files' paths."""
        here = self.seen.agreements.get(read.note.real)
        if here and here.article == pk:
            return here
        same = [a for a in self.seen.by_file_hash.get(read.digest, []) if a.article == pk]
        return same[0] if same else self.seen.legacy.get((pk, read.note.relative))

    def _in_step(
        self, article: Article, read: _Read, key: str, note_hash: str, forget: str
    ) -> _Learned:
        """Record that the file and the article agree (its vault path and key follow the
        file: bookkeeping, not an edit, so the version stays)."""
        note = read.note
        if (article.source_path, article.source_key) != (note.relative, key):
            Article.objects.filter(pk=article.pk).update(source_path=note.relative, source_key=key)
            article.source_path, article.source_key = note.relative, key
        agreement = self._agreement(article, read, note_hash)
        return _Learned(self._known(article), article.slug, agreement, forget_key=forget)

    def _save(
        self, article: Article, read: _Read, work: Prepared, *, key: str, new: bool
    ) -> _Learned:
        parsed = work.note
        summary_before = None if new else notes.to_vault(article).summary
        author = self._author(parsed.author)
        items = notes.apply(article, parsed, author=author, html=work.html, minutes=work.minutes)
        new_tags: dict[str, Tag] = {}
        tags = notes.find_tags(parsed.tags, ChainMap(new_tags, self.seen.tags))
        if summary_before != parsed.summary:  # a new machine summary wants a new review
            article.summary_reviewed_at = article.summary_reviewed_by = None
        article.vault_layout = parsed.layout
        article.source_key, article.source_path = key, read.note.relative
        article.save()
        notes.save_related(article, items, tags, new=new)
        text = notes.note_text(article, tags=tags, items=items)
        comment = _("Imported from %s") % read.note.relative
        changes.saved(
            article, user=None, comment=comment, note=text, first=new, document=work.document
        )
        agreement = self._agreement(article, read, vault.text_hash(text))
        return _Learned(
            self._known(article), article.slug, agreement, list(new_tags.values()), author
        )

    def _agreement(self, article: Article, read: _Read, note_hash: str) -> _Agreement:
        agreement = _Agreement(
            article.pk, read.note.real, read.note.relative, read.digest, note_hash, article.version
        )
        if (article.pk, agreement.relative) in self.seen.legacy:  # superseded
            SyncedFile.objects.filter(article=article, path="").delete()
        values = {**vars(agreement), "article": article}
        if agreement.path in self.seen.agreements:
            SyncedFile.objects.update_or_create(
                location=SyncedFile.location_of(agreement.path), defaults=values
            )
        else:
            SyncedFile.objects.create(**values)
        return agreement

    def _known(self, article: Article) -> _Known:
        return _Known(
            article.pk,
            article.source_key,
            article.source_path,
            article.version,
            article.published_at,
        )

    def _author(self, name: str) -> Author | None:
        if not name:
            return None
        author = self.seen.authors.get(name)
        if author is None:
            author, _ = Author.objects.get_or_create(name=name)
        return author
