"""A note sent over the API: imported by the rules of a vault's import, as its sender."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Max
from django.utils import timezone

from .. import notes, slugs, vault
from ..models import Article, Revision, SyncedFile
from ..vault import files
from .knowledge import Knowledge
from .report import FileResult, Verdict
from .run import Read, Run

EDITS_SHOWN = 10  # of a conflict's revisions, the newest


@dataclass
class Sent:
    """What became of a note sent (see `import_note`)."""

    result: FileResult
    article: Article | None  # the article it stands for (None: none, or a dry run's new one)
    differs: list[str] = field(default_factory=list)  # a conflict's fields note and article
    # differ in (notes.FIELDS)
    edits: list[Revision] = field(default_factory=list)  # a conflict's saves since the
    # article and a note of it last agreed, newest first


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
    its article's (known by its URL), else `<its title's slug>.md`. ValueError for a bad
    path or a missing one; VaultError for a note that cannot be read."""
    tz = timezone.get_default_timezone()
    if path:
        files.vault_path(path)
    text = vault.decode(data, path=path or "body", max_bytes=settings.FOLIO_MAX_NOTE_BYTES)
    parsed = vault.parse(text, path=path or "body", tz=tz)
    path = path or _place(parsed)
    note = files.sent(path)
    key = vault.source_key(parsed.url, path)
    seen = Knowledge.of_note(parsed, key, note.real)
    run = Run(dry_run=dry_run, force=force, user=user, seen=seen)
    result = run.import_note(Read(note, text, vault.text_hash(text)), None)
    article = Article.objects.filter(pk=result.article).first() if result.article else None
    if result.verdict != Verdict.CONFLICT or article is None:
        return Sent(result, article)
    return Sent(result, article, notes.changes(notes.note_text(article), text), _since(article))


def _place(note: vault.VaultArticle) -> str:
    """Where a note sent without a path goes: its article's place, else by its title."""
    if not vault.canonical_url(note.url):
        raise ValueError("a note without a URL is known by its path in the vault: send one")
    if note.layout and note.layout.title_from == "derived":
        raise ValueError("a note with no title (`title:` or a `# ` heading) is named by its path")
    known = Article.objects.filter(source_key=vault.source_key(note.url, ""))
    found = known.values_list("source_path", "slug").first()
    if found:
        return found[0] or f"{found[1]}.md"
    return f"{slugs.slugify(note.title) or 'article'}.md"


def _since(article: Article) -> list[Revision]:
    """The article's revisions since it and a note of it last agreed (all, if never)."""
    agreed = SyncedFile.objects.filter(article=article).aggregate(at=Max("synced_at"))["at"]
    revisions = article.revisions.select_related("user").order_by("-number")
    if agreed:
        revisions = revisions.filter(created_at__gt=agreed)
    return list(revisions[:EDITS_SHOWN])
