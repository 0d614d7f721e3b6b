"""The newsroom: Django's admin, with editorial states, roles, a live preview, summaries
to review, tag hygiene and the history of every article. One module a screen (or part of one)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult
from taggit.models import Tag as TaggitTag

from . import articles, logins, taxonomy, tokens  # noqa: F401 (they register their screens)

# Folio has its own tag model (with a vault path); taggit's stays empty.
admin.site.unregister(TaggitTag)
# The task queue is the workers' business: the newsroom shows what became of each
# article's images on the article (and `manage.py archive_images` for the rest).
admin.site.unregister(DBTaskResult)
admin.site.site_header = _("Folio newsroom")
admin.site.site_title = _("Folio newsroom")
