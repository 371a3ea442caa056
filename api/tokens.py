"""API tokens: made, shown once, stored as a digest, found again, revoked.

A token reads ``acc_<prefix>_<secret>``: the prefix (12 characters, not secret) finds its row, and
the SHA-256 of the whole token is compared in constant time with the stored digest. The secret
carries 256 bits of randomness, so a fast hash is enough: nobody can guess their way back to it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ApiToken

TOKEN_PREFIX = "acc"
PREFIX_LENGTH = 12
# Last use is written at most this often per token, so reads do not each cost a write.
LAST_USE_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    plaintext: str  # shown to its maker once, never stored


def digest_of(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


@transaction.atomic
def token_create(*, accelerator, by, name: str, scope: str) -> IssuedToken:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Say what the token is for.")})
    if scope not in ApiToken.Scope.values:
        raise ValidationError({"scope": _("Choose what the token may do.")})
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    plaintext = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        accelerator=accelerator, name=name, scope=scope, prefix=prefix, digest=digest_of(plaintext), created_by=by
    )
    return IssuedToken(token=token, plaintext=plaintext)


def token_revoke(*, token: ApiToken, now: datetime | None = None) -> bool:
    """Revoke for good; True if this call revoked it (a second revoke changes nothing)."""
    now = now or timezone.now()
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    token.refresh_from_db(fields=["revoked_at"])
    return bool(revoked)


def token_authenticate(plaintext: str, *, now: datetime | None = None) -> ApiToken | None:
    """The active token ``plaintext`` stands for, with its accelerator, or None; records its use."""
    parts = (plaintext or "").split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or len(parts[1]) != PREFIX_LENGTH or len(plaintext) > 200:
        return None
    # One indexed lookup with its accelerator (the kept lists' key holds its local date, ``cache``);
    # its author is loaded by the writes that sign with it.
    token = ApiToken.objects.filter(prefix=parts[1], revoked_at__isnull=True).select_related("accelerator").first()
    if token is None or not hmac.compare_digest(token.digest, digest_of(plaintext)):
        return None
    _record_use(token, now or timezone.now())
    return token


def _record_use(token: ApiToken, now: datetime) -> None:
    if token.last_used_at is not None and now - token.last_used_at < LAST_USE_RESOLUTION:
        return
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USE_RESOLUTION)
    ).update(last_used_at=now)
    token.last_used_at = now
