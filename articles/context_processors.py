from django.conf import settings


def site(request):
    """The site's name, for every page's title and feeds."""
    return {"site_name": settings.FOLIO_SITE_NAME}
