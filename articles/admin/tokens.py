"""API tokens in the newsroom: each person makes and revokes their own (a superuser sees
everyone's); a new token's key is shown once, on the page that follows its making."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import tokens
from ..models import ApiToken

User = get_user_model()
SHOWN = ("name", "prefix", "user", "created_at", "last_used_at", "revoked_at")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = SHOWN
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    actions = ("revoke",)

    def get_queryset(self, request):
        found = super().get_queryset(request).select_related("user")
        return found if request.user.is_superuser else found.filter(user=request.user)

    def get_fields(self, request, obj=None):
        if obj is not None:
            return SHOWN
        return ("name", "user") if request.user.is_superuser else ("name",)

    def get_readonly_fields(self, request, obj=None):
        return SHOWN[1:] if obj is not None else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":  # a token of anyone else would open nothing
            kwargs["queryset"] = User.objects.filter(is_staff=True, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        return {"user": request.user.pk}

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        user = obj.user if request.user.is_superuser else request.user
        token, request.folio_new_key = tokens.make(user=user, name=obj.name)
        obj.pk, obj.user, obj.prefix = token.pk, token.user, token.prefix

    def response_add(self, request, obj, post_url_continue=None):
        """The key, this once: Folio keeps only its hash."""
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Your new API token"),
            "opts": self.opts,
            "token": obj,
            "key": request.folio_new_key,
            "api": request.build_absolute_uri("/api/"),
        }
        return TemplateResponse(request, "admin/articles/apitoken/made.html", context)

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        count = tokens.revoke(queryset)
        self.message_user(request, gettext("%(count)d tokens revoked.") % {"count": count})
