"""Errors as JSON problem details (RFC 9457): every error the API answers, its status, a
title, what went wrong, and for bad parameters which ones."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from ninja.errors import AuthenticationError, HttpError, ValidationError

PREFIX = "/api/"  # where the API answers, and its errors are problems
MEDIA_TYPE = "application/problem+json"
NO_TOKEN = (
    "Send a token of yours as `Authorization: Bearer <key>` (made in the newsroom, under "
    "API tokens); this one is unknown or revoked, or there was none."
)


class BadParameter(Exception):
    """A query parameter the API cannot take: its name and what is wrong with it."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter, self.message = parameter, message


def only(request: HttpRequest, schema) -> None:
    """Refuse a parameter the endpoint does not take (a misspelt filter would otherwise
    be ignored, and the answer look right)."""
    unknown = sorted(set(request.GET) - set(schema.model_fields))
    if unknown:
        taken = ", ".join(schema.model_fields) or "none"
        raise BadParameter(unknown[0], f"not a parameter here; it takes {taken}")
    for name, values in request.GET.lists():
        if any("\x00" in value for value in values):  # no database text holds one
            raise BadParameter(name, "holds a NUL character")


def problem(status: int, title: str, detail: str = "", **members) -> JsonResponse:
    """A problem details response (`members` adds extension members)."""
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(members)
    response = JsonResponse(
        body, status=status, content_type=MEDIA_TYPE, json_dumps_params={"ensure_ascii": False}
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def bad_parameters(errors: list[tuple[str, str]]) -> JsonResponse:
    """400 naming each bad parameter; `errors` as (parameter, message)."""
    detail = "; ".join(f"{name}: {message}" for name, message in errors)
    listed = [{"parameter": name, "detail": message} for name, message in errors]
    return problem(400, "Bad parameter", detail, errors=listed)


def missing(request: HttpRequest) -> JsonResponse:
    """What /api/ answers at an address it does not have."""
    return problem(404, "Not found", f"Nothing at {request.path}: see /api/openapi.json.")


def not_allowed(request: HttpRequest, allowed: str) -> JsonResponse:
    if "GET" in allowed.split(", "):
        allowed += ", HEAD"
    response = problem(405, "Method not allowed", f"{request.path} takes {allowed}.")
    response.headers["Allow"] = allowed
    return response


def install(api) -> None:
    """Answer `api`'s errors as problems."""

    @api.exception_handler(BadParameter)
    def bad_parameter(request: HttpRequest, error: BadParameter):
        return bad_parameters([(error.parameter, error.message)])

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, error: ValidationError):
        named = dict(reversed([_named(request, each) for each in error.errors]))
        return bad_parameters(list(reversed(named.items())))  # one error a parameter

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, error: Http404):
        return problem(404, "Not found", str(error) or f"Nothing at {request.path}.")

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, error: HttpError):
        if isinstance(error, AuthenticationError):
            response = problem(401, "Unauthorized", NO_TOKEN)
            response.headers["WWW-Authenticate"] = 'Bearer realm="folio"'
            return response
        return problem(error.status_code, str(error))  # (Ninja adds a 429's Retry-After)

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, error: PermissionDenied):
        return problem(403, "Forbidden", str(error))

    @api.exception_handler(DjangoValidationError)
    def conflict(request: HttpRequest, error: DjangoValidationError):
        return problem(409, "Conflict", " ".join(error.messages))


def _named(request: HttpRequest, error: dict) -> tuple[str, str]:
    """(parameter, message) of one of pydantic's errors as Ninja passes them on: the
    parameter is the first part of its `loc` the request named."""
    given = {*request.GET, *(request.resolver_match.kwargs if request.resolver_match else ())}
    where = [str(part) for part in error.get("loc", ())]
    name = next((part for part in where if part in given), where[-1] if where else "request")
    return name, error.get("msg", "is not valid")
