"""The one path every change of an article takes, whoever makes it: the admin's form and
actions, a restore, a tag or an author renamed, an import.

Saving the article bumps its version, so that a form opened before is refused. Then
`saved` records a revision and brings up to date, explicitly, what derives from the
article: its search entry, its tag rows' copies, the page cache, the record of the images
it shows (each new one archived in the background).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from . import pagecache, revisions, search, tokenizer
from .images import archive as images
from .models import Article, Revision, TaggedArticle


def saved(
    article: Article,
    *,
    user: AbstractBaseUser | None,
    comment: str,
    note: str | None = None,
    first: bool = False,
    document: tokenizer.Document | None = None,
) -> Revision:
    """What follows every save of `article`: a revision of it, its search entry, its tag
    rows' copy of its status and publish time, the images it shows, a new generation of
    the site's pages once the transaction commits. `note` and `document` (its vault note,
    its search document) spare working them out again; `first` says it has no revision
    yet."""
    revision = revisions.record(article, user=user, comment=comment, note=note, first=first)
    search.index(article, document)
    TaggedArticle.objects.follow(article)
    images.follow(article, new=first)
    pagecache.expire()
    return revision


def touched(article: Article, *, user: AbstractBaseUser | None, comment: str) -> Revision:
    """A change to what hangs off `article` (its tags, its summary's rows, its author's
    name) counted as a change of it: its version bumped, then `saved`."""
    article.touch()
    return saved(article, user=user, comment=comment)
