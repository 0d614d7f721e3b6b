"""Articles back to vault notes: the importer's round-trip partner."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from . import vault
from .models import Article, SummaryItem, Tag, TaggedArticle


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
        draft=article.status != Article.Status.PUBLISHED,
        summary=vault.Summary(article.summary, points, risks),
        body=article.body,
        tags=[vault.VaultTag(tag.name, tag.vault_path or tag.name) for tag in tags],
        extra=article.extra,
        layout=article.vault_layout,
    )


def note_hash(article: Article, **known) -> str:
    """The hash of the note `article` would export as: it changes when anything the
    vault holds changes, whoever changed it."""
    return vault.text_hash(vault.dump(to_vault(article, **known)))


@dataclass
class ExportReport:
    written: list[Path] = field(default_factory=list)


def export_articles(directory: Path, articles: QuerySet[Article] | None = None) -> ExportReport:
    """Write each article as a note under `directory`, at its vault path where it has one
    (so the export is a vault again), else at `<slug>.md`."""
    articles = (articles if articles is not None else Article.objects.all()).order_by("pk")
    in_order = TaggedArticle.objects.select_related("tag").order_by("pk")
    articles = articles.select_related("author").prefetch_related(
        Prefetch("tagged_items", queryset=in_order), "summary_items"
    )
    report, taken = ExportReport(), set()
    for article in articles.iterator(chunk_size=500):
        relative = _note_path(article, taken)
        taken.add(relative)
        target = directory / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        tags = [tagged.tag for tagged in article.tagged_items.all()]
        target.write_text(vault.dump(to_vault(article, tags=tags)), encoding="utf-8")
        report.written.append(target)
    return report


def _note_path(article: Article, taken: set[str]) -> str:
    path = PurePosixPath(article.source_path)
    safe = article.source_path and not path.is_absolute() and ".." not in path.parts
    relative = article.source_path if safe else f"{article.slug}.md"
    if relative in taken:
        relative = str(PurePosixPath(relative).with_name(f"{article.slug}-{article.pk}.md"))
    return relative
