"""The journey page of a challenge: every artifact in order, its form for its owners, the pledges.

Thin: find the challenge for this person, check the form, call a service, redirect back to the
artifact (or show the page again with the form and what was typed, on a problem).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from challenges import charts
from challenges.access import CHALLENGE_READER
from challenges.services import StaleEdit
from members.policy import CHALLENGE_READ, JOURNEY_WRITE_POST, PLEDGE_SIGN_POST, access

from . import selectors, services
from .access import JOURNEY_WRITER, PLEDGE_SIGNER
from .artifacts import SPECS
from .forms import ArtifactForm, PledgeForm

TEMPLATE = "journey/journey.html"


def _pledge_state(request, challenge, rows, pledges) -> dict:
    plan_row = next(row for row in rows if row.kind == services.PLEDGE_SPEC_KIND)
    signed = any(p.signer_id == request.user.pk for p in pledges)
    if plan_row.artifact is None or signed or not services.may_sign(request.user, challenge):
        return {"pledge_form": None}
    language = request.user.reading_language(challenge.cohort.accelerator)
    with translation.override(language):
        text = services.pledge_text(challenge=challenge, plan=plan_row.artifact, entity_name=challenge.lead_entity.name)
    return {"pledge_form": PledgeForm(initial={"text": text}), "pledge_text": text}


def _context(request, challenge, *, failed: ArtifactForm | None = None) -> dict:
    today = challenge.cohort.accelerator.local_today()
    rows = selectors.journey_rows(challenge=challenge, user=request.user, today=today)
    team = services.team_members(challenge)
    for row in rows:
        if not row.may_write or row.closed_reason:
            continue
        if failed is not None and failed.spec.kind == row.kind:
            row.form = failed
            continue
        content = row.artifact.content if row.artifact else selectors.starting_content(challenge, row.kind)
        row.form = ArtifactForm(spec=row.spec, team=team, content=content)
        row.form.fields["version"].initial = row.artifact.version if row.artifact else None
    pledges = selectors.pledges_of(challenge)
    checkins = list(challenge.checkins.all())
    return {
        "challenge": challenge,
        "theme_accelerator": challenge.cohort.accelerator,
        "rows": rows,
        "pledges": pledges,
        "today": today,
        "chart": charts.trajectory_chart(challenge=challenge, checkins=checkins, today=today),
        **_pledge_state(request, challenge, rows, pledges),
    }


@access(CHALLENGE_READ, CHALLENGE_READER)
def journey_page(request, challenge):
    return render(request, TEMPLATE, _context(request, challenge))


def _back(challenge, anchor: str):
    return redirect(reverse("journey", args=[challenge.pk]) + f"#{anchor}")


@access(JOURNEY_WRITE_POST, JOURNEY_WRITER)
def artifact_save(request, challenge):
    spec = SPECS.get(request.POST.get("kind", ""))
    if spec is None:
        messages.error(request, _("Pick which part of the journey you are writing."))
        return _back(challenge, "journey")
    form = ArtifactForm(request.POST, spec=spec, team=services.team_members(challenge))
    if form.is_valid():
        data = {name: form.cleaned_data.get(name) for name in form.fields if name != "version"}
        try:
            services.artifact_save(
                challenge=challenge, kind=spec.kind, by=request.user, data=data, version=form.cleaned_data["version"]
            )
        except StaleEdit as error:
            messages.error(request, " ".join(error.messages))
            return _back(challenge, spec.kind)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Saved: %(what)s.") % {"what": spec.kind.label})
            return _back(challenge, spec.kind)
    challenge.refresh_from_db()
    return render(request, TEMPLATE, _context(request, challenge, failed=form), status=200)


def _add_errors(form: ArtifactForm, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, problems in error.message_dict.items():
        form.add_error(name if name in form.fields else None, problems)


@access(PLEDGE_SIGN_POST, PLEDGE_SIGNER)
def pledge_sign(request, challenge):
    form = PledgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tick the box to sign the pledge; nothing was signed."))
        return _back(challenge, "pledges")
    try:
        services.pledge_sign(challenge=challenge, by=request.user, text=form.cleaned_data["text"], now=timezone.now())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Pledge signed. It is kept as signed and can no longer change."))
    return _back(challenge, "pledges")
