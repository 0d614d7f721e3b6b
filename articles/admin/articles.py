"""The article screens: the change list, the form (Markdown beside a live preview, the
summary's rows) and bulk actions; each article's history (history.py) and what became of
its images (images.py) are parts of the same ModelAdmin."""

import time

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import SEARCH_VAR
from django.contrib.admin.widgets import AdminTextInputWidget
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.http import Http404, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import publishing, rendering, search, security, slugs, vault
from ..forms import ArticleForm
from ..models import Article, SummaryItem, Tag
from . import preview
from .history import HistoryScreens
from .images import ImageScreens, ImagesFilter

# --- the summary's key points and risks, each an ordered list of rows ---------------------------


class _SummaryItems(BaseInlineFormSet):
    kind = ""

    @classmethod
    def get_default_prefix(cls):
        return f"summary-{cls.kind}"

    def get_queryset(self):
        return super().get_queryset().filter(kind=self.kind)

    def save_new(self, form, commit=True):
        form.instance.kind = self.kind
        return super().save_new(form, commit)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:  # under a column heading, with no label of its own
            form.fields["DELETE"].widget.attrs["aria-label"] = gettext("Delete this row")


class _KeyPoints(_SummaryItems):
    kind = SummaryItem.Kind.POINT


class _Risks(_SummaryItems):
    kind = SummaryItem.Kind.RISK


class _SummaryItemInline(admin.TabularInline):
    model = SummaryItem
    extra = 0
    fields = ("position", "label", "text")
    ordering = ("position", "pk")
    classes = ("folio-ordered",)
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "label":
            kwargs["widget"] = AdminTextInputWidget
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:  # a row's boxes have a column heading, and no label of their own
            name = f"{self.verbose_name}：{db_field.verbose_name}"
            field.widget.attrs["aria-label"] = name
            if db_field.name != "position":  # on a phone, where the headings are hidden
                field.widget.attrs["placeholder"] = db_field.verbose_name
        return field

    def get_formset(self, request, obj=None, **kwargs):
        # No more rows than a note may hold (the importer's limit), whatever is posted.
        return super().get_formset(request, obj, validate_max=True, **kwargs)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and _may_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and _may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and _may_edit(request, obj)


class KeyPointInline(_SummaryItemInline):
    formset = _KeyPoints
    max_num = vault.MAX_COUNTS["key points"]
    verbose_name = _("key point")
    verbose_name_plural = _("Key points")


class RiskInline(_SummaryItemInline):
    formset = _Risks
    max_num = vault.MAX_COUNTS["risks"]
    verbose_name = _("risk")
    verbose_name_plural = _("Risks and shortcomings")


def _short(moment) -> str:
    """2024-05-14, and 09:30 under it."""
    moment = localtime(moment)
    return format_html("{}<br>{}", date_format(moment, "Y-m-d"), date_format(moment, "H:i"))


def _may_edit(request, article) -> bool:
    return article is None or publishing.may_edit(request.user, article)


# --- the change list's filters ------------------------------------------------------------------


class StateFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return Article.State.choices

    def queryset(self, request, queryset):
        return queryset.in_state(self.value()) if self.value() else queryset


class SummaryFilter(admin.SimpleListFilter):
    title = _("summary")
    parameter_name = "summary"

    def lookups(self, request, model_admin):
        return [("unreviewed", _("Not reviewed")), ("reviewed", _("Reviewed"))]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(summary_reviewed_at__isnull=self.value() == "unreviewed")


class TagFilter(admin.SimpleListFilter):
    """The most used tags (a vault has thousands), and the one chosen."""

    title = _("tag")
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        tags = Tag.objects.annotate(n=Count("tagged_articles")).order_by("-n", "name")[:30]
        chosen = Tag.objects.filter(slug=self.value()).exclude(pk__in=[t.pk for t in tags])
        return [(tag.slug, tag.name) for tag in [*tags, *chosen]]

    def queryset(self, request, queryset):
        return queryset.filter(tagged_items__tag__slug=self.value()) if self.value() else queryset


class TagActionForm(ActionForm):
    tag = forms.CharField(label=_("Tag"), required=False, max_length=100)


# --- articles -----------------------------------------------------------------------------------


@admin.register(Article)
class ArticleAdmin(HistoryScreens, ImageScreens, admin.ModelAdmin):
    form = ArticleForm
    action_form = TagActionForm
    list_display = ("title", "state", "author", "summary_state", "published", "updated")
    list_filter = (
        StateFilter,
        SummaryFilter,
        ("author", admin.RelatedOnlyFieldListFilter),
        TagFilter,
        ImagesFilter,
        "published_at",
    )
    list_select_related = ("author", "summary_reviewed_by")
    list_per_page = 50
    search_fields = ("title", "summary", "author__name")
    date_hierarchy = "published_at"
    show_facets = admin.ShowFacets.ALLOW
    autocomplete_fields = ("author",)
    readonly_fields = ("source_path", "created_at", "updated_at", "images_kept")
    inlines = (KeyPointInline, RiskInline)
    actions = (
        "publish",
        "unpublish",
        "archive",
        "mark_reviewed",
        "add_tag",
        "remove_tag",
        "fetch_images_again",
    )

    class Media:
        css = {"all": ["folio/admin/editor.css"]}

    fieldsets = (
        (None, {"fields": ("title", "slug", "author", "status", "published_at", "tags")}),
        (_("Summary"), {"fields": ("summary", "summary_reviewed")}),
        (_("Body"), {"fields": ("body",)}),
        (_("Source"), {"fields": ("source_platform", "original_url", "source_path", "extra")}),
        (_("Images"), {"fields": ("images_kept",)}),
        (_("History"), {"fields": ("created_at", "updated_at", "opened_version")}),
    )

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class FormForUser(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, user=request.user, **kwargs)

        return FormForUser

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and _may_edit(request, obj)

    def delete_model(self, request, obj):
        publishing.delete_articles(Article.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        publishing.delete_articles(queryset)

    def get_search_results(self, request, queryset, search_term):
        # The site's own engine: Chinese words, not LIKE '%…%'.
        return search.matching(queryset, search_term), False

    def changelist_view(self, request, extra_context=None):
        if request.method != "GET" or not request.GET.get(SEARCH_VAR):
            return super().changelist_view(request, extra_context)
        with search.planned():  # count and list the matches through the index
            response = super().changelist_view(request, extra_context)
            if isinstance(response, TemplateResponse):
                response.render()
        return response

    def has_publish_permission(self, request):
        return publishing.can_publish(request.user)

    @admin.display(description=_("status"), ordering="status")
    def state(self, article):
        state = article.state
        return format_html('<span class="folio-state {}">{}</span>', state, state.label)

    # Dates as figures (2024-05-14, 09:30 under it): the long form took a column each the
    # width of the titles, which then wrapped word by word.
    @admin.display(description=_("publish time"), ordering="published_at")
    def published(self, article):
        return _short(article.published_at)

    @admin.display(description=_("updated"), ordering="updated_at")
    def updated(self, article):
        return _short(article.updated_at)

    @admin.display(description=_("summary"), ordering="summary_reviewed_at")
    def summary_state(self, article):
        if not article.summary_reviewed_at:
            return format_html('<span class="folio-unreviewed">{}</span>', _("Not reviewed"))
        who = article.summary_reviewed_by.get_username() if article.summary_reviewed_by else ""
        return _("Reviewed by %(who)s") % {"who": who} if who else _("Reviewed")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        publishing.saved_from_form(
            form.instance,
            user=request.user,
            created=not change,
            status_changed="status" in form.changed_data,
            summary_changed="summary" in form.changed_data
            or any(formset.has_changed() for formset in formsets),
        )

    # --- actions

    def _status_action(self, request, queryset, status, done):
        moved, passed = publishing.set_status_of_many(queryset, status=status, user=request.user)
        self.message_user(request, done % {"count": moved}, messages.SUCCESS)
        if passed:
            left = gettext("%(count)d left as they were (already there, or not a step allowed).")
            self.message_user(request, left % {"count": passed}, messages.WARNING)

    @admin.action(description=_("Publish the selected articles"), permissions=["publish"])
    def publish(self, request, queryset):
        self._status_action(
            request, queryset, Article.Status.PUBLISHED, gettext("%(count)d published.")
        )

    @admin.action(description=_("Unpublish the selected articles"), permissions=["publish"])
    def unpublish(self, request, queryset):
        self._status_action(
            request, queryset, Article.Status.DRAFT, gettext("%(count)d unpublished.")
        )

    @admin.action(description=_("Archive the selected articles"), permissions=["publish"])
    def archive(self, request, queryset):
        self._status_action(
            request, queryset, Article.Status.ARCHIVED, gettext("%(count)d archived.")
        )

    @admin.action(description=_("Mark the summaries reviewed"), permissions=["publish"])
    def mark_reviewed(self, request, queryset):
        count = publishing.mark_summaries_reviewed(queryset, user=request.user)
        self.message_user(request, gettext("%(count)d summaries reviewed.") % {"count": count})

    @admin.action(description=_("Add the tag to the selected articles"), permissions=["publish"])
    def add_tag(self, request, queryset):
        self._tag_action(request, queryset, add=True)

    @admin.action(
        description=_("Remove the tag from the selected articles"), permissions=["publish"]
    )
    def remove_tag(self, request, queryset):
        self._tag_action(request, queryset, add=False)

    def _tag_action(self, request, queryset, *, add):
        try:
            count = publishing.tag_many(
                queryset, name=request.POST.get("tag", ""), user=request.user, add=add
            )
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            self.message_user(request, gettext("%(count)d articles retagged.") % {"count": count})

    # --- live preview, the slug

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("preview/", view(self.preview_view), name="articles_article_preview"),
            path("slug/", view(self.slug_view), name="articles_article_slug"),
            *self.images_urls(),
            *self.history_urls(),
            *super().get_urls(),
        ]

    def preview_view(self, request):
        """The article page as readers will see it, from the form as it stands: the body
        rendered by the public renderer, in the public template and styles (the editor
        shows `page` in a frame of its own, so the body's ids meet none of the admin's)."""
        if request.method != "POST":
            return JsonResponse({"error": "POST the body"}, status=405)
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        wait = security.preview_wait(request.user)
        if wait:
            error = gettext("Too many previews at once: the preview resumes in %(s)s s.")
            response = JsonResponse({"error": error % {"s": wait}}, status=429)
            response["Retry-After"] = str(wait)
            return response
        body = request.POST.get("body", "")
        size, limit = len(body.encode()), settings.FOLIO_MAX_NOTE_BYTES
        if size > limit:
            error = gettext("The body is %(size)s bytes, over the limit of %(limit)s.")
            return JsonResponse({"error": error % {"size": f"{size:,}", "limit": f"{limit:,}"}})
        started = time.perf_counter()
        try:
            html = rendering.render(body, seconds=settings.FOLIO_RENDER_SECONDS)
            return JsonResponse({"html": html, "page": preview.page(request, html)})
        except rendering.RenderError as error:
            return JsonResponse({"error": str(error)})
        finally:
            security.preview_spent(request.user, time.perf_counter() - started)

    def slug_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        return JsonResponse({"slug": slugs.slugify(request.GET.get("title", ""))})

    def _article_or_404(self, request, object_id):
        article = self.get_object(request, unquote(object_id))  # None for "abc" as for 9999
        if article is None:
            raise Http404
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        return article
