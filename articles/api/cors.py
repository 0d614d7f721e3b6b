"""Cross-origin access to the API, by setting (FOLIO_API_CORS_ORIGINS: origins, or "*"):
pages of other sites may read it, and send tokens (the Authorization header, never
cookies). Outside the page cache: a kept answer is the same for every origin, and the
origin's headers are added to it on the way out."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .problems import PREFIX

MAX_AGE = 24 * 60 * 60  # seconds a browser may remember a preflight's answer


class CorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        origin = request.headers.get("Origin")
        allowed = settings.FOLIO_API_CORS_ORIGINS
        if not (allowed and request.path.startswith(PREFIX)):
            return self.get_response(request)
        if not origin or ("*" not in allowed and origin not in allowed):
            response = self.get_response(request)
            if "*" not in allowed:  # another origin's copy would answer differently
                response.headers["Vary"] = _vary(response, "Origin")
            return response
        preflight = request.method == "OPTIONS" and "Access-Control-Request-Method" in (
            request.headers
        )
        response = HttpResponse(status=204) if preflight else self.get_response(request)
        if preflight:
            response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, POST"
            response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
            response.headers["Access-Control-Max-Age"] = str(MAX_AGE)
        else:
            response.headers["Access-Control-Expose-Headers"] = "ETag, Retry-After, Location"
        response.headers["Access-Control-Allow-Origin"] = "*" if "*" in allowed else origin
        if "*" not in allowed:
            response.headers["Vary"] = _vary(response, "Origin")
        return response


def _vary(response: HttpResponse, header: str) -> str:
    present = [v.strip() for v in response.get("Vary", "").split(",") if v.strip()]
    return ", ".join([*present, header] if header not in present else present)
