"""One import run: each file read, parsed, and weighed against its article and their
last agreement, in a savepoint of its own (in a transaction for its batch)."""

from __future__ import annotations

import logging
import os
from collections import ChainMap
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import changes, notes, publishing, slugs, vault
from ..models import Article, Author, SyncedFile, Tag
from ..pipeline import Prepared, prepare
from ..vault import files
from ..vault.files import NoteFile
from .knowledge import Agreement, Knowledge, Known, Learned
from .report import FileResult, Verdict

logger = logging.getLogger(__name__)

EDIT_KEPT = "edited in Folio since this file was last imported; the edit is kept"
BOTH_CHANGED = "edited since its last import; the edit is kept ({force} overwrites it)"
GONE = "its article was deleted while the import ran; import again to make it anew"
NEVER_AGREED = (
    "differs from its article, which was not imported from this file; the article is "
    "kept ({force} overwrites it)"
)


@dataclass
class Read:
    """A note's file as read: its text and content hash, or why it could not be read."""

    note: NoteFile
    text: str = ""
    digest: str = ""
    error: str = ""

    @property
    def shown(self) -> str:
        return str(self.note.path)


class Run:
    """`user`: who sends the notes (over the API; one allowed to add and change
    articles), with the admin's rules: a note they may not import is refused
    (PermissionDenied, ValidationError), as is what is not the note's fault (the database
    failing), rather than reported as a verdict; the revisions are theirs. `seen`: what the
    run knows to begin with (default: all)."""

    def __init__(
        self,
        *,
        dry_run: bool,
        force: bool,
        user: AbstractBaseUser | None = None,
        seen: Knowledge | None = None,
    ) -> None:
        self.dry_run, self.force, self.user = dry_run, force, user
        self.force_option = "force=true" if user else "--force"  # what says it, to them
        self.tz = timezone.get_default_timezone()
        self.max_bytes = settings.FOLIO_MAX_NOTE_BYTES
        self.seconds = settings.FOLIO_RENDER_SECONDS
        self.seen = Knowledge() if seen is None else seen
        self.claimed: dict[str, str] = {}  # key -> the file that stands for it in this run

    def read(self, note: NoteFile) -> tuple[Read, tuple | None]:
        """Read a note's file; with the arguments for `prepare`, unless the file is as it
        was when it and its article last agreed (then it needs no parsing)."""
        try:
            data = files.read(note, max_bytes=self.max_bytes)
            text = vault.decode(data, path=str(note.path), max_bytes=self.max_bytes)
            read = Read(note, text, vault.text_hash(text))
            if self._agreed(read):
                return read, None
            return read, (text, read.shown, self.tz, self.default_date(note), self.seconds)
        except vault.VaultError as error:
            return Read(note, error=str(error)), None
        except OSError as error:  # gone since it was read
            return Read(note, error=f"{note.path}: cannot read ({error.strerror})"), None

    def _agreed(self, read: Read) -> Agreement | None:
        """The agreement with this file, if the file has not changed since (and its
        article knows it stands for it)."""
        agreement = self.seen.agreements.get(read.note.real)
        if agreement and agreement.file_hash == read.digest:
            known = self.seen.articles.get(agreement.article)
            return agreement if known and known.key else None
        return None

    def default_date(self, note: NoteFile, key: str = "") -> datetime:
        """The date of a note that has none: its article's (the one its file stood for,
        else the one with its `key`, where known), else the file's (a note sent: now)."""
        agreement = self.seen.agreements.get(note.real)
        pk = agreement.article if agreement else self.seen.by_key.get(key)
        known = self.seen.articles.get(pk) if pk is not None else None
        if known:
            return known.published_at
        made = note.path.stat().st_mtime if note.root else timezone.now().timestamp()
        return datetime.fromtimestamp(made, tz=self.tz).replace(microsecond=0)

    def import_batch(
        self, batch: list[tuple[Read, Callable[[], Prepared] | None]]
    ) -> list[FileResult]:
        """Import notes read by `read` in one transaction, each in a savepoint of its own.
        Should the commit fail (a foreign key to a tag or author deleted meanwhile: they
        are checked at commit), import them again, each in its own transaction, knowing
        afresh what is there."""
        claimed = dict(self.claimed)
        try:
            with transaction.atomic():
                return [self.import_note(read, prepared) for read, prepared in batch]
        except IntegrityError:
            logger.debug("a batch of %s files again, one by one", len(batch), exc_info=True)
            self.claimed, self.seen = claimed, Knowledge()
            return [self.import_note(read, prepared) for read, prepared in batch]

    def import_note(self, read: Read, prepared: Callable[[], Prepared] | None) -> FileResult:
        """Import one note read by `read`, in its own transaction (or savepoint)."""
        if read.error:
            return FileResult(read.shown, Verdict.FAILED, read.error)
        agreed = self._agreed(read)
        if agreed and self.seen.articles[agreed.article].key not in self.claimed:
            self.claimed[self.seen.articles[agreed.article].key] = read.shown
            try:
                return self._unchanged(read, agreed)
            except Article.DoesNotExist:  # deleted meanwhile: the next run makes it again
                return FileResult(read.shown, Verdict.FAILED, f"{read.shown}: {GONE}")
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
            except (PermissionDenied, ValidationError):
                raise  # the user may not: theirs to hear, not the file's verdict
            except Exception as error:
                return self._failed(read, error)
            break
        if result.verdict not in (Verdict.FAILED, Verdict.DUPLICATE):
            self.claimed[key] = read.shown
        if learned and not self.dry_run:
            self.seen.learn(learned)
        return result

    def _prepare(self, read: Read) -> Prepared:
        return prepare(read.text, read.shown, self.tz, self.default_date(read.note), self.seconds)

    def _failed(self, read: Read, error: Exception) -> FileResult:
        if isinstance(error, vault.VaultError):
            return FileResult(read.shown, Verdict.FAILED, str(error))
        if self.user is not None:
            raise error  # not the note's fault: a server's error, for its handler
        logger.debug("importing %s", read.shown, exc_info=True)
        detail = f"{read.shown}: not imported ({type(error).__name__}: {error})"
        return FileResult(read.shown, Verdict.FAILED, detail)

    def _import(self, read: Read, work: Prepared, key: str) -> tuple[FileResult, Learned | None]:
        known = self._article_for(key, read, work.note)
        duplicate_of = self._duplicate_of(read.note, key, known)
        if duplicate_of:
            detail = f"the same article as {duplicate_of}"
            article = known.pk if known else None
            return FileResult(read.shown, Verdict.DUPLICATE, detail, article), None
        if known is None:
            return self._create(read, work, key)
        return self._update(read, known, work, key)

    def _unchanged(self, read: Read, agreed: Agreement) -> FileResult:
        """A file as it was when it and its article agreed: say whether the article was
        edited since (its version tells which might have been; its note, which were)."""
        if self.seen.articles[agreed.article].version == agreed.version:
            return FileResult(read.shown, Verdict.UNCHANGED, article=agreed.article)
        article = Article.objects.select_related("author").get(pk=agreed.article)
        edited = notes.note_hash(article) != agreed.note_hash
        detail = EDIT_KEPT if edited else ""
        return FileResult(read.shown, Verdict.UNCHANGED, detail, article.pk)

    def _article_for(self, key: str, read: Read, note: vault.VaultArticle) -> Known | None:
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
        root = read.note.root  # (a note sent: no vault here to say a file is gone)
        for agreement in self.seen.by_file_hash.get(read.digest, []) if root else []:
            on_disk = agreement.path and not agreement.path.startswith(files.SENT)
            gone = agreement.path if on_disk else str(root / agreement.relative)
            if self._is_path_keyed(agreement.article) and not os.path.lexists(gone):
                return self.seen.articles[agreement.article]
        return self._unsourced(read)

    def _is_path_keyed(self, pk: int) -> bool:
        """Whether the article is named by no URL (by its path, or not yet at all)."""
        known = self.seen.articles.get(pk)
        return bool(known) and known.key in ("", vault.source_key("", known.path))

    def _unsourced(self, read: Read) -> Known | None:
        """An article written in Folio whose export this file is, word for word."""
        path = PurePosixPath(read.note.relative)
        if len(path.parts) != 1 or path.suffix != ".md":
            return None
        article = Article.objects.filter(source_key="", slug=path.stem).first()
        if article is None or notes.note_hash(article) != read.digest:
            return None
        return Known(article.pk, "", "", article.version, article.published_at)

    def _duplicate_of(self, note: NoteFile, key: str, known: Known | None) -> str | None:
        """The file that already stands for this note's article: one this run imported,
        or the article's own file, still there and still this article (not a new note
        that took the name of a file renamed)."""
        if key in self.claimed:
            return self.claimed[key]
        if not (known and known.path and known.path != note.relative):
            return None
        if note.root is None:  # a note sent: a vault's file of the article stands for it
            agreed = self.seen.by_article.get(known.pk, [])
            filed = any(
                not a.path.startswith(files.SENT) for a in agreed if a.relative == known.path
            )
            return known.path if filed else None
        home = NoteFile(note.root / known.path, note.root, known.path, "")
        try:
            text = vault.decode(files.read(home, max_bytes=self.max_bytes), path=known.path)
            there = vault.parse(text, path=known.path, tz=self.tz)
        except (vault.VaultError, OSError):
            return None
        return str(home.path) if vault.source_key(there.url, known.path) == key else None

    # --- writing

    def _create(self, read: Read, work: Prepared, key: str) -> tuple[FileResult, Learned]:
        article = Article(slug=slugs.numbered(work.slug or "article", self.seen.slugs))
        self._check(article, work.note)
        learned = self._save(article, read, work, key=key, new=True)
        return FileResult(read.shown, Verdict.CREATED, article=article.pk), learned

    def _update(
        self, read: Read, known: Known, work: Prepared, key: str
    ) -> tuple[FileResult, Learned | None]:
        """A note of an article imported before: in step, moved, edited, or changed."""
        rows = Article.objects.select_related("author").select_for_update(of=("self",))
        article = rows.get(pk=known.pk)
        current = notes.note_hash(article)
        moved = known.path != read.note.relative
        detail = f"moved from {known.path}" if moved and known.path else ""
        if read.digest == current:  # in step: the file moved, or is the article's export
            learned = self._in_step(article, read, key, current, forget=known.key)
            return FileResult(read.shown, Verdict.UNCHANGED, detail, article.pk), learned
        bases = self.bases(known, read)
        if not bases and not self.force:
            detail = NEVER_AGREED.format(force=self.force_option)
            return FileResult(read.shown, Verdict.CONFLICT, detail, article.pk), None
        file_changed = all(read.digest != base.file_hash for base in bases)
        # Where several files could be this one's past (a copy of a vault that was also
        # exported), any of them seeing an edit since means an edit.
        edited = any(current != base.note_hash for base in bases)
        if not file_changed:
            learned = None if edited else self._in_step(article, read, key, current, known.key)
            detail = EDIT_KEPT if edited else detail
            result = FileResult(read.shown, Verdict.UNCHANGED, detail, article.pk)
            return result, learned
        if edited and not self.force:
            detail = BOTH_CHANGED.format(force=self.force_option)
            return FileResult(read.shown, Verdict.CONFLICT, detail, article.pk), None
        self._check(article, work.note)
        learned = self._save(article, read, work, key=key, new=False)
        learned.forget_key = known.key
        return FileResult(read.shown, Verdict.UPDATED, detail, article.pk), learned

    def bases(self, known: Known, read: Read) -> list[Agreement]:
        """What the article and this file last agreed on: the agreement made with the file
        where it is; else those made with a file of the same content (it moved, or the
        vault did); else those made at the same vault path (the vault moved and the file
        changed, or Folio kept no paths then); else the one made with the article's own
        file, which is gone or stands for another article now (this file moved, then
        changed)."""
        here = self.seen.agreements.get(read.note.real)
        if here and here.article == known.pk:
            return [here]
        mine = self.seen.by_article.get(known.pk, [])
        same = [a for a in mine if a.file_hash == read.digest]
        same = same or [a for a in mine if a.relative == read.note.relative]
        root = read.note.root
        home = os.path.realpath(root / known.path) if root and known.path else None
        return same or [
            a for a in mine if a.path == home or (not a.path and a.relative == known.path)
        ]

    def _in_step(
        self, article: Article, read: Read, key: str, note_hash: str, forget: str
    ) -> Learned | None:
        """Record that the file and the article agree (its vault path and key follow the
        file: bookkeeping, not an edit, so the version stays); not for a user who may not
        edit the article (what it agrees with is the base of the next conflict)."""
        if not self._may_edit(article):
            return None
        note = read.note
        if (article.source_path, article.source_key) != (note.relative, key):
            Article.objects.filter(pk=article.pk).update(source_path=note.relative, source_key=key)
            article.source_path, article.source_key = note.relative, key
        agreement = self._agreement(article, read, note_hash)
        return Learned(self._known(article), article.slug, agreement, forget_key=forget)

    def _save(
        self, article: Article, read: Read, work: Prepared, *, key: str, new: bool
    ) -> Learned:
        parsed = work.note
        summary_before = None if new else notes.to_vault(article).summary
        author = self._author(parsed.author)
        items = notes.apply(article, parsed, author=author, html=work.html, minutes=work.minutes)
        new_tags: dict[str, Tag] = {}
        tags = notes.find_tags(parsed.tags, ChainMap(new_tags, self.seen.tags))
        if summary_before != parsed.summary:  # a new machine summary wants a new review
            article.summary_reviewed_at = article.summary_reviewed_by = None
        article.vault_layout = parsed.layout.to_json()
        article.source_key, article.source_path = key, read.note.relative
        article.save()
        notes.save_related(article, items, tags, new=new)
        text = notes.note_text(article, tags=tags, items=items)
        sent = read.note.root is None
        comment = (_("Sent over the API as %s") if sent else _("Imported from %s")) % (
            read.note.relative
        )
        changes.saved(
            article, user=self.user, comment=comment, note=text, first=new, document=work.document
        )
        agreement = self._agreement(article, read, vault.text_hash(text))
        return Learned(
            self._known(article), article.slug, agreement, list(new_tags.values()), author
        )

    def _may_edit(self, article: Article) -> bool:
        user = self.user
        return user is None or (
            user.has_perm("articles.change_article") and publishing.may_edit(user, article)
        )

    def _check(self, article: Article, note: vault.VaultArticle) -> None:
        """Refuse (PermissionDenied, ValidationError) a note the run's user may not import
        into `article` (new, or as it is now): the admin's rules."""
        if self.user is None:
            return
        new = article.pk is None
        if not new:
            publishing.check_edit(self.user, article)
        try:
            publishing.check_status(
                old=None if new else article.status, new=note.status, user=self.user
            )
        except PermissionDenied as refused:
            hint = _(
                "The note says “status: %(status)s” (a note without a status is published); "
                "send it with “status: review” or “status: draft” for an editor to publish."
            )
            raise PermissionDenied(f"{refused} {hint % {'status': note.status}}") from None

    def _agreement(self, article: Article, read: Read, note_hash: str) -> Agreement:
        agreement = Agreement(
            article.pk, read.note.real, read.note.relative, read.digest, note_hash, article.version
        )
        mine = self.seen.by_article.get(article.pk, [])
        if any(not a.path and a.relative == agreement.relative for a in mine):  # superseded
            SyncedFile.objects.filter(
                article=article, path="", relative=agreement.relative
            ).delete()
        values = {**vars(agreement), "article": article}
        if agreement.path in self.seen.agreements:
            SyncedFile.objects.update_or_create(
                location=SyncedFile.location_of(agreement.path), defaults=values
            )
        else:
            SyncedFile.objects.create(**values)
        return agreement

    def _known(self, article: Article) -> Known:
        return Known(
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
