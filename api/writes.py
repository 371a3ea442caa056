"""The API's writes: posting a check-in, through the challenge page's own form and service."""

from __future__ import annotations

from ninja import Path, Router

from challenges import posting
from challenges.models import CheckIn

from . import schemas
from .problems import problem
from .reads import CHECKIN_FIELDS, ID, _checkin
from .schemas import Problem

router = Router(tags=["write"])


def _form_data(payload: schemas.CheckInIn) -> dict:
    """The payload as the form would receive it from the page (a value sent as a number or a string)."""
    return {
        "value": "" if payload.value is None else str(payload.value),
        "done": payload.done or "",
        "next_steps": payload.next_steps or "",
        "confidence": "" if payload.confidence is None else str(payload.confidence),
        "version": "" if payload.version is None else str(payload.version),
    }


@router.post(
    "/challenges/{int:challenge_id}/checkins",
    response={
        200: schemas.CheckInPosted,
        201: schemas.CheckInPosted,
        400: Problem,
        401: Problem,
        403: Problem,
        404: Problem,
        409: Problem,
        422: Problem,
        429: Problem,
    },
    url_name="api_checkin_post",
)
def post_checkin(request, payload: schemas.CheckInIn, challenge_id: int = Path(..., **ID)):
    """Post this period's check-in (201), or correct your own within 24 hours (200).

    A token needs the "read and post check-ins" scope and posts only to its accelerator's
    challenges; a person posts where the challenge page lets them (team lead, coach). 409 when
    this period already has someone else's check-in or it changed meanwhile; 422 with the form's
    messages per field when the input is refused.
    """
    principal = request.auth
    challenge = principal.challenge(challenge_id, write=True)
    posted = posting.checkin_post(challenge=challenge, by=principal.author, data=_form_data(payload))
    if posted.stale:
        return problem(409, posted.stale)
    if not posted.saved:
        errors = {field: [str(m) for m in messages] for field, messages in posted.form.errors.items()}
        first = next(iter(errors.values()))[0]
        return problem(422, first, errors=errors)
    outcome = posted.outcome
    stored = CheckIn.objects.values(*CHECKIN_FIELDS).get(pk=outcome.checkin.pk)  # as stored (the goal's decimals)
    status = 200 if outcome.corrected else 201
    return status, {"checkin": _checkin(stored), "corrected": outcome.corrected, "merged": outcome.merged}
