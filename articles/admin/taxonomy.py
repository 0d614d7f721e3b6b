"""Authors and tags: lists with counts, renaming (an edit of each article they name),
merging tags, and the tag names the article form suggests."""

from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminTextInputWidget
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import publishing
from ..models import Author, Tag


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "article_count")
    search_fields = ("name",)
    ordering = ("name",)  # the article form's autocomplete pages through them

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        publishing.edit_author(
            Author.objects.get(pk=obj.pk), name=form.cleaned_data["name"], user=request.user
        )
        return None

    @admin.display(description=_("articles"), ordering="article_count")
    def article_count(self, author):
        return author.article_count


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "vault_path", "article_count")
    search_fields = ("name", "vault_path")
    fields = ("name", "slug", "vault_path")
    readonly_fields = ("slug",)
    formfield_overrides = {models.TextField: {"widget": AdminTextInputWidget}}
    actions = ("merge",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("tagged_articles"))

    @admin.display(description=_("articles"), ordering="article_count")
    def article_count(self, tag):
        return tag.article_count

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        publishing.edit_tag(
            Tag.objects.get(pk=obj.pk),
            name=form.cleaned_data["name"],
            vault_path=form.cleaned_data["vault_path"],
            user=request.user,
        )
        return None

    def delete_model(self, request, obj):
        publishing.delete_tags([obj], user=request.user)

    def delete_queryset(self, request, queryset):
        publishing.delete_tags(queryset, user=request.user)

    def get_urls(self):
        names = path(
            "names/", self.admin_site.admin_view(self.names_view), name="articles_tag_names"
        )
        return [names, *super().get_urls()]

    def names_view(self, request):
        """Tag names for the article form's autocomplete (select2's format)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        term = request.GET.get("term", "").strip()
        tags = Tag.objects.filter(name__icontains=term) if term else Tag.objects.all()
        tags = tags.annotate(n=Count("tagged_articles")).order_by("-n", "name")[:20]
        return JsonResponse({"results": [{"id": t.name, "text": t.name} for t in tags]})

    @admin.action(description=_("Merge the selected tags into one"), permissions=["change"])
    def merge(self, request, queryset):
        tags = list(queryset.annotate(n=Count("tagged_articles")).order_by("-n", "name"))
        if len(tags) < 2:
            self.message_user(
                request, gettext("Choose two tags or more to merge."), messages.WARNING
            )
            return None
        into = next((t for t in tags if str(t.pk) == request.POST.get("into")), None)
        if into is not None and request.POST.get("confirm"):
            moved = publishing.merge_tags(tags, into=into, user=request.user)
            done = gettext("Merged into “%(tag)s”: %(count)d articles retagged.")
            self.message_user(request, done % {"tag": into.name, "count": moved})
            return None
        choices = [(tag, publishing.merge_preview(tags, into=tag)) for tag in tags]
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Merge tags"),
            "opts": self.opts,
            "choices": choices,
            "tags": tags,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/articles/tag/merge.html", context)
