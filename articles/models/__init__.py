"""Folio's models, a module a subject; import them from here."""

from .articles import Article, ArticleQuerySet, ArticleRedirect, SummaryItem
from .history import Revision, SyncedFile
from .images import RemoteImage, StoredImage
from .taxonomy import Author, Tag, TaggedArticle, TagRedirect, unique_slug
from .tokens import ApiToken

__all__ = [
    "ApiToken",
    "Article",
    "ArticleQuerySet",
    "ArticleRedirect",
    "Author",
    "RemoteImage",
    "Revision",
    "StoredImage",
    "SummaryItem",
    "SyncedFile",
    "Tag",
    "TagRedirect",
    "TaggedArticle",
    "unique_slug",
]
