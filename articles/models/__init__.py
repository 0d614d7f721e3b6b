"""Folio's models, a module a subject; import them from here."""

from .articles import Article, ArticleQuerySet, ArticleRedirect, SummaryItem
from .history import Revision, SyncedFile
from .taxonomy import Author, Tag, TaggedArticle, TagRedirect, unique_slug

__all__ = [
    "Article",
    "ArticleQuerySet",
    "ArticleRedirect",
    "Author",
    "Revision",
    "SummaryItem",
    "SyncedFile",
    "Tag",
    "TagRedirect",
    "TaggedArticle",
    "unique_slug",
]
