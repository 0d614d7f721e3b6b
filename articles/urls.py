from django.urls import path, re_path

from . import feeds, views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<slug:slug>/", views.article, name="article"),
    path("tags/<slug:slug>/", views.tag, name="tag"),
    path("tags/<slug:slug>/rss/", feeds.TagArticles(), name="tag-rss"),
    path("tags/<slug:slug>/atom/", feeds.TagArticlesAtom(), name="tag-atom"),
    path("authors/<slug:slug>/", views.author, name="author"),
    path("archive/", views.archive, name="archive"),
    re_path(r"^archive/(?P<year>[0-9]{4})/$", views.YearArchive.as_view(), name="archive-year"),
    re_path(
        r"^archive/(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/$",
        views.MonthArchive.as_view(),
        name="archive-month",
    ),
    path("search/", views.search_page, name="search"),
    path("rss/", feeds.LatestArticles(), name="rss"),
    path("atom/", feeds.LatestArticlesAtom(), name="atom"),
]
