from django.apps import AppConfig
from django.contrib.admin import apps as admin
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = _("Articles")

    def ready(self):
        from . import staticfiles  # noqa: F401 (registers its deploy check)


class NewsroomAdminConfig(admin.AdminConfig):
    """Django's admin, on the newsroom's site (articles/adminsite.py)."""

    default = False  # ArticlesConfig is this module's
    default_site = "articles.adminsite.NewsroomSite"
