from django.urls import path, re_path

from . import feeds, views
from .pagecache import cached

app_name = "articles"

# Every public page but search is kept by the page cache; "page" numbers a list's pages.
urlpatterns = [
    path("", cached("page")(views.home), name="home"),
    path("articles/<slug:slug>/", cached()(views.article), name="article"),
    path("tags/", cached()(views.tags), name="tags"),
    path("tags/<slug:slug>/", cached("page")(views.tag), name="tag"),
    path("tags/<slug:slug>/rss/", cached()(feeds.TagArticles()), name="tag-rss"),
    path("tags/<slug:slug>/atom/", cached()(feeds.TagArticlesAtom()), name="tag-atom"),
    path("authors/", cached()(views.authors), name="authors"),
    path("authors/<slug:slug>/", cached("page")(views.author), name="author"),
    path("archive/", cached()(views.archive), name="archive"),
    re_path(
        r"^archive/(?P<year>[0-9]{4})/$",
        cached("page")(views.YearArchive.as_view()),
        name="archive-year",
    ),
    re_path(
        r"^archive/(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/$",
        cached("page")(views.MonthArchive.as_view()),
        name="archive-month",
    ),
    path("search/", views.search_page, name="search"),
    path("rss/", cached()(feeds.LatestArticles()), name="rss"),
    path("atom/", cached()(feeds.LatestArticlesAtom()), name="atom"),
    path("images/<path:name>", views.stored_image, name="stored-image"),
]
