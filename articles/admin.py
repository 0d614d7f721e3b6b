from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag as TaggitTag

from .models import Article, Author, SummaryItem, Tag

# Folio has its own tag model (with a vault path); taggit's stays empty.
admin.site.unregister(TaggitTag)


class SummaryItemInline(admin.TabularInline):
    model = SummaryItem
    extra = 0
    fields = ("kind", "position", "label", "text")


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "author", "status", "published_at", "updated_at")
    list_filter = ("status", "published_at")
    list_select_related = ("author",)
    search_fields = ("title", "summary", "author__name")
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("author",)
    readonly_fields = ("source_path", "created_at", "updated_at")
    inlines = (SummaryItemInline,)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = (
        (None, {"fields": ("title", "slug", "author", "status", "published_at", "tags")}),
        (_("Summary"), {"fields": ("summary",)}),
        (_("Body"), {"fields": ("body",)}),
        (
            _("Source"),
            {"fields": ("source_platform", "original_url", "source_path", "extra")},
        ),
        (_("History"), {"fields": ("created_at", "updated_at")}),
    )


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "vault_path")
    search_fields = ("name", "vault_path")
    prepopulated_fields = {"slug": ("name",)}
