"""What Folio does about the clients it cannot trust: response headers Django's own
middleware does not set, and the address a request came from, as login throttling counts
it (django-axes), and how much of the workers' time a user's previews may take."""

import time

from django.conf import settings
from django.core.cache import cache
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


# The live preview renders what an editor types, as often as they type: each user may
# spend FOLIO_PREVIEW_SECONDS of rendering a minute on it (ordinary typing spends about a
# second), so that no one can keep the workers busy with bodies slow to render.
_PREVIEW_WINDOW = 60
_PREVIEW_LEAST = 0.01  # seconds charged for a preview however fast: floods count too


def _preview_key(user) -> tuple[str, int]:
    now = time.time()
    return f"folio:preview:{user.pk}:{int(now) // _PREVIEW_WINDOW}", int(now) % _PREVIEW_WINDOW


def preview_wait(user) -> int:
    """Seconds before `user` may preview again: 0 while within their budget."""
    key, into = _preview_key(user)
    spent = cache.get(key, 0) / 1000
    return _PREVIEW_WINDOW - into if spent >= settings.FOLIO_PREVIEW_SECONDS else 0


def preview_spent(user, seconds: float) -> None:
    """Charge `user` `seconds` of previewing."""
    key, _ = _preview_key(user)
    cache.add(key, 0, timeout=2 * _PREVIEW_WINDOW)
    cache.incr(key, round(1000 * max(seconds, _PREVIEW_LEAST)))
