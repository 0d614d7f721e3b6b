"""The archive changed over HTTP, with a token: what the admin's people may do, as them,
each change recorded as a revision by its user."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router

from .. import publishing
from ..models import Article
from . import schemas
from .auth import PerToken, TokenAuth

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
