"""What Folio does about the clients it cannot trust: response headers Django's own
middleware does not set, and the address a request came from, as login throttling counts
it (django-axes)."""

from django.conf import settings
from django.http import HttpRequest


class SecurityHeadersMiddleware:
    """Permissions-Policy: the browser features no page of Folio uses, refused (kept with
    a cached page, so that a hit carries it too)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.FOLIO_PERMISSIONS_POLICY)
        return response


def client_address(request: HttpRequest) -> str:
    """The reader's address: behind the TLS proxy (DJANGO_HTTPS), the one it appended to
    X-Forwarded-For (the last: those before it, the client may have written itself);
    else the connection's."""
    if settings.HTTPS:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR", "")
