"""A note sent over the API: imported by the rules of a vault's import, as its sender."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import notes, slugs, vault
from ..models import Article, Revision, SyncedFile
from ..pipeline import prepare
from ..vault import files
from ..vault.files import BadPath
from .knowledge import Agreement, Knowledge
from .report import FileResult, Verdict
from .run import Read, Run

EDITS_SHOWN = 10  # of a conflict's revisions, the newest
EDITS_READ = 50  # revisions looked through for the one the note last agreed with


@dataclass
class Sent:
    """What became of a note sent (see `import_note`)."""

    result: FileResult
    article: Article | None  # the article it stands for (None: none, or a dry run's new one)
    status: str = ""  # the article's, as the import leaves it (or would: a dry run)
    state: str = ""
    differs: list[str] = field(default_factory=list)  # a conflict's fields note and article
    # differ in (notes.FIELDS)
    edits: list[Revision] = field(default_factory=list)  # a conflict's saves since the
    # article and the note last agreed, newest first


def import_note(
    data: bytes,
    *,
    user: AbstractBaseUser,
    path: str = "",
    dry_run: bool = False,
    force: bool = False,
) -> Sent:
    """Import one note sent by `user`, by the rules of `import_vault` (identity,
    duplicates, conflicts, `force`, `dry_run`), with the admin's permissions
    (PermissionDenied; ValidationError for a move of status the article cannot make); the
    revision is theirs. `path` is its place in the vault (`files.vault_path`); without one,
    its article's (known by its URL), else `<its title's slug>.md`. BadPath for a bad path
    or a missing one; VaultError for a note that cannot be read."""
    if not (user.has_perm("articles.add_article") and user.has_perm("articles.change_article")):
        raise PermissionDenied(_("You may not add or change articles."))
    tz, shown = timezone.get_default_timezone(), path or "body"
    if path:
        _free(files.vault_path(path))
    text = vault.decode(data, path=shown, max_bytes=settings.FOLIO_MAX_NOTE_BYTES)
    parsed = vault.parse(text, path=shown, tz=tz)
    path = path or _place(parsed)
    note, key = files.sent(path), vault.source_key(parsed.url, path)
    seen = Knowledge.of_note(parsed, key, note.real)
    run = Run(dry_run=dry_run, force=force, user=user, seen=seen)
    work = prepare(text, path, tz, run.default_date(note, key), settings.FOLIO_RENDER_SECONDS)
    read = Read(note, text, vault.text_hash(text))
    result = run.import_note(read, lambda: work)
    if dry_run and result.verdict == Verdict.CREATED:
        return Sent(result, None, *_as_left(work.note))
    article = Article.objects.filter(pk=result.article).first() if result.article else None
    if article is None:
        return Sent(result, None)
    sent = Sent(result, article, article.status, article.state)
    if dry_run and result.verdict == Verdict.UPDATED:
        sent.status, sent.state = _as_left(work.note)
    if result.verdict == Verdict.CONFLICT:
        sent.differs = notes.differences(notes.to_vault(article), work.note)
        sent.edits = _since(article, run.bases(seen.articles[article.pk], read))
    return sent


def _free(path: str) -> None:
    """Refuse a path an export could not write beside the notes there are: a folder of
    the vault that is a note's file, or a note's file that is a folder. (Asked of the
    agreements still at their article's vault path: the articles' rows are wide to read
    them all.)"""
    folders = [str(parent) for parent in PurePosixPath(path).parents if str(parent) != "."]
    taken = SyncedFile.objects.filter(Q(relative__in=folders) | Q(relative__startswith=path + "/"))
    taken = taken.filter(relative=F("article__source_path"))
    clash = taken.values_list("relative", flat=True).first()
    if clash:
        raise BadPath(
            f"{clash} is a note of the vault: it cannot also be a folder or a note in one"
        )


def _place(note: vault.VaultArticle) -> str:
    """Where a note sent without a path goes: its article's place, else by its title."""
    if not vault.canonical_url(note.url):
        raise BadPath("a note without a URL is known by its path in the vault: send one")
    if note.layout and note.layout.title_from == "derived":
        raise BadPath("a note with no title (`title:` or a `# ` heading) is named by its path")
    known = Article.objects.keyed(vault.source_key(note.url, ""))
    found = known.values_list("source_path", "slug").first()
    if found:
        return found[0] or f"{found[1]}.md"
    return f"{slugs.slugify(note.title) or 'article'}.md"


def _as_left(note: vault.VaultArticle) -> tuple[str, str]:
    """The status and state an article would have with the note's."""
    article = Article(status=note.status, published_at=note.date or timezone.now())
    return article.status, article.state


def _since(article: Article, bases: list[Agreement]) -> list[Revision]:
    """The article's revisions since the last one the note agreed with (as far back as
    EDITS_READ; all of those, if it never agreed)."""
    agreed = {base.note_hash for base in bases}
    revisions = article.revisions.select_related("user").order_by("-number")[:EDITS_READ]
    since = []
    for revision in revisions:
        if vault.text_hash(revision.note) in agreed:
            break
        since.append(revision)
    return since[:EDITS_SHOWN]
