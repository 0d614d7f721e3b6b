"""What an import run knows of the database: the articles, the agreements with their files,
slugs, tags and authors, loaded once for the whole run (so that a note costs no lookup),
learned as each file commits, refreshed where another import or an editor saved something
meanwhile."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .. import slugs, vault
from ..models import Article, Author, SyncedFile, Tag


@dataclass
class Known:
    """What the run needs to know of an article already imported."""

    pk: int
    key: str
    path: str
    version: int
    published_at: datetime


@dataclass
class Agreement:
    """A SyncedFile, as the run knows it."""

    article: int
    path: str
    relative: str
    file_hash: str
    note_hash: str
    version: int


@dataclass
class Learned:
    """What a file's transaction committed, for the rest of the run to know."""

    article: Known
    slug: str
    agreement: Agreement | None = None
    tags: list[Tag] = field(default_factory=list)
    author: Author | None = None
    forget_key: str = ""


class Knowledge:
    """The articles, agreements, slugs, tags and authors, loaded once for the whole run
    and kept up to date by it (so that a note costs no lookup), refreshed where another
    import or an editor saved something meanwhile."""

    FIELDS = ("pk", "source_key", "source_path", "version", "published_at")

    def __init__(self, *, everything: bool = True) -> None:
        self.articles: dict[int, Known] = {}
        self.by_key: dict[str, int] = {}
        self.agreements: dict[str, Agreement] = {}  # by file path
        self.by_article: dict[int, list[Agreement]] = {}  # with the paths-unknown ones
        self.by_file_hash: dict[str, list[Agreement]] = {}
        self.slugs: set[str] = set()
        self.tags: dict[str, Tag] = {}
        self.authors: dict[str, Author] = {}
        if not everything:
            return
        for row in Article.objects.values_list(*self.FIELDS).iterator(2000):
            self._know(Known(*row))
        self._agree(SyncedFile.objects.all())
        self.slugs = set(Article.objects.values_list("slug", flat=True))
        self.tags = {tag.name.casefold(): tag for tag in Tag.objects.all()}
        self.authors = {author.name: author for author in Author.objects.all()}

    @classmethod
    def of_note(cls, note: vault.VaultArticle, key: str, path: str) -> Knowledge:
        """What importing one note (its key, its file's path) needs to know, and no more:
        a few queries, whatever the size of the archive."""
        seen = cls(everything=False)
        here = SyncedFile.objects.filter(location=SyncedFile.location_of(path))
        ids = list(here.values_list("article", flat=True))
        for articles in (
            Article.objects.keyed(key),
            Article.objects.filter(pk__in=ids),
        ):
            for row in articles.values_list(*cls.FIELDS):  # (an OR of both: a scan)
                seen._know(Known(*row))
        seen._agree(SyncedFile.objects.filter(article__in=list(seen.articles)))
        seen._names(note)
        return seen

    def _know(self, known: Known) -> None:
        self.articles[known.pk] = known
        if known.key:  # articles written in Folio have none until a file stands for them
            self.by_key[known.key] = known.pk

    def _agree(self, rows) -> None:
        fields = ("article_id", "path", "relative", "file_hash", "note_hash", "version")
        for row in rows.values_list(*fields).iterator(2000):
            self._add(Agreement(*row))

    def _add(self, agreement: Agreement) -> None:
        """Know `agreement`, in place of the one made before with its file."""
        replaced = self.agreements.pop(agreement.path, None) if agreement.path else None
        if replaced:
            self._drop(replaced)
        if agreement.path:
            self.agreements[agreement.path] = agreement
        self.by_article.setdefault(agreement.article, []).append(agreement)
        self.by_file_hash.setdefault(agreement.file_hash, []).append(agreement)

    def _drop(self, agreement: Agreement) -> None:
        self.by_article[agreement.article].remove(agreement)
        self.by_file_hash[agreement.file_hash].remove(agreement)

    def learn(self, learned: Learned) -> None:
        if learned.forget_key:
            self.by_key.pop(learned.forget_key, None)
        self._know(learned.article)
        if learned.agreement:
            for old in list(self.by_article.get(learned.article.pk, [])):
                if not old.path and old.relative == learned.agreement.relative:
                    self._drop(old)  # superseded by one that knows the file's path
            self._add(learned.agreement)
        self.slugs.add(learned.slug)
        self.tags.update((tag.name.casefold(), tag) for tag in learned.tags)
        if learned.author:
            self.authors[learned.author.name] = learned.author

    def refresh(self, note: vault.VaultArticle, key: str, path: str) -> None:
        """Learn what was saved meanwhile that this note's import clashed with."""
        for row in Article.objects.keyed(key).values_list(*self.FIELDS):
            self._know(Known(*row))
        self._agree(SyncedFile.objects.filter(location=SyncedFile.location_of(path)))
        self._names(note)

    def _names(self, note: vault.VaultArticle) -> None:
        """Learn the slugs, tags and author this note's title, tags and author may meet."""
        base = slugs.slugify(note.title) or "article"
        self.slugs |= set(
            Article.objects.filter(slug__startswith=base).values_list("slug", flat=True)
        )
        for tag in note.tags:  # made meanwhile, or deleted (merged) meanwhile
            found = Tag.objects.filter(name__iexact=tag.name).first()
            self.tags.pop(tag.name.casefold(), None)
            if found:
                self.tags[tag.name.casefold()] = found
        self.authors.pop(note.author, None)
