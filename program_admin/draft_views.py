"""Fixing a draft (its name and dates; deleting it, a challenge or a candidate) and correcting a
launched challenge. Thin: ``@access`` finds the object, a form checks the input, a service in
``program_admin.drafts`` writes. Deletions confirm on a page of their own (no JavaScript needed).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from challenges.access import CHALLENGE_ADMIN
from cohorts.services import StaleCohort, cohort_update_draft
from members.access import ACCELERATOR_ADMIN, COHORT_ADMIN
from members.policy import ADMIN, access

from . import draft_forms, drafts
from .models import CandidateChallenge


def _posted(request):
    return request.POST if request.method == "POST" else None


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


@access(ADMIN, COHORT_ADMIN)
def manage_cohort_edit(request, cohort):
    """A draft's name and dates; a save over someone else's newer one is refused and the new values shown."""
    form = draft_forms.CohortEditForm(_posted(request), instance=cohort)
    conflict: list[str] = []
    if request.method == "POST" and not cohort.is_launched and form.is_valid():
        data = form.cleaned_data
        try:
            cohort_update_draft(
                cohort=cohort,
                by=request.user,
                token=data["token"],
                name=data["name"],
                design_start=data["design_start"],
                launch_date=data["launch_date"],
            )
        except StaleCohort as stale:
            cohort.refresh_from_db()
            form = draft_forms.CohortEditForm(instance=cohort)  # the current values, to start again from
            conflict = stale.messages
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("%(cohort)s was saved.") % {"cohort": data["name"]})
            return redirect("manage_cohort", cohort_id=cohort.pk)
    return render(
        request,
        "program_admin/cohort_edit.html",
        {
            "cohort": cohort,
            "accelerator": cohort.accelerator,
            "theme_accelerator": cohort.accelerator,
            "form": form,
            "conflict": conflict,
        },
        status=422 if request.method == "POST" else 200,
    )


def _confirm_page(request, *, subject, kind: str, context: dict, status: int = 200):
    return render(
        request,
        "program_admin/confirm_delete.html",
        {"subject": subject, "kind": kind, **context},
        status=status,
    )


@access(ADMIN, COHORT_ADMIN)
def manage_cohort_delete(request, cohort):
    form = draft_forms.ConfirmForm(_posted(request))
    context = {
        "cohort": cohort,
        "accelerator": cohort.accelerator,
        "theme_accelerator": cohort.accelerator,
        "form": form,
        "challenge_count": cohort.challenges.count(),
        "back": ("manage_cohort", cohort.pk),
    }
    if request.method == "POST" and form.is_valid():
        try:
            count = drafts.cohort_delete_draft(cohort=cohort, by=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "%(cohort)s was deleted with its %(count)s challenge.",
                    "%(cohort)s was deleted with its %(count)s challenges.",
                    count,
                )
                % {"cohort": cohort, "count": count},
            )
            return redirect("manage_home", slug=cohort.accelerator.slug)
    return _confirm_page(
        request, subject=cohort, kind="cohort", context=context, status=422 if request.method == "POST" else 200
    )


@access(ADMIN, CHALLENGE_ADMIN)
def manage_challenge_delete(request, challenge):
    cohort = challenge.cohort
    form = draft_forms.ConfirmForm(_posted(request))
    context = {
        "challenge": challenge,
        "cohort": cohort,
        "accelerator": cohort.accelerator,
        "theme_accelerator": cohort.accelerator,
        "form": form,
        "back": ("manage_cohort", cohort.pk),
    }
    if request.method == "POST" and form.is_valid():
        try:
            drafts.challenge_delete_draft(challenge=challenge, by=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("“%(title)s” was deleted.") % {"title": challenge.title})
            return redirect("manage_cohort", cohort_id=cohort.pk)
    return _confirm_page(
        request, subject=challenge, kind="challenge", context=context, status=422 if request.method == "POST" else 200
    )


@access(ADMIN, ACCELERATOR_ADMIN)
def manage_candidate_delete(request, accelerator, candidate_id: int):
    candidate = get_object_or_404(CandidateChallenge, pk=candidate_id, accelerator=accelerator)
    form = draft_forms.ConfirmForm(_posted(request))
    context = {
        "candidate": candidate,
        "accelerator": accelerator,
        "theme_accelerator": accelerator,
        "form": form,
        "back": ("manage_candidates", accelerator.slug),
    }
    if request.method == "POST" and form.is_valid():
        try:
            drafts.candidate_delete(candidate=candidate, by=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("“%(title)s” was taken off the list.") % {"title": candidate.title})
            return redirect("manage_candidates", slug=accelerator.slug)
    return _confirm_page(
        request, subject=candidate, kind="candidate", context=context, status=422 if request.method == "POST" else 200
    )


@access(ADMIN, CHALLENGE_ADMIN)
def manage_challenge_correct(request, challenge):
    """After launch: correct the wording, unit, goal, partners, coach and sponsor (a moved goal needs a reason)."""
    cohort = challenge.cohort
    if not cohort.is_launched:
        return redirect("manage_challenge", challenge_id=challenge.pk)
    challenge = type(challenge).objects.prefetch_related("memberships__user").get(pk=challenge.pk)
    challenge.cohort = cohort
    form = draft_forms.ChallengeCorrectionForm(_posted(request), instance=challenge, cohort=cohort)
    conflict: list[str] = []
    if request.method == "POST" and not challenge.is_withdrawn and form.is_valid():
        data = form.cleaned_data
        try:
            outcome = drafts.challenge_correct(
                challenge=challenge,
                by=request.user,
                token=data["token"],
                values={name: data[name] for name in drafts.CORRECTABLE_FIELDS},
                partners=list(data["partner_entities"]),
                seats=form.seats(),
                reason=data["reason"],
            )
        except drafts.StaleEdit as stale:
            fresh = type(challenge).objects.prefetch_related("memberships__user").get(pk=challenge.pk)
            fresh.cohort = cohort
            form = draft_forms.ChallengeCorrectionForm(instance=fresh, cohort=cohort)
            conflict = stale.messages
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if outcome.changed:
                messages.success(request, _("The correction was saved and is in the history."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("manage_cohort", cohort_id=cohort.pk)
    return render(
        request,
        "program_admin/challenge_correct.html",
        {
            "challenge": challenge,
            "cohort": cohort,
            "accelerator": cohort.accelerator,
            "theme_accelerator": cohort.accelerator,
            "form": form,
            "conflict": conflict,
        },
        status=422 if request.method == "POST" else 200,
    )
