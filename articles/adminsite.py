"""The newsroom's admin site: Django's, with its "view on site" redirect kept to those who
may view the object. (Django's answers any staff member with the object's address, such
as a draft's, whatever their permissions.) Apart from the admin package, which registers
its screens on this site as it is imported."""

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.http import Http404
from django.urls import path


class NewsroomSite(admin.AdminSite):
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
