"""The archive changed over HTTP, with a token: what the admin's people may do, as them,
each change recorded as a revision by its user."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router

from .. import publishing, vault
from ..importer import Sent, Verdict, import_note
from ..models import Article
from ..vault.files import BadPath
from . import schemas
from .auth import PerToken, TokenAuth
from .problems import BadParameter, only, problem

router = Router(tags=["writing"], auth=TokenAuth(), throttle=PerToken())
REFUSED = {
    401: schemas.Problem,
    403: schemas.Problem,
    404: schemas.Problem,
    409: schemas.Problem,
    429: schemas.Problem,
}


@router.post(
    "/articles/{slug}/status/",
    response={200: schemas.Status, 400: schemas.Problem, **REFUSED},
    url_name="article-status",
)
def status(request: HttpRequest, slug: str, change: schemas.StatusChange):
    """Move an article to another state: submit it for review, publish it (at
    `publish_at`, if given: a time to come schedules it), take it back to draft, archive
    it; as the admin allows the token's user (an Author's token cannot publish)."""
    only(request, schemas.Nothing)
    with transaction.atomic():  # its row locked: no save made meanwhile is undone
        article = get_object_or_404(Article.objects.select_for_update(), slug=slug)
        publishing.set_status(
            article, status=change.status, user=request.user, publish_at=change.publish_at
        )
    return {
        "slug": article.slug,
        "status": article.status,
        "state": article.state,
        "published_at": timezone.localtime(article.published_at),
        "url": request.build_absolute_uri(article.get_absolute_url()),
    }


NOTE_TYPES = ("text/markdown", "text/plain", "text/x-markdown")
MARKDOWN = {"schema": {"type": "string", "description": "A vault note, as its file holds it."}}


@router.put(
    "/notes/",
    response={
        200: schemas.Verdict,
        201: schemas.Verdict,
        400: schemas.NoteProblem,
        409: schemas.NoteProblem,
        413: schemas.Problem,
        415: schemas.Problem,
        **{status: schema for status, schema in REFUSED.items() if status != 404},
    },
    openapi_extra={
        "requestBody": {"required": True, "content": dict.fromkeys(NOTE_TYPES, MARKDOWN)}
    },
    url_name="notes",
)
def note(request: HttpRequest, query: Query[schemas.NoteQuery]):
    """Import a vault note (the body, as its file holds it) as `import_seeds` does: its
    article known by its URL (else its path), made or updated; a note the article has
    already, or another file stands for, changes nothing; an article edited since its
    note last came is kept (409, saying what conflicts) unless `force`. As the token's
    user: an Author's note must say `status: review` or `draft`."""
    only(request, schemas.NoteQuery)
    if request.content_type not in NOTE_TYPES:
        detail = f"Send the note as {' or '.join(NOTE_TYPES[:2])}, not {request.content_type!r}."
        return problem(415, "Unsupported media type", detail)
    limit, size = settings.FOLIO_MAX_NOTE_BYTES, request.META.get("CONTENT_LENGTH") or "0"
    if not size.isascii() or not size.isdigit():
        return problem(400, "Bad request", f"Content-Length is {size!r}, not a number of bytes.")
    if int(size) > limit:
        detail = f"A note may hold {limit:,} bytes (FOLIO_MAX_NOTE_BYTES); this one is larger."
        return problem(413, "Content too large", detail)
    try:
        sent = import_note(
            request.body,
            user=request.user,
            path=query.path or "",
            dry_run=query.dry_run,
            force=query.force,
        )
    except BadPath as error:
        raise BadParameter("path", str(error)) from None
    except vault.VaultError as error:
        return problem(400, "Bad note", str(error), verdict="failed", path=error.path)
    return _verdict(request, sent, query.dry_run)


def _verdict(request: HttpRequest, sent: Sent, dry_run: bool) -> JsonResponse:
    result, article = sent.result, sent.article
    url = request.build_absolute_uri(article.get_absolute_url()) if article else None
    if result.verdict == Verdict.FAILED:
        return problem(400, "Bad note", result.detail, verdict="failed", path=result.path)
    if result.verdict == Verdict.DUPLICATE:
        detail = f"{result.path}: {result.detail}, by its URL; nothing changed (sent with no "
        detail += "path, the note updates that article)"
        return problem(409, "Conflict", detail, verdict="duplicate", path=result.path, url=url)
    if result.verdict == Verdict.CONFLICT:
        detail = f"{result.path}: {result.detail}"
        edits = [_edit(revision) for revision in sent.edits]
        members = {"path": result.path, "url": url, "differs": sent.differs, "edits": edits}
        return problem(409, "Conflict", detail, verdict="conflict", **members)
    answer = {
        "verdict": str(result.verdict),
        "detail": result.detail,
        "path": result.path,
        "dry_run": dry_run,
        "slug": article.slug if article else None,
        "url": url,
        "status": sent.status or None,
        "state": sent.state or None,
    }
    response = JsonResponse(answer, json_dumps_params={"ensure_ascii": False})
    if result.verdict == Verdict.CREATED and not dry_run:
        response.status_code = 201
        response["Location"] = url
    return response


def _edit(revision) -> dict:
    return {
        "revision": revision.number,
        "by": revision.user.get_username() if revision.user else None,
        "at": timezone.localtime(revision.created_at).isoformat(),
        "changed": revision.changed,
        "comment": revision.comment,
    }
