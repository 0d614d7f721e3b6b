"""OPERATIONS. API tokens: one made (its key returned once, never kept), tokens revoked,
and which token a key is (the API's writes act as its user)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone

from .models import ApiToken

KEY_START = "folio_"  # says what a key is, where one turns up (a log, a leaked file)
SHOWN = 12  # characters of a key kept to recognise it by
USE_NOTED = timedelta(minutes=1)  # how stale "last used" may be: not a write a request


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def make(*, user: AbstractBaseUser, name: str) -> tuple[ApiToken, str]:
    """A new token of `user`, and its key: shown to them once, then known by its hash."""
    key = KEY_START + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:SHOWN], digest=digest(key))
    return token, key


def revoke(tokens: QuerySet[ApiToken]) -> int:
    """Revoke `tokens` (those not revoked yet): their keys open nothing from now on."""
    return tokens.filter(revoked_at=None).update(revoked_at=timezone.now())


def holder(key: str) -> ApiToken | None:
    """The token `key` is, if it still opens the API: not revoked, its user active and
    of the newsroom (staff). Notes when it was used."""
    if not key.startswith(KEY_START):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest(key), revoked_at=None, user__is_active=True, user__is_staff=True)
        .first()
    )
    if token is not None:
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > USE_NOTED:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
