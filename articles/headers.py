"""Response headers every response carries that Django's own middleware does not set
(kept with a cached page, so that a hit carries them too)."""

from django.conf import settings


class SecurityHeadersMiddleware:
    """Permissions-Policy: the browser features no page of Folio uses, refused."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.FOLIO_PERMISSIONS_POLICY)
        return response
