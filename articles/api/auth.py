"""Who calls the API's writes: a token's key, sent as `Authorization: Bearer <key>`, acts
as the token's user (with that user's permissions, as in the admin); and how often."""

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from .. import tokens


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        found = tokens.holder(token)
        if found is not None:
            request.user = found.user  # what it does is done by its user
        return found


class PerToken(SimpleRateThrottle):
    """FOLIO_API_WRITE_RATE requests ("60/m") a token: read at each request, so the
    setting may change without a restart."""

    def __init__(self) -> None:  # the rate is read at each request
        pass

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = settings.FOLIO_API_WRITE_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str:
        return f"folio:api-writes:{request.auth.pk}"
