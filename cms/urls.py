from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from articles import api
from articles.pagecache import cached
from articles.sitemaps import sitemaps
from articles.views import robots_txt

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls()),
    path("sitemap.xml", cached("p")(sitemap), {"sitemaps": sitemaps}, name="sitemap"),
    path("robots.txt", cached()(robots_txt), name="robots"),
    path("", include("articles.urls")),
]

handler500 = "articles.outages.server_error"
