"""Who wrote the articles and what they are about: authors, tags, and the addresses
they had before a rename."""

from __future__ import annotations

from django.db import models
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from taggit.models import TagBase, TaggedItemBase

from .. import slugs
from ..vault import MAX_LENGTHS


def unique_slug(model: type[models.Model], base: str) -> str:
    """`base`, numbered if need be so that no row of `model` has it yet."""
    rows = model._default_manager
    if not rows.filter(slug=base).exists():  # the usual case, answered by the unique index
        return base
    # `base-N` sorts between `base-` and `base.`: a range the index answers, unlike LIKE.
    numbered = rows.filter(slug__gt=f"{base}-", slug__lt=f"{base}.")
    return slugs.numbered(base, {base, *numbered.values_list("slug", flat=True)})


def keep_old_address(instance, redirect_model, field: str) -> None:
    """After a save that changed `instance`'s slug, its old address redirects to it."""
    old = getattr(instance, "_saved_slug", None)
    if old and old != instance.slug:
        redirect_model.objects.update_or_create(old_slug=old, defaults={field: instance})
        redirect_model.objects.filter(old_slug=instance.slug).delete()
    instance._saved_slug = instance.slug


class AuthorQuerySet(models.QuerySet):
    def public(self):
        """The authors of articles readers may see."""
        from .articles import Article

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
        from .articles import Article

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
        keep_old_address(self, TagRedirect, "tag")

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


class TaggedArticleQuerySet(models.QuerySet):
    def published(self, at):
        """The rows of articles readers may see as of `at`, by the copies (see
        `TaggedArticle`)."""
        from .articles import public

        return self.filter(public(at))

    def follow(self, article) -> None:
        """Copy `article`'s status and publish time onto its rows (`changes.saved`)."""
        self.filter(content_object=article).update(**TaggedArticle.copied(article))

    def follow_all(self) -> None:
        """Copy every article's status and publish time onto its rows again (after the
        database was changed by hand: `expire_pages`)."""
        from .articles import Article

        article = Article.objects.filter(pk=OuterRef("content_object_id"))
        self.update(
            status=Subquery(article.values("status")),
            published_at=Subquery(article.values("published_at")),
        )


class TaggedArticle(TaggedItemBase):
    content_object = models.ForeignKey(
        "Article", on_delete=models.CASCADE, related_name="tagged_items"
    )
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_articles")
    # The article's status and publish time, copied when the row is made and by every
    # save of the article (`changes.saved`), so that an index lists a tag's public
    # articles in order: page 50 of a tag skips index entries, as page 50 of all articles
    # does, instead of probing the tag's rows for each article skipped.
    status = models.CharField(max_length=20, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, editable=False)

    objects = TaggedArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("tagged article")
        verbose_name_plural = _("tagged articles")
        constraints = [
            models.UniqueConstraint(fields=("content_object", "tag"), name="article_tag_once")
        ]
        indexes = [
            models.Index(
                fields=("tag", "status", "published_at", "content_object"), name="tagged_public"
            )
        ]

    def save(self, *args, **kwargs):
        self.follow()
        super().save(*args, **kwargs)

    def follow(self) -> TaggedArticle:
        """This row with its article's status and publish time."""
        for name, value in self.copied(self.content_object).items():
            setattr(self, name, value)
        return self

    @staticmethod
    def copied(article) -> dict:
        return {"status": article.status, "published_at": article.published_at}


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
