"""The newsroom's admin site: Django's, with failed logins slowed (security.login_wait)
and its "view on site" redirect kept to those who may view the object (Django's answers
any staff member with the object's address, such as a draft's, whatever their
permissions). Apart from the admin package, which registers its screens on this site as it
is imported."""

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _

from . import security


class SlowedLoginForm(AdminAuthenticationForm):
    """The admin's login form, which refuses a try sent sooner than failed logins allow
    (security.login_wait) before it looks at the password."""

    def clean(self):
        wait = security.login_wait(self.request)
        if wait:
            self.request.folio_login_wait = wait
            message = _("Too many failed logins: try again in %(seconds)s s.")
            raise ValidationError(message % {"seconds": wait}, code="slowed")
        return super().clean()


class NewsroomSite(admin.AdminSite):
    login_form = SlowedLoginForm

    def login(self, request, extra_context=None):
        response = super().login(request, extra_context)
        wait = getattr(request, "folio_login_wait", 0)
        if wait:  # the form again, with the wait: 429 and when to come back
            response.status_code = 429
            response["Retry-After"] = str(wait)
        return response

    def get_urls(self):
        checked = path(
            "r/<path:content_type_id>/<path:object_id>/",
            self.admin_view(self.view_on_site),
            name="view_on_site",
        )
        urls = super().get_urls()
        return [checked if getattr(url, "name", "") == "view_on_site" else url for url in urls]

    def view_on_site(self, request, content_type_id, object_id):
        """To the object's public address, for those who may view it in the admin."""
        try:
            model = ContentType.objects.get_for_id(content_type_id).model_class()
        except (ContentType.DoesNotExist, ValueError):
            raise Http404 from None
        model_admin = self._registry.get(model)
        if model_admin is None or not model_admin.has_view_or_change_permission(request):
            raise Http404
        return shortcut(request, content_type_id, object_id)
