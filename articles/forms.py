"""The article form of the newsroom: Markdown with a live preview, tags with
autocomplete, statuses a user may set, and a refusal to save over a newer version."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.contrib.admin.widgets import AdminTextInputWidget
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from . import notes, other_keys, publishing, rendering, vault
from .models import Article, Tag

_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:", re.IGNORECASE)


class MarkdownWidget(forms.Textarea):
    """A Markdown textarea beside a preview that the server renders as it is typed,
    with the renderer of the public page."""

    template_name = "admin/articles/markdown_widget.html"

    class Media:
        css = {"all": ["folio/admin/editor.css"]}
        js = ["folio/admin/editor.js"]

    def __init__(self, attrs=None):
        attrs = {"rows": 30, "data-preview-url": reverse_lazy("admin:articles_article_preview")}
        super().__init__(attrs)


class TagsWidget(forms.SelectMultiple):
    """Tags as removable chips, suggested from the existing tags as they are typed; a
    name no tag has yet makes a new tag."""

    class Media:
        css = {"all": ["admin/css/vendor/select2/select2.min.css", "admin/css/autocomplete.css"]}
        js = [
            "admin/js/vendor/jquery/jquery.min.js",
            "admin/js/vendor/select2/select2.full.min.js",
            "admin/js/jquery.init.js",
            "folio/admin/editor.js",
        ]

    def __init__(self, attrs=None):
        attrs = {"data-tags-url": reverse_lazy("admin:articles_tag_names"), "class": "folio-tags"}
        super().__init__(attrs)


class TagNamesField(forms.MultipleChoiceField):
    """Tag names, new ones included: any name is a valid choice."""

    widget = TagsWidget

    def valid_value(self, value):
        return 0 < len(value.strip()) <= vault.MAX_LENGTHS["tag"]

    def clean(self, value):
        names = [name.strip() for name in super().clean(value)]
        unique = {name.casefold(): name for name in reversed(names)}
        names = [unique[key] for key in dict.fromkeys(name.casefold() for name in names)]
        _at_most("tags", len(names))
        return names


_COUNTED = {"tags": _("tags"), "other keys": _("other keys")}  # vault.MAX_COUNTS' names


def _at_most(kind: str, count: int) -> None:
    """Refuse more of `kind` than a note may hold (vault.MAX_COUNTS, the importer's)."""
    limit = vault.MAX_COUNTS[kind]
    if count > limit:
        raise ValidationError(
            _("%(count)s %(kind)s: an article may have %(limit)s at most.")
            % {"count": count, "kind": _COUNTED[kind], "limit": limit},
            code="too_many",
        )


class ArticleForm(forms.ModelForm):
    tags = TagNamesField(label=_("tags"), required=False)
    summary_reviewed = forms.BooleanField(
        label=_("summary reviewed"),
        required=False,
        help_text=_("The summary was written by a machine: tick when a person has checked it."),
    )
    # The version the form was opened on (not `version`: that model field is not editable).
    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    original_url = forms.CharField(
        label=_("original URL"),
        required=False,
        max_length=vault.MAX_LENGTHS["url"],
        widget=AdminTextInputWidget(attrs={"type": "url", "inputmode": "url"}),
    )
    extra = other_keys.OtherKeysField(
        label=_("other front matter"),
        help_text=_(
            "Front-matter keys Folio has no field for, kept for export. A value that was "
            "text stays text; a number, true or false stays one while it reads as one; "
            "lists and mappings are YAML: [a, b], {key: value}. Empty a row to remove it."
        ),
    )

    class Meta:
        model = Article
        fields = (
            "title",
            "slug",
            "author",
            "status",
            "published_at",
            "tags",
            "summary",
            "summary_reviewed",
            "body",
            "source_platform",
            "original_url",
            "extra",
        )
        widgets = {
            "title": AdminTextInputWidget,
            "source_platform": AdminTextInputWidget,
            "body": MarkdownWidget,
            "summary": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.body_html = None  # rendered by clean_body when the body changed
        self.fields["opened_version"].initial = self.instance.version
        if "extra" in self.fields:  # rows in the note's order; retyped values keep their type
            self._other_keys(self.fields["extra"])
        self.fields["summary_reviewed"].initial = bool(self.instance.summary_reviewed_at)
        names = [tag.name for tag in self.instance.tag_list()] if self.instance.pk else []
        self.fields["tags"].initial = names
        self.fields["tags"].choices = [(name, name) for name in names]
        if "slug" in self.fields:  # absent when the user may only view the article
            self._slug_field(self.fields["slug"])
        published = self.fields.get("published_at")
        if published is not None and hasattr(published.widget, "widgets"):
            # The admin's date and time boxes: one <label> names the pair, none each box.
            names = (_("Publish date"), _("Publish time"))
            for box, name in zip(published.widget.widgets, names, strict=True):
                box.attrs["aria-label"] = name
        if not publishing.can_publish(user):  # an Author: drafts and review, no review marks
            states = publishing.AUTHOR_STATES
            if "status" in self.fields:
                self.fields["status"].choices = [
                    c for c in Article.Status.choices if c[0] in states
                ]
            self.fields["summary_reviewed"].disabled = True

    def _other_keys(self, field):
        extra = self.initial.get("extra")
        layout = self.instance.vault_layout
        layout = vault.Layout.from_json(layout) if layout else None
        field.original = other_keys.in_note_order(extra, layout) if isinstance(extra, dict) else {}
        self.initial["extra"] = field.original

    def _slug_field(self, field):
        field.required = False
        field.help_text = _("Pinyin of the title when left empty.")
        if not self.instance.pk:  # a new article's slug follows its title as it is typed
            field.widget.attrs["data-slug-url"] = reverse("admin:articles_article_slug")

    def clean_status(self):
        status = self.cleaned_data["status"]
        old = self.instance.status if self.instance.pk else None
        try:
            publishing.check_status(old=old, new=status, user=self.user)
        except PermissionDenied as denied:
            raise ValidationError(str(denied)) from None
        return status

    def clean_original_url(self):
        url = self.cleaned_data["original_url"].strip()
        # What the vault gave is kept as written (the page links it only if it is http);
        # what an editor types must be a link (https:// when typed without a scheme).
        if not url or "original_url" not in self.changed_data:
            return url
        if not _SCHEME.match(url):
            url = f"https://{url}"
        if rendering.link(url) != url:
            raise ValidationError(
                _("Write an http:// or https:// link; “%(url)s” is not one.") % {"url": url[:80]},
                code="invalid",
            )
        return url

    def clean_body(self):
        """Render the body here, within the time allowed, so that a body that cannot be
        rendered is an error on the form, not on saving."""
        body = self.cleaned_data["body"]
        self.body_html = None
        if "body" in self.changed_data or not self.instance.pk:
            try:
                self.body_html = rendering.render(body, seconds=settings.FOLIO_RENDER_SECONDS)
            except rendering.RenderError as error:
                raise ValidationError(str(error), code="render") from None
        return body

    def clean_extra(self):
        extra = self.cleaned_data["extra"]
        if not isinstance(extra, dict):  # what the old JSON box let through
            return {}
        _at_most("other keys", len(extra))
        taken = [key for key in extra if vault.role_of(key)]
        if taken:
            raise ValidationError(
                _(
                    "%(keys)s have fields of their own (title, date, author, source, link, "
                    "tags, status): set them there."
                )
                % {"keys": "、".join(f"“{key}”" for key in taken)},
                code="role",
            )
        return extra

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            self._refuse_stale(cleaned.get("opened_version"))
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        if not self.errors:
            self._refuse_too_big()

    def _refuse_too_big(self) -> None:
        """Refuse what would export as a note the importer refuses (too many bytes)."""
        names = self.cleaned_data.get("tags", [])
        tags = [Tag(name=name, vault_path=name) for name in names]
        items = self.instance.summary_items.all() if self.instance.pk else []
        size = len(notes.note_text(self.instance, tags=tags, items=items).encode())
        limit = settings.FOLIO_MAX_NOTE_BYTES
        if size > limit:
            message = _(
                "This article would be a note of %(size)s bytes, over the limit of "
                "%(limit)s (FOLIO_MAX_NOTE_BYTES): shorten the body."
            ) % {"size": f"{size:,}", "limit": f"{limit:,}"}
            self.add_error("body", ValidationError(message, code="too_big"))

    def _refuse_stale(self, version: int | None) -> None:
        """Refuse to save over a version saved since this form was opened: the editor's
        changes stay in the form, to copy before reloading."""
        rows = Article.objects.select_for_update().filter(pk=self.instance.pk)
        current = rows.values_list("version", flat=True).first()
        if current is not None and version != current:
            latest = self.instance.revisions.order_by("-number").select_related("user").first()
            who = (latest.user.get_username() if latest and latest.user else "") or _("someone")
            when = ""
            if latest:
                when = date_format(timezone.localtime(latest.created_at), "DATETIME_FORMAT")
            raise ValidationError(
                _(
                    "%(who)s saved this article at %(when)s, after you opened it. Your changes "
                    "are not saved: copy them, reload the page, and make them again."
                )
                % {"who": who, "when": when},
                code="stale",
            )

    def _save_m2m(self):
        # Tags go through notes.find_tags (case folded, in the order given), not taggit.
        names = self.cleaned_data.pop("tags", [])
        super()._save_m2m()
        tags = notes.find_tags(notes.topics(names, self.instance))
        notes.set_tags(self.instance, tags)

    def save(self, commit=True):
        article = super().save(commit=False)
        reviewed = self.cleaned_data["summary_reviewed"]
        if reviewed and not article.summary_reviewed_at:
            article.summary_reviewed_at, article.summary_reviewed_by = timezone.now(), self.user
        elif not reviewed:
            article.summary_reviewed_at = article.summary_reviewed_by = None
        if self.body_html is not None:
            article.set_body(article.body, html=self.body_html)
        if commit:
            article.save()
        return article
