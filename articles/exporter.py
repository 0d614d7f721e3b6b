"""Articles back to vault notes: the importer's round-trip partner."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.db.models import Prefetch, QuerySet

from .models import Article, TaggedArticle
from .notes import note_text


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
        target.write_text(note_text(article, tags=tags), encoding="utf-8")
        report.written.append(target)
    return report


def _note_path(article: Article, taken: set[str]) -> str:
    path = PurePosixPath(article.source_path)
    safe = article.source_path and not path.is_absolute() and ".." not in path.parts
    relative = article.source_path if safe else f"{article.slug}.md"
    if relative in taken:
        relative = str(PurePosixPath(relative).with_name(f"{article.slug}-{article.pk}.md"))
    return relative
