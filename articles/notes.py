"""An article as a vault note, and a note onto an article: what the importer, the
exporter and revisions share."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.db.models import Count
from django.utils import timezone

from . import vault
from .models import Article, Author, SummaryItem, Tag, TaggedArticle

# What a note holds that an editor sees, in the order a revision lists its changes.
FIELDS = ("title", "status", "date", "author", "source", "url", "summary", "tags", "body")
FIELDS += ("extra",)


def to_vault(
    article: Article,
    *,
    tags: Iterable[Tag] | None = None,
    items: Iterable[SummaryItem] | None = None,
) -> vault.VaultArticle:
    """The note an article is now. `tags` (in the order they were added) and `items`
    spare the queries when known."""
    if tags is None:
        tags = Tag.objects.filter(tagged_articles__content_object=article).order_by(
            "tagged_articles__pk"
        )
    items = article.summary_items.all() if items is None else items
    points = [vault.SummaryItem(i.label, i.text) for i in items if i.kind == SummaryItem.Kind.POINT]
    risks = [vault.SummaryItem(i.label, i.text) for i in items if i.kind == SummaryItem.Kind.RISK]
    return vault.VaultArticle(
        path=article.source_path,
        title=article.title,
        # Notes keep time to the second.
        date=timezone.localtime(article.published_at).replace(microsecond=0),
        author=article.author.name if article.author else "",
        source=article.source_platform,
        url=article.original_url,
        status=str(article.status),  # a plain str, whether set as text or as Status
        summary=vault.Summary(article.summary, points, risks),
        body=article.body,
        tags=[vault.VaultTag(tag.name, tag.vault_path or tag.name) for tag in tags],
        extra=article.extra,
        layout=vault.Layout.from_json(article.vault_layout) if article.vault_layout else None,
    )


def topics(names: Iterable[str], article: Article | None = None) -> list[vault.VaultTag]:
    """The vault tags of tag names typed in Folio (for find_tags): a tag they make goes where
    the vault's convention puts it (vault.topic_path: the folder `article`'s tags use most,
    else the vault's), decided once, when it is made, and kept, like a path read from a
    note; a tag that exists keeps its own."""
    names = list(names)
    exists = models.Q()
    for name in names:
        exists |= models.Q(name__iexact=name)
    known = {name.casefold() for name in Tag.objects.filter(exists).values_list("name", flat=True)}
    if not names or all(name.casefold() in known for name in names):
        return [vault.VaultTag(name, name) for name in names]
    own = [tag.vault_path for tag in article.tag_list()] if article and article.pk else []
    counts = tag_paths()
    return [vault.VaultTag(name, vault.topic_path(name, own, counts)) for name in names]


def tag_paths() -> dict[str, int]:
    """How many articles link each vault path in a folder (`00-元语/AI`): one query."""
    rows = TaggedArticle.objects.filter(tag__vault_path__contains="/")
    return dict(rows.values_list("tag__vault_path").annotate(uses=Count("pk")).order_by())


def note_text(article: Article, **known) -> str:
    """The note `article` would export as."""
    return vault.dump(to_vault(article, **known))


def note_hash(article: Article, **known) -> str:
    """The hash of the note `article` would export as: it changes when anything the
    vault holds changes, whoever changed it."""
    return vault.text_hash(note_text(article, **known))


def apply(
    article: Article,
    note: vault.VaultArticle,
    *,
    author: Author | None,
    html: str | None = None,
    minutes: int | None = None,
) -> list[SummaryItem]:
    """Set `article`'s fields to `note`'s (unsaved); the summary items to save with it.
    `html` and `minutes` are the body's rendering and reading time, when known."""
    article.title = note.title
    article.author = author
    article.source_platform = note.source
    article.original_url = note.url
    article.published_at = note.date or article.published_at
    article.status = note.status
    article.summary = note.summary.one_sentence
    article.set_body(note.body, html=html, minutes=minutes)
    article.extra = note.extra
    kinds = (
        (SummaryItem.Kind.POINT, note.summary.key_points),
        (SummaryItem.Kind.RISK, note.summary.risks),
    )
    return [
        SummaryItem(kind=kind, position=position, label=item.label, text=item.text)
        for kind, items in kinds
        for position, item in enumerate(items)
    ]


def save_related(
    article: Article, items: list[SummaryItem], tags: list[Tag], *, new: bool = False
) -> None:
    """Replace `article`'s summary items and tags (saved article, in one transaction);
    `new` says it has none yet."""
    if not new:
        article.summary_items.all().delete()
    for item in items:
        item.article = article
    SummaryItem.objects.bulk_create(items)
    set_tags(article, tags, new=new)


def set_tags(article: Article, tags: list[Tag], *, new: bool = False) -> None:
    """Give `article` exactly `tags`, kept in that order (the order notes list them)."""
    current = [] if new else article.tagged_items.order_by("pk").values_list("tag_id", flat=True)
    if list(current) != [tag.pk for tag in tags]:
        if current:
            article.tagged_items.all().delete()
        rows = (TaggedArticle(content_object=article, tag=tag).follow() for tag in tags)
        TaggedArticle.objects.bulk_create(rows)


def find_tags(tags: Iterable[vault.VaultTag], known: dict[str, Tag] | None = None) -> list[Tag]:
    """The Tag for each vault tag, whatever the case of its name, made when new; `known`
    (by casefolded name) spares lookups and learns the tags made."""
    known = {} if known is None else known
    found = []
    for tag in tags:
        folded = tag.name.casefold()
        if folded not in known:
            existing = Tag.objects.filter(name__iexact=tag.name).first()
            known[folded] = existing or Tag.objects.create(name=tag.name, vault_path=tag.path)
        found.append(known[folded])
    return found


def changes(before: str, after: str) -> list[str]:
    """The FIELDS in which two notes differ."""
    old, new = (
        vault.parse(text, path="revision", tz=timezone.get_default_timezone(), limits=False)
        for text in (before, after)
    )
    return differences(old, new)


def differences(old: vault.VaultArticle, new: vault.VaultArticle) -> list[str]:
    """The FIELDS in which two notes, as read, differ."""
    fields = [name for name in FIELDS if name not in {"tags", "summary"}]
    changed = {name for name in fields if getattr(old, name) != getattr(new, name)}
    if old.summary != new.summary:
        changed.add("summary")
    if {t.name.casefold() for t in old.tags} != {t.name.casefold() for t in new.tags}:
        changed.add("tags")
    return [name for name in FIELDS if name in changed]
