"""Editorial state changes: each a function with keyword-only arguments, in one
transaction, leaving a revision. The admin's forms and actions call these.

States: draft -> in review -> published, and archived. A published article whose publish
time is still to come is scheduled: `Article.objects.published()` shows it when the time
comes, so no job has to run. Authors (without `articles.publish_article`) keep to drafts
and articles in review, their own or nobody's (`may_edit`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from . import changes, notes, pagecache, rendering, slugs, vault
from .models import (
    Article,
    Author,
    Revision,
    SummaryItem,
    Tag,
    TaggedArticle,
    TagRedirect,
    unique_slug,
)

Status = Article.Status
TRANSITIONS = {
    Status.DRAFT: {Status.REVIEW, Status.PUBLISHED, Status.ARCHIVED},
    Status.REVIEW: {Status.DRAFT, Status.PUBLISHED, Status.ARCHIVED},
    Status.PUBLISHED: {Status.DRAFT, Status.ARCHIVED},
    Status.ARCHIVED: {Status.DRAFT, Status.PUBLISHED},
}
AUTHOR_STATES = {Status.DRAFT, Status.REVIEW}


def _locked(articles: QuerySet[Article]) -> QuerySet[Article]:
    """`articles`, their rows locked until the transaction ends (a plain query: the
    admin's joins and DISTINCT do not go with FOR UPDATE on PostgreSQL)."""
    return Article.objects.filter(pk__in=articles.values("pk")).order_by("pk").select_for_update()


def can_publish(user: AbstractBaseUser) -> bool:
    return user.has_perm("articles.publish_article")


def creator(article: Article) -> int | None:
    """The id of the user who created `article` (who made its first revision); None when
    nobody of the newsroom did: an import, or a user since deleted."""
    if article.pk is None:
        return None
    if not hasattr(article, "_creator"):  # a change form asks a score of times: once
        first = article.revisions.order_by("number").values_list("user_id", flat=True)
        article._creator = first.first()
    return article._creator


def may_edit(user: AbstractBaseUser, article: Article) -> bool:
    """Editors edit every article; Authors drafts and articles in review that they
    created or that nobody of the newsroom did (an import), never another person's."""
    if can_publish(user):
        return True
    return article.status in AUTHOR_STATES and creator(article) in (None, user.pk)


def check_edit(user: AbstractBaseUser, article: Article) -> None:
    """Raise PermissionDenied unless `user` may edit `article` (`may_edit`)."""
    if not may_edit(user, article):
        raise PermissionDenied(
            _(
                "Only editors change this article, and the author who created it while it "
                "is a draft or in review."
            )
        )


def check_status(*, old: str | None, new: str, user: AbstractBaseUser) -> None:
    """Raise ValidationError for a move the state machine has not, PermissionDenied for
    one `user` may not make. `old` is None for a new article."""
    if old is not None and old != new and new not in TRANSITIONS[Status(old)]:
        raise ValidationError(
            _("An article cannot go from “%(old)s” to “%(new)s”.")
            % {"old": Status(old).label, "new": Status(new).label}
        )
    if not can_publish(user) and ({new} | ({old} if old else set())) - AUTHOR_STATES:
        raise PermissionDenied(_("Only editors publish, unpublish and archive articles."))


@transaction.atomic
def set_status(
    article: Article,
    *,
    status: str,
    user: AbstractBaseUser,
    publish_at: datetime | None = None,
) -> Revision | None:
    """Move `article` to `status` (publish at `publish_at` if given: a time to come
    schedules it); None when nothing changes."""
    check_edit(user, article)
    check_status(old=article.status, new=status, user=user)
    if article.status == status and publish_at in (None, article.published_at):
        return None
    article.status = status
    if publish_at is not None:
        article.published_at = publish_at
    article.save()
    return changes.saved(article, user=user, comment=Status(status).label)


def saved_from_form(
    article: Article,
    *,
    user: AbstractBaseUser,
    created: bool,
    status_changed: bool,
    summary_changed: bool,
) -> Revision:
    """What follows a save of the article form (the article, its summary's rows and its
    tags saved): the rows numbered 0, 1, 2… in the order the editor left them, a review
    withdrawn from a summary an Author changed, then `changes.saved`, saying what
    happened."""
    if summary_changed:
        _unreview(article, user=user)
    for kind in SummaryItem.Kind.values:
        items = article.summary_items.filter(kind=kind).order_by("position", "pk")
        for position, item in enumerate(items):
            if item.position != position:
                SummaryItem.objects.filter(pk=item.pk).update(position=position)
    if created:
        comment = _("Created")
    else:
        comment = Status(article.status).label if status_changed else _("Edited")
    return changes.saved(article, user=user, comment=comment)


def _unreview(article: Article, *, user: AbstractBaseUser) -> None:
    """A summary changed by someone who may not review it is not reviewed any more."""
    if article.summary_reviewed_at and not can_publish(user):
        article.summary_reviewed_at = article.summary_reviewed_by = None
        Article.objects.filter(pk=article.pk).update(
            summary_reviewed_at=None, summary_reviewed_by=None
        )


@transaction.atomic
def set_status_of_many(
    articles: QuerySet[Article], *, status: str, user: AbstractBaseUser
) -> tuple[int, int]:
    """`set_status` for each article that may move there: (moved, passed over)."""
    moved = passed = 0
    for article in _locked(articles):
        try:
            changed = set_status(article, status=status, user=user)
        except ValidationError:
            changed = None
        moved, passed = (moved + 1, passed) if changed else (moved, passed + 1)
    return moved, passed


@transaction.atomic
def mark_summaries_reviewed(articles: QuerySet[Article], *, user: AbstractBaseUser) -> int:
    """Mark the machine-written summaries of `articles` as reviewed by `user`, now: an
    edit of each (a form opened before is refused). How many were not reviewed yet."""
    if not can_publish(user):
        raise PermissionDenied(_("Only editors mark summaries reviewed."))
    marked = 0
    for article in _locked(articles.filter(summary_reviewed_at__isnull=True)):
        article.summary_reviewed_at, article.summary_reviewed_by = timezone.now(), user
        article.save(update_fields=["summary_reviewed_at", "summary_reviewed_by"])
        changes.saved(article, user=user, comment=_("Summary reviewed"))
        marked += 1
    return marked


@transaction.atomic
def tag_many(
    articles: QuerySet[Article], *, name: str, user: AbstractBaseUser, add: bool = True
) -> int:
    """Add the tag `name` to `articles` (or remove it): how many changed."""
    name = name.strip()
    if not name or len(name) > vault.MAX_LENGTHS["tag"]:
        raise ValidationError(_("A tag name is 1 to 100 characters."))
    [tag] = notes.find_tags(notes.topics([name])) if add else [None]
    tag = tag or Tag.objects.filter(name__iexact=name).first()
    changed = 0
    for article in _locked(articles):
        has = article.tagged_items.filter(tag=tag).exists() if tag else False
        if tag is None or has == add:
            continue
        if add:
            TaggedArticle.objects.create(content_object=article, tag=tag)
        else:
            article.tagged_items.filter(tag=tag).delete()
        changes.touched(article, user=user, comment=_("Tags"))
        changed += 1
    return changed


@transaction.atomic
def restore(article: Article, *, revision: Revision, user: AbstractBaseUser) -> Revision:
    """Make `article` what it was at `revision` (its address stays): a new revision.
    The move to the status the revision's note gives is checked, as it will be applied."""
    check_edit(user, article)
    note = vault.parse(
        revision.note,
        path=f"revision {revision.number}",
        tz=timezone.get_default_timezone(),
        default_date=article.published_at,
        limits=False,
    )
    check_status(old=article.status, new=note.status, user=user)
    author = Author.objects.get_or_create(name=note.author)[0] if note.author else None
    if notes.to_vault(article).summary != note.summary:
        _unreview(article, user=user)
    try:
        items = notes.apply(article, note, author=author)
    except rendering.RenderError as error:  # kept from before the budget, or a faster machine
        raise ValidationError(
            _("Revision %(number)s cannot be restored: its body %(problem)s.")
            % {"number": revision.number, "problem": error.message}
        ) from error
    article.save()
    notes.save_related(article, items, notes.find_tags(note.tags))
    comment = _("Restored revision %(number)s") % {"number": revision.number}
    return changes.saved(article, user=user, comment=comment)


@transaction.atomic
def delete_articles(articles: QuerySet[Article]) -> int:
    """Delete `articles` (their revisions and vault agreements with them; their files in
    the vault stay): gone from every page at once. How many."""
    deleted = Article.objects.filter(pk__in=articles.values("pk")).delete()[1]
    pagecache.expire()
    return deleted.get(Article._meta.label, 0)


# --- tags -------------------------------------------------------------------------------


@transaction.atomic
def edit_tag(tag: Tag, *, name: str, vault_path: str, user: AbstractBaseUser) -> Tag:
    """Rename `tag` or move its topic note: an edit of each article it tags. Its address
    follows the new name (the old one redirects), unless it is that name's slug already or
    a numbered variant of it; a vault path that ended in the old name ends in the new one."""
    old_name, name = tag.name, name.strip()
    if name != old_name and vault_path.rsplit("/", 1)[-1] == old_name:
        vault_path = vault_path[: len(vault_path) - len(old_name)] + name
    if (name, vault_path) == (old_name, tag.vault_path):
        return tag
    tag.name, tag.vault_path = name, vault_path
    base = slugs.slugify(name) or "tag"
    if not slugs.is_numbered(tag.slug, base):
        tag.slug = unique_slug(Tag, base)
    tag.save()
    articles = Article.objects.filter(tagged_items__tag=tag)
    for article in _locked(articles):
        changes.touched(article, user=user, comment=_("Tag renamed"))
    return tag


@transaction.atomic
def edit_author(author: Author, *, name: str, user: AbstractBaseUser) -> Author:
    """Rename `author`: an edit of each of its articles (its address stays)."""
    if name == author.name:
        return author
    author.name = name
    author.save()
    for article in _locked(Article.objects.filter(author=author)):
        changes.touched(article, user=user, comment=_("Author renamed"))
    return author


@transaction.atomic
def delete_tags(tags: Iterable[Tag], *, user: AbstractBaseUser) -> int:
    """Delete `tags`: an edit of each article they tagged. How many articles."""
    tags = list(tags)
    articles = Article.objects.filter(tagged_items__tag__in=tags).distinct()
    edited = 0
    for article in _locked(articles):
        article.tagged_items.filter(tag__in=tags).delete()
        changes.touched(article, user=user, comment=_("Tag deleted"))
        edited += 1
    Tag.objects.filter(pk__in=[tag.pk for tag in tags]).delete()
    return edited


def merge_preview(tags: Iterable[Tag], *, into: Tag) -> int:
    """How many articles a merge of `tags` into `into` would retag."""
    others = [tag.pk for tag in tags if tag.pk != into.pk]
    return (
        Article.objects.filter(tagged_items__tag__in=others)
        .exclude(tagged_items__tag=into)
        .aggregate(n=Count("pk", distinct=True))["n"]
    )


@transaction.atomic
def merge_tags(tags: Iterable[Tag], *, into: Tag, user: AbstractBaseUser) -> int:
    """Move the articles of `tags` to `into` and delete `tags`; their addresses redirect
    to `into`. How many articles moved."""
    others = [tag for tag in tags if tag.pk != into.pk]
    articles = Article.objects.filter(tagged_items__tag__in=others).distinct()
    moved = 0
    for article in _locked(articles):
        article.tagged_items.filter(tag__in=others).delete()
        moved += TaggedArticle.objects.get_or_create(content_object=article, tag=into)[1]
        changes.touched(article, user=user, comment=_("Tags merged"))
    for tag in others:
        TagRedirect.objects.filter(tag=tag).update(tag=into)
        TagRedirect.objects.update_or_create(old_slug=tag.slug, defaults={"tag": into})
        tag.delete()
    pagecache.expire()  # the old addresses, though no article moved
    return moved
