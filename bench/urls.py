from django.http import HttpResponse
from django.urls import path

from cms.urls import urlpatterns as site


def plain(request):
    """Django's "hello world": a fixed string through the whole middleware stack."""
    return HttpResponse("Hello, world")


urlpatterns = [path("plain/", plain), *site]
