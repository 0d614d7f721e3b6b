"""Articles: what readers may see, their summary's rows, and the addresses they had."""

import re

from django.conf import settings
from django.db import models
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from .. import measure, rendering, slugs
from ..vault import MAX_LENGTHS, STATUSES
from .taxonomy import Author, TaggedArticle, keep_old_address, unique_slug

LISTED = ("title", "slug", "published_at", "status", "summary", "author")
LEDE_SOURCE = 4000  # characters of a body's HTML enough for the excerpt of its opening


def public(at) -> models.Q:
    """What readers may see as of `at`: published, and its publish time has come. A
    filter of articles, and of the tag rows that copy their status and publish time."""
    return models.Q(status=Article.Status.PUBLISHED, published_at__lte=at)


class ArticleQuerySet(models.QuerySet):
    def keyed(self, key: str):
        """The article whose natural key (`source_key`) is `key`, read from its unique
        index: the index holds keyed articles only, and unless the query says so too
        SQLite reads the whole table."""
        return self.filter(source_key=key).exclude(source_key="")

    def published(self, at=None):
        """What readers may see: published, and its publish time has come (by `at`, if
        given: a request asks as of one moment)."""
        return self.filter(public(timezone.now() if at is None else at))

    def in_state(self, state: str):
        """The articles whose `state` is `state` (see Article.State)."""
        if state == Article.State.PUBLISHED:
            return self.published()
        if state == Article.State.SCHEDULED:
            return self.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())
        return self.filter(status=state)

    def unpublished(self, at=None):
        """What readers may not see: everything `published()` leaves out. Written as index
        ranges (the states are known: a constraint says so) because search subtracts these
        few from its matches rather than listing the many published."""
        others = [status for status in Article.Status.values if status != Article.Status.PUBLISHED]
        at = timezone.now() if at is None else at
        later = models.Q(status=Article.Status.PUBLISHED, published_at__gt=at)
        return self.filter(models.Q(status__in=others) | later)

    def with_related(self):
        """With the author and the tags, in a fixed number of queries."""
        tagged = TaggedArticle.objects.select_related("tag").order_by("pk")
        return self.select_related("author").prefetch_related(
            models.Prefetch("tagged_items", queryset=tagged)
        )

    def for_listing(self):
        """What a list of articles shows (title, date, author, summary, tags), without
        the bodies: of an article with no summary, the opening of its body's HTML (see
        Article.lede)."""
        opening = models.Case(
            models.When(summary="", then=Substr("body_html", 1, LEDE_SOURCE)),
            default=models.Value(""),
        )
        listed = self.with_related().only(*LISTED, "author__name", "author__slug")
        return listed.annotate(body_opening=opening)

    def before(self, when, pk):
        """Those published before (`when`, `pk`), the latest first: a range of the index
        (status, published_at, id), read from there outwards."""
        earlier = self.filter(published_at__lte=when).exclude(published_at=when, pk__gte=pk)
        return earlier.order_by("-published_at", "-pk")

    def after(self, when, pk):
        """Those published after (`when`, `pk`), the earliest first."""
        later = self.filter(published_at__gte=when).exclude(published_at=when, pk__lte=pk)
        return later.order_by("published_at", "pk")


class Article(models.Model):
    class Status(models.TextChoices):  # the vault's own STATUSES
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    class State(models.TextChoices):
        """Where an article stands for readers: its status, and for a published article
        whether its publish time has come (scheduled until then)."""

        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    title = models.TextField(_("title"))
    slug = models.SlugField(
        _("slug"),
        max_length=slugs.MAX_LENGTH,
        unique=True,
        help_text=_("The article's address: pinyin of the title unless you write one."),
    )
    author = models.ForeignKey(
        Author,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
    )
    source_platform = models.TextField(
        _("source"),
        blank=True,
        help_text=_("Where the article first appeared, such as 微信公众号."),
    )
    # As the vault wrote it (kept for the export); a link only where `original_link` says.
    original_url = models.CharField(_("original URL"), max_length=MAX_LENGTHS["url"], blank=True)
    published_at = models.DateTimeField(_("publish time"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    summary = models.TextField(_("one-sentence summary"), blank=True)
    body = models.TextField(_("body"), blank=True, help_text=_("Markdown."))
    body_html = models.TextField(_("body as HTML"), editable=False, default="")
    reading_minutes = models.PositiveSmallIntegerField(
        _("reading time (minutes)"), editable=False, default=0
    )
    tags = TaggableManager(_("tags"), through=TaggedArticle, blank=True)
    extra = models.JSONField(
        _("other front matter"),
        default=dict,
        blank=True,
        help_text=_("Front-matter keys Folio has no field for, kept for export."),
    )
    summary_reviewed_at = models.DateTimeField(
        _("summary reviewed"), null=True, blank=True, editable=False
    )
    summary_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("summary reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Bumped by every save: a form saved over a newer version is refused (see forms.py).
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)

    # The vault round trip (see articles.importer and articles.exporter, and SyncedFile).
    source_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    source_path = models.TextField(_("vault file"), blank=True, default="", editable=False)
    vault_layout = models.JSONField(default=dict, blank=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ("-published_at", "-id")
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        # Serves published() in both orders, counts, a page's ids and the sitemap without
        # reading a row (a row's later columns sit behind its body, in SQLite's overflow).
        indexes = [
            models.Index(
                fields=("status", "published_at", "id", "slug", "updated_at"),
                name="article_public",
            ),
            # Counts them: a fifth of the other's size, so read in a fifth of the time.
            models.Index(fields=("status", "published_at"), name="article_count"),
        ]
        permissions = [("publish_article", _("Can publish, unpublish and archive articles"))]
        constraints = [
            models.UniqueConstraint(
                fields=("source_key",),
                condition=~models.Q(source_key=""),
                name="article_source_key_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=STATUSES),
                name="article_status_known",
            ),
        ]

    def __str__(self):
        return Truncator(self.title).chars(80)

    def save(self, *args, **kwargs):
        self.body = self.body.replace("\r\n", "\n")
        self.summary = self.summary.replace("\r\n", "\n")
        if self.body != getattr(self, "_rendered_body", None):
            self.set_body(self.body)
        if not self.slug:
            self.slug = unique_slug(Article, slugs.slugify(self.title) or "article")
        self.version += 1
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "version", "updated_at"}
        super().save(*args, **kwargs)
        keep_old_address(self, ArticleRedirect, "article")

    def get_absolute_url(self):
        return reverse("articles:article", args=[self.slug])

    @property
    def state(self) -> State:
        """The one definition of where the article stands (`published()` agrees)."""
        if self.status == self.Status.PUBLISHED and not self.is_public(self, timezone.now()):
            return self.State.SCHEDULED
        return self.State(self.status)

    @staticmethod
    def is_public(row, at) -> bool:
        """`published(at)` for one article (or a row with its status and publish time)."""
        return row.status == Article.Status.PUBLISHED and row.published_at <= at

    @property
    def lede(self) -> str:
        """What a list shows under the title: the summary, else the opening of the body
        (for_listing reads it without the rest)."""
        if self.summary:
            return self.summary
        opening = getattr(self, "body_opening", None)
        if opening is None:
            opening = self.body_html[:LEDE_SOURCE]
        return measure.excerpt(measure.plain_text(measure.whole_tags(opening)))

    def outline(self) -> list[tuple[int, str, str]]:
        """The body's table of contents (measure.outline): none for a short article."""
        return measure.outline(self.body_html)

    @property
    def original_link(self) -> str:
        """The original URL where it may be a link (http or https), else ""."""
        return rendering.link(self.original_url)

    def touch(self) -> None:
        """Count a change to the article's tags or summary items as a change to it."""
        self.save(update_fields=["updated_at"])

    def set_body(self, body: str, *, html: str | None = None, minutes: int | None = None) -> None:
        """Set the Markdown body, its HTML and reading time; `html` and `minutes` are
        `rendering.render(body)` and its `measure.reading_minutes` when the caller has them
        already (the importer works them out in worker processes)."""
        self.body = body
        if html is None:
            html = rendering.render(body, seconds=settings.FOLIO_RENDER_SECONDS)
        self.body_html = html
        if minutes is None:
            minutes = measure.reading_minutes(measure.plain_text(self.body_html))
        self.reading_minutes = minutes
        self._rendered_body = body

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        article = super().from_db(db, field_names, values, **kwargs)
        if "body" in article.__dict__:
            article._rendered_body = article.body
        article._saved_slug = article.__dict__.get("slug")
        return article

    def tag_list(self):
        """The article's tags in the order they were added (prefetched by with_related)."""
        return [tagged.tag for tagged in self.tagged_items.all()]

    def key_points(self):
        return [item for item in self.summary_items.all() if item.kind == SummaryItem.Kind.POINT]

    def risks(self):
        return [item for item in self.summary_items.all() if item.kind == SummaryItem.Kind.RISK]


class SummaryItem(models.Model):
    """A key point or a risk of an article's summary: an optional label, then its text."""

    class Kind(models.TextChoices):
        POINT = "point", _("Key point")
        RISK = "risk", _("Risk")

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="summary_items", verbose_name=_("article")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    label = models.TextField(_("label"), blank=True)
    text = models.TextField(_("text"))

    class Meta:
        ordering = ("article", "kind", "position", "id")
        verbose_name = _("summary item")
        verbose_name_plural = _("summary items")

    def __str__(self):
        return f"{self.label}：{self.text}" if self.label else self.text

    def clean(self):
        # The vault writes `**label**：text`, and reads a colon ending the label as that
        # one: a label typed as `要点：` is `要点`.
        self.label = re.sub(r"[\s:：]+$", "", self.label).strip()


class ArticleRedirect(models.Model):
    """An address an article had before its slug changed: it answers 301 to the article."""

    old_slug = models.SlugField(_("old slug"), max_length=slugs.MAX_LENGTH, unique=True)
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="redirects", verbose_name=_("article")
    )

    class Meta:
        verbose_name = _("article redirect")
        verbose_name_plural = _("article redirects")

    def __str__(self):
        return f"{self.old_slug} → {self.article.slug}"
