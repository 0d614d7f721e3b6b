"""What Folio does about the clients it cannot trust: response headers Django's own
middleware does not set, and the address a request came from, as login throttling counts
it (django-axes), and how much of the workers' time a user's previews may take."""

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Sum
from django.http import HttpRequest
from django.utils import timezone


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


# Failed logins are slowed before django-axes locks them (AXES_FAILURE_LIMIT): after
# LOGIN_SLOWED_AFTER failures of a user or an address, the next try must wait 1 s after the
# last failure, then twice as long after each. A try made sooner is refused at once, not
# counted and its password not looked at: no worker sleeps, which an attacker would use.
LOGIN_SLOWED_AFTER = 2


def login_wait(request: HttpRequest) -> int:
    """Seconds before the login form takes a try from this request's user or address."""
    from axes.handlers.proxy import AxesProxyHandler
    from axes.helpers import get_credentials

    credentials = get_credentials(request.POST.get("username", ""))
    AxesProxyHandler.update_request(request)
    handler = AxesProxyHandler.get_implementation()
    now, wait = timezone.now(), 0.0
    for attempts in handler.get_user_attempts(request, credentials):  # per user, per address
        found = attempts.aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        failures = found["failures"] or 0
        if LOGIN_SLOWED_AFTER <= failures < settings.AXES_FAILURE_LIMIT:  # axes locks after
            due = 2 ** (failures - LOGIN_SLOWED_AFTER) - (now - found["last"]).total_seconds()
            wait = max(wait, due)
    return math.ceil(wait)


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
