"""The live preview: the article page as readers will see it, from the form as it stands
(unsaved, perhaps invalid), in the public page's own template and styles."""

from types import SimpleNamespace

from django import forms
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.utils import timezone

from articles import measure, rendering, slugs
from articles.images import archive as images
from articles.models import Author, SummaryItem, Tag

ROW_FIELDS = ("position", "label", "text", "DELETE")  # of a summary row in the form


def page(request, html: str) -> str:
    """A whole HTML document: the public article, from the form `request` posts, whose
    body `html` is already rendered."""
    return render_to_string(
        "admin/articles/preview_page.html", {"article": article(request.POST, html)}, request
    )


def article(post, html: str) -> SimpleNamespace:
    """What `articles/_article.html` reads of an article, from a posted article form."""
    return SimpleNamespace(
        title=post.get("title", ""),
        author=_author(post.get("author", "")),
        published_at=_moment(post.get("published_at_0", ""), post.get("published_at_1", "")),
        source_platform=post.get("source_platform", ""),
        original_link=rendering.link(post.get("original_url", "")),
        summary=post.get("summary", "").replace("\r\n", "\n").strip(),
        key_points=_items(post, SummaryItem.Kind.POINT),
        risks=_items(post, SummaryItem.Kind.RISK),
        body_html=images.shown([html])[0],
        outline=measure.outline(html),
        reading_minutes=measure.reading_minutes(measure.plain_text(html)),
        tag_list=_tags(post.getlist("tags")),
    )


def _author(pk: str) -> Author | None:
    return Author.objects.filter(pk=pk).first() if pk.isdigit() else None


def _moment(date: str, time: str):
    try:
        return forms.SplitDateTimeField().clean([date, time])
    except ValidationError:
        return timezone.now()


def _items(post, kind: str) -> list[SummaryItem]:
    """The rows of one kind with text, not marked for deletion, in their order on screen
    (the editor numbers their positions before it asks for a preview)."""
    prefix = f"summary-{kind}"
    try:
        count = min(int(post.get(f"{prefix}-TOTAL_FORMS", 0)), 1000)
    except ValueError:
        count = 0
    rows = []
    for index in range(count):
        row = {name: post.get(f"{prefix}-{index}-{name}", "") for name in ROW_FIELDS}
        text = row["text"].replace("\r\n", "\n").strip()
        if text and not row["DELETE"]:
            order = int(row["position"]) if row["position"].isdigit() else index
            item = SummaryItem(kind=kind, label=row["label"].strip(), text=text)
            rows.append((order, index, item))
    return [item for *_, item in sorted(rows, key=lambda row: row[:2])]


def _tags(names: list[str]) -> list[Tag]:
    """The posted tag names as tags: the existing one of each name (in any case), else a
    new one."""
    names = list(dict.fromkeys(name.strip() for name in names if name.strip()))
    lowered = [name.lower() for name in names]
    known = Tag.objects.annotate(lowered=Lower("name")).filter(lowered__in=lowered)
    known = {tag.lowered: tag for tag in known}
    return [
        known.get(name.lower()) or Tag(name=name, slug=slugs.slugify(name) or "tag")
        for name in names
    ]
