import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from . import measure, rendering, slugs
from .vault import MAX_LENGTHS, STATUSES


def unique_slug(model: type[models.Model], base: str) -> str:
    """`base`, numbered if need be so that no row of `model` has it yet."""
    rows = model._default_manager
    if not rows.filter(slug=base).exists():  # the usual case, answered by the unique index
        return base
    # `base-N` sorts between `base-` and `base.`: a range the index answers, unlike LIKE.
    numbered = rows.filter(slug__gt=f"{base}-", slug__lt=f"{base}.")
    return slugs.numbered(base, {base, *numbered.values_list("slug", flat=True)})


def _keep_old_address(instance, redirect_model, field: str) -> None:
    """After a save that changed `instance`'s slug, its old address redirects to it."""
    old = getattr(instance, "_saved_slug", None)
    if old and old != instance.slug:
        redirect_model.objects.update_or_create(old_slug=old, defaults={field: instance})
        redirect_model.objects.filter(old_slug=instance.slug).delete()
    instance._saved_slug = instance.slug


class AuthorQuerySet(models.QuerySet):
    def public(self):
        """The authors of articles readers may see."""
        return self.filter(Exists(Article.objects.published().filter(author=OuterRef("pk"))))


class Author(models.Model):
    """Who wrote an article: usually a WeChat official account."""

    name = models.CharField(_("name"), max_length=MAX_LENGTHS["author"], unique=True)  # indexed
    slug = models.SlugField(_("slug"), max_length=slugs.MAX_LENGTH, unique=True)

    objects = AuthorQuerySet.as_manager()

    class Meta:
        ordering = ("name",)
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Author, slugs.slugify(self.name) or "author")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:author", args=[self.slug])


class TagQuerySet(models.QuerySet):
    def public(self):
        """The tags of articles readers may see."""
        public = TaggedArticle.objects.filter(
            tag=OuterRef("pk"), content_object__in=Article.objects.published()
        )
        return self.filter(Exists(public))


class Tag(TagBase):
    """A topic. Names are unique whatever their case; slugs are pinyin."""

    vault_path = models.TextField(
        _("vault path"),
        blank=True,
        help_text=_("The topic note this tag links to in the vault, such as 00-元语/AI."),
    )

    objects = TagQuerySet.as_manager()

    class Meta:
        ordering = ("name",)
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = [models.UniqueConstraint(Lower("name"), name="tag_name_unique_any_case")]

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        _keep_old_address(self, TagRedirect, "tag")

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        tag = super().from_db(db, field_names, values, **kwargs)
        tag._saved_slug = tag.__dict__.get("slug")
        return tag

    def get_absolute_url(self):
        return reverse("articles:tag", args=[self.slug])

    def slugify(self, tag, i=None):
        slug = slugs.slugify(tag) or "tag"
        return slug if i is None else f"{slug}-{i + 1}"


class TaggedArticle(TaggedItemBase):
    content_object = models.ForeignKey(
        "Article", on_delete=models.CASCADE, related_name="tagged_items"
    )
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_articles")

    class Meta:
        verbose_name = _("tagged article")
        verbose_name_plural = _("tagged articles")
        constraints = [
            models.UniqueConstraint(fields=("content_object", "tag"), name="article_tag_once")
        ]


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """What readers may see: published, and its publish time has come."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def in_state(self, state: str):
        """The articles whose `state` is `state` (see Article.State)."""
        if state == Article.State.PUBLISHED:
            return self.published()
        if state == Article.State.SCHEDULED:
            return self.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())
        return self.filter(status=state)

    def unpublished(self):
        """What readers may not see: everything `published()` leaves out. Written as index
        ranges (the states are known: a constraint says so) because search subtracts these
        few from its matches rather than listing the many published."""
        others = [status for status in Article.Status.values if status != Article.Status.PUBLISHED]
        later = models.Q(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())
        return self.filter(models.Q(status__in=others) | later)

    def for_listing(self):
        """With what a list of articles shows (author, tags), in a fixed number of queries."""
        tagged = TaggedArticle.objects.select_related("tag").order_by("pk")
        return self.select_related("author").prefetch_related(
            models.Prefetch("tagged_items", queryset=tagged)
        )

    def sharing_tags(self, tags):
        """Articles with any of `tags`, those sharing the most first."""
        return (
            self.filter(tagged_items__tag__in=tags)
            .annotate(shared=models.Count("tagged_items"))
            .order_by("-shared", "-published_at", "-pk")
        )

    def around(self, article):
        """The articles published just before and just after `article` (or None)."""
        when, pk = article.published_at, article.pk
        earlier = models.Q(published_at__lt=when) | models.Q(published_at=when, pk__lt=pk)
        later = models.Q(published_at__gt=when) | models.Q(published_at=when, pk__gt=pk)
        fields = ("title", "slug", "published_at")
        previous = self.filter(earlier).order_by("-published_at", "-pk").only(*fields).first()
        following = self.filter(later).order_by("published_at", "pk").only(*fields).first()
        return previous, following


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
    original_url = models.URLField(_("original URL"), max_length=MAX_LENGTHS["url"], blank=True)
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
        indexes = [models.Index(fields=("status", "-published_at"), name="article_public")]
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
        _keep_old_address(self, ArticleRedirect, "article")

    def get_absolute_url(self):
        return reverse("articles:article", args=[self.slug])

    @property
    def state(self) -> State:
        """The one definition of where the article stands (`published()` agrees)."""
        if self.status == self.Status.PUBLISHED and self.published_at > timezone.now():
            return self.State.SCHEDULED
        return self.State(self.status)

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
        self.body_html = rendering.render(body) if html is None else html
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
        """The article's tags in the order they were added (prefetched by for_listing)."""
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


class SyncedFile(models.Model):
    """A vault file and an article as they last agreed (an import or an export): the
    file's content then and the article's note then. Whether a file may overwrite its
    article is asked of the agreement with that file: has the file changed since, and has
    the article?"""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="synced_files", verbose_name=_("article")
    )
    # The file's real path; "" for agreements made before Folio kept paths (then
    # `relative` alone names the file).
    path = models.TextField(_("file"), blank=True)
    location = models.CharField(max_length=64, unique=True, editable=False)  # see location_of
    relative = models.TextField(_("vault path"))
    file_hash = models.CharField(max_length=64)
    note_hash = models.CharField(max_length=64)
    version = models.PositiveIntegerField(default=0)  # the article's, when they agreed
    synced_at = models.DateTimeField(_("agreed"), auto_now=True)

    class Meta:
        verbose_name = _("synced file")
        verbose_name_plural = _("synced files")

    def __str__(self):
        return self.path or self.relative

    def save(self, *args, **kwargs):
        self.location = self.location_of(self.path, self.article_id, self.relative)
        super().save(*args, **kwargs)

    @staticmethod
    def location_of(path: str, article: int | None = None, relative: str = "") -> str:
        """A key for the file (a path can be longer than an index allows): its path's
        hash, or for an agreement that kept no path, its article's and vault path's."""
        name = path or f"{article}:{relative}"
        return hashlib.sha256(name.encode("utf-8")).hexdigest()


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


class TagRedirect(models.Model):
    """An address a tag had before it was renamed or merged into another."""

    old_slug = models.SlugField(_("old slug"), max_length=100, unique=True, allow_unicode=True)
    tag = models.ForeignKey(
        Tag, on_delete=models.CASCADE, related_name="redirects", verbose_name=_("tag")
    )

    class Meta:
        verbose_name = _("tag redirect")
        verbose_name_plural = _("tag redirects")

    def __str__(self):
        return f"{self.old_slug} → {self.tag.slug}"


class Revision(models.Model):
    """An article as it was after one save: the whole of it, as its vault note."""

    LABELS = {
        "title": _("title"),
        "status": _("status"),
        "date": _("publish time"),
        "author": _("author"),
        "source": _("source"),
        "url": _("original URL"),
        "summary": _("summary"),
        "tags": _("tags"),
        "body": _("body"),
        "extra": _("other front matter"),
        "slug": _("slug"),
    }

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("article")
    )
    number = models.PositiveIntegerField(_("number"))
    created_at = models.DateTimeField(_("saved"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    comment = models.TextField(_("what happened"), blank=True)
    changed = models.JSONField(_("what changed"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Article.Status.choices)
    slug = models.SlugField(_("slug"), max_length=slugs.MAX_LENGTH)
    note = models.TextField(_("the article as a note"))

    class Meta:
        ordering = ("article", "-number")
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        constraints = [
            models.UniqueConstraint(fields=("article", "number"), name="revision_number_once")
        ]

    def __str__(self):
        return f"{self.article} #{self.number}"

    def changed_labels(self):
        """What changed, in the editor's language."""
        return [str(self.LABELS.get(name, name)) for name in self.changed]
