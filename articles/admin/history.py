"""An article's history: its revisions, two of them compared side by side, and a restore
(asked first, as a comparison with the article as it is)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext

from .. import notes, publishing, revisions
from ..models import Article, Revision


class HistoryScreens:
    """The history screens of ArticleAdmin (which gives `_article_or_404`)."""

    def history_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/history/compare/",
                view(self.compare_view),
                name="articles_article_compare",
            ),
            path(
                "<path:object_id>/history/<int:number>/restore/",
                view(self.restore_view),
                name="articles_article_restore",
            ),
        ]

    def history_view(self, request, object_id, extra_context=None):
        article = self._article_or_404(request, object_id)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("History: %(title)s") % {"title": article.title},
            "opts": self.opts,
            "article": article,
            "revisions": article.revisions.select_related("user"),
            "can_restore": self.has_change_permission(request, article),
        }
        return TemplateResponse(request, "admin/articles/article/history.html", context)

    def compare_view(self, request, object_id):
        article = self._article_or_404(request, object_id)
        older, newer = _two_revisions(article, request.GET.get("a"), request.GET.get("b"))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Changes from revision %(a)s to %(b)s")
            % {"a": older.number, "b": newer.number},
            "opts": self.opts,
            "article": article,
            "older": older,
            "newer": newer,
            "comparison": revisions.compare(
                older.note, newer.note, old_slug=older.slug, new_slug=newer.slug
            ),
            "can_restore": self.has_change_permission(request, article),
        }
        return TemplateResponse(request, "admin/articles/article/compare.html", context)

    def restore_view(self, request, object_id, number):
        """GET asks: what restoring would change, from the article as it is now to the
        revision; POST (the form of that page) restores."""
        article = self._article_or_404(request, object_id)
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        revision = get_object_or_404(article.revisions, number=number)
        if request.method != "POST":
            return self._confirm_restore(request, article, revision)
        try:
            publishing.restore(article, revision=revision, user=request.user)
        except PermissionDenied as error:
            self.message_user(request, str(error), messages.ERROR)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            done = gettext("Revision %(number)s restored, as a new revision.")
            self.message_user(request, done % {"number": number}, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:articles_article_history", args=[article.pk]))

    def _confirm_restore(self, request, article, revision):
        # A restore keeps the article's address: the slug compared is the article's own.
        comparison = revisions.compare(
            notes.note_text(article), revision.note, old_slug=article.slug, new_slug=article.slug
        )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Restore revision %(n)s?") % {"n": revision.number},
            "opts": self.opts,
            "article": article,
            "revision": revision,
            "comparison": comparison,
        }
        return TemplateResponse(request, "admin/articles/article/restore.html", context)


def _two_revisions(article: Article, a: str | None, b: str | None) -> tuple[Revision, Revision]:
    numbers = sorted({int(n) for n in (a, b) if n and n.isdecimal()})
    if len(numbers) == 1:
        numbers = [numbers[0] - 1, numbers[0]]
    if len(numbers) != 2:
        raise Http404("Compare two revisions: ?a=N&b=M")
    older = get_object_or_404(article.revisions, number=numbers[0])
    newer = get_object_or_404(article.revisions, number=numbers[1])
    return older, newer
