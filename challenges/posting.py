"""Posting a check-in, as the web form and the API both do it: the form's checks, then the service.

One path for both, so a value the page refuses is refused by the API with the same translated
message, and the service (``services.checkin_submit``) keeps the rules of periods, corrections
and withdrawal in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from . import services
from .forms import CheckInForm


@dataclass
class CheckInPost:
    form: CheckInForm
    outcome: services.CheckInOutcome | None = None
    # Someone else saved first (``services.StaleEdit``): why nothing was saved.
    stale: str | None = None

    @property
    def saved(self) -> bool:
        return self.outcome is not None


def checkin_post(*, challenge, by, data) -> CheckInPost:
    """Check ``data`` with ``CheckInForm`` and hand it to ``checkin_submit``; never raises for bad input."""
    form = CheckInForm(data, challenge=challenge)
    if not form.is_valid():
        return CheckInPost(form)
    cleaned = form.cleaned_data
    try:
        outcome = services.checkin_submit(
            challenge=challenge,
            by=by,
            value=cleaned["value"],
            done=cleaned["done"],
            next_steps=cleaned["next_steps"],
            confidence=cleaned["confidence"],
            version=cleaned["version"],
        )
    except services.StaleEdit as error:
        return CheckInPost(form, stale=" ".join(error.messages))
    except ValidationError as error:
        form.add_error(None, error)
        return CheckInPost(form)
    return CheckInPost(form, outcome=outcome)
