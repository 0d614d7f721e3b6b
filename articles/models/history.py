"""What happened to the articles: their revisions, and what they and their vault files
last agreed on."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import slugs
from .articles import Article


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
