"""The JSON API at /api/ (Django Ninja): reading the archive, for anyone; its OpenAPI
schema at /api/openapi.json and browsable docs at /api/docs, from Folio's own files."""

import functools

from django.urls import re_path
from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from .. import pagecache
from . import problems, reading, writing


class Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # Chinese as itself: a third of the bytes


class FolioAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """Ninja's schema, errors in their own media type."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, response in operation["responses"].items():
                    if int(status) >= 400 and "content" in response:
                        content = response["content"].pop("application/json")
                        response["content"][problems.MEDIA_TYPE] = content
        return schema


api = FolioAPI(
    renderer=Renderer(),
    title="Folio",
    version="1",
    description="The archive as JSON. Errors are problem details (RFC 9457).",
    urls_namespace="api",
    docs_url="/docs",
)
api.add_router("", reading.router)
api.add_router("", writing.router)
problems.install(api)
# Public reads the page cache keeps: keyed by their whole query, or by none.
PUBLIC = {"articles": pagecache.WHOLE_QUERY, "article": pagecache.WHOLE_QUERY}
PUBLIC |= {"tags": pagecache.WHOLE_QUERY, "authors": pagecache.WHOLE_QUERY}
PUBLIC |= {"index": (), "openapi-json": ()}


def urls():
    """The API's URLconf: public reads kept by the page cache (keyed by their whole
    query string) and answering HEAD; a wrong method or address a problem, not the site's
    pages. (Ninja's own root, a 404 with debug off, stays behind the index: the schema
    reverses it for the API's prefix.)"""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback = _served(pattern.callback)
        if pattern.name in PUBLIC:
            pattern.callback.page_numbers = PUBLIC[pattern.name]
    return [*patterns, re_path(r"", problems.missing, name="missing")], app_name, namespace


def _served(view):
    @functools.wraps(view)
    def serve(request, *args, **kwargs):
        if request.method == "HEAD":  # a GET's answer (Ninja knows GET only), without
            request.method = "GET"  # its body (the page cache drops it)
            try:
                response = view(request, *args, **kwargs)
            finally:
                request.method = "HEAD"
        else:
            response = view(request, *args, **kwargs)
        if response.status_code == 405:
            return problems.not_allowed(request, response["Allow"])
        return response

    return serve
