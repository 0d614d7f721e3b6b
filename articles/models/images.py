"""Archived images: every remote image an article shows, and the copy Folio keeps of it.

The body as written is never changed: a `RemoteImage` is a URL some bodies show (one row
for the URL, however many articles show it) and what became of fetching it; a
`StoredImage` is a picture's bytes, stored once under their hash however many URLs gave
them. Pages show the copy where there is one (articles.images.html.localize).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StoredImage(models.Model):
    """A picture, stored once by the SHA-256 of its bytes, with a smaller WebP rendition
    for phones when it is wider than one."""

    sha256 = models.CharField(max_length=64, unique=True)
    format = models.CharField(_("format"), max_length=8)  # JPEG, PNG, GIF, WEBP
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    size = models.PositiveIntegerField(_("size in bytes"))
    name = models.CharField(_("file"), max_length=200)  # in the "images" storage
    small_name = models.CharField(max_length=200, blank=True, default="")
    small_width = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("stored image")
        verbose_name_plural = _("stored images")

    def __str__(self):
        return f"{self.name} ({self.width}×{self.height})"


class RemoteImage(models.Model):
    """An image URL that bodies show, and what became of archiving it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ARCHIVED = "archived", _("Archived")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")  # a tracker or a tiny placeholder: nothing to keep

    url = models.TextField(_("URL"))
    url_hash = models.CharField(max_length=64, unique=True, editable=False)  # of the URL
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reason = models.TextField(_("reason"), blank=True, default="")
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    image = models.ForeignKey(
        StoredImage, on_delete=models.PROTECT, null=True, blank=True, related_name="sources"
    )
    articles = models.ManyToManyField("articles.Article", related_name="images", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("remote image")
        verbose_name_plural = _("remote images")
        indexes = [models.Index(fields=("status",), name="remote_image_status")]

    def __str__(self):
        return self.url
