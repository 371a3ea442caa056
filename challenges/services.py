"""Writes to challenges go through here: typed, keyword-only, atomic."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Challenge, Status


@transaction.atomic
def challenge_withdraw(*, challenge: Challenge, by, reason: str) -> Challenge:
    """Take a challenge off the clock for good; the reason is kept for the record."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for withdrawing the challenge.")})
    locked = Challenge.objects.select_for_update().get(pk=challenge.pk)
    if locked.withdrawn_at is not None:
        raise ValidationError(_("This challenge has already been withdrawn."))
    locked.withdrawn_at = timezone.now()
    locked.withdrawn_by = by
    locked.withdrawn_reason = reason
    locked.status = Status.WITHDRAWN
    locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason", "status", "updated_at"])
    return locked
