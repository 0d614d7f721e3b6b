"""What became of an article's images, in the newsroom: counts and reasons on its form, a
button there and an action on the change list to fetch the missing ones again, and a
filter of the change list."""

from collections import Counter

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..images import archive as images
from ..models import RemoteImage


class ImagesFilter(admin.SimpleListFilter):
    """Articles by what became of their images: some missing (given up), some still to
    fetch, or every one kept."""

    title = _("images")
    parameter_name = "images"

    def lookups(self, request, model_admin):
        return [
            ("missing", _("Some missing")),
            ("waiting", _("Some still to fetch")),
            ("kept", _("All kept")),
        ]

    def queryset(self, request, queryset):
        Status = RemoteImage.Status
        if self.value() == "missing":
            return queryset.filter(pk__in=_with_images(Status.FAILED))
        if self.value() == "waiting":
            return queryset.filter(pk__in=_with_images(Status.PENDING))
        if self.value() == "kept":
            return queryset.exclude(pk__in=_with_images(Status.FAILED, Status.PENDING))
        return queryset


def _with_images(*statuses):
    """The ids of articles with images in one of `statuses`."""
    rows = RemoteImage.articles.through.objects.filter(remoteimage__status__in=statuses)
    return rows.values("article")


class ImageScreens:
    """ArticleAdmin's part for images (it gives `_article_or_404`)."""

    def images_urls(self):
        return [
            path(
                "<path:object_id>/images/again/",
                self.admin_site.admin_view(self.images_again_view),
                name="articles_article_images_again",
            )
        ]

    @admin.display(description=_("copies kept"))
    def images_kept(self, article):
        """How many of the article's images Folio keeps, and why any is missing."""
        if article.pk is None:
            return "—"
        rows = list(article.images.order_by("pk"))
        if not rows:
            return _("No remote images.")
        counts = Counter(row.status for row in rows)
        Status = RemoteImage.Status
        summary = _("%(kept)d kept, %(waiting)d still to fetch, %(missing)d missing") % {
            "kept": counts[Status.ARCHIVED] + counts[Status.SKIPPED],
            "waiting": counts[Status.PENDING],
            "missing": counts[Status.FAILED],
        }
        problems = [
            row for row in rows if row.status in {Status.FAILED, Status.PENDING} and row.reason
        ]
        return format_html(
            "<p>{}</p>{}",
            summary,
            format_html_join(
                "",
                '<p class="folio-image-problem"><a href="{}">{}</a><br>{}</p>',
                ((row.url, Truncator(row.url).chars(80), row.reason) for row in problems),
            ),
        )

    @admin.action(description=_("Fetch the missing images again"), permissions=["change"])
    def fetch_images_again(self, request, queryset):
        self._fetch_again(request, RemoteImage.objects.filter(pk__in=queryset.values("images")))

    def images_again_view(self, request, object_id):
        """The form's button: the article's missing images fetched again (anyone who may
        run the change list's action may, as there: it changes no article)."""
        article = self._article_or_404(request, object_id)
        if not self.has_change_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        self._fetch_again(request, article.images.all())
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    def _fetch_again(self, request, remote_images) -> None:
        count = images.again(remote_images)
        self.message_user(
            request, gettext("%(count)d images will be fetched again.") % {"count": count}
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and self.has_change_permission(request):  # the button's count
            context["missing_images"] = obj.images.filter(status=RemoteImage.Status.FAILED).count()
        return super().render_change_form(request, context, add, change, form_url, obj)
