"""The program admin's pages: intake, cohorts, challenge lists, people, launch.

Thin: every view finds its object through ``members.access`` (404 outside the admin's scope,
403 inside it without the program-admin role), hands writes to a service and renders one
template, whose htmx partials serve the in-page updates.
"""

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from challenges.access import CHALLENGE_ADMIN
from challenges.services import challenge_withdraw
from cohorts.models import Cohort
from cohorts.services import cohort_create
from core.ids import posted_id
from core.models import search
from members import services as seat_services
from members.access import ACCELERATOR_ADMIN, COHORT_ADMIN, administered_accelerators
from members.invitations import invitation_create, invitation_resend, masked_names, people_known_to
from members.models import Invitation, Membership, SeatRemoval
from members.people import written_form
from members.policy import ADMIN, ADMIN_PAGE, ADMIN_POST, SIGNED_IN_PAGE, access
from program_admin import forms, importing, services, team
from program_admin.access import IMPORT_JOB_ADMIN

from .models import CandidateChallenge, ImportJob

SEARCH_LIMIT = 20


def _posted(request):
    """The POST data of a POST (even an empty one, so its form is bound and reports what is missing)."""
    return request.POST if request.method == "POST" else None


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _calendar(accelerator, design_start: date | None, launch_date: date | None, sustainment_days: int) -> dict | None:
    """The derived dates a cohort would have, for showing while the admin types."""
    if launch_date is None:
        return None
    probe = Cohort(
        accelerator=accelerator,
        design_start=design_start or launch_date,
        launch_date=launch_date,
        sustainment_days=sustainment_days,
    )
    try:
        probe.sustainment_ends  # noqa: B018 - a launch near 9999-12-31 has no Day 100 (found by the fuzz test)
    except OverflowError:
        return None
    return {
        "design_start": design_start,
        "day_zero": launch_date,
        "day_one": probe.day_one,
        "day_fifty": probe.day_fifty,
        "day_hundred": probe.day_hundred,
        "sustainment_ends": probe.sustainment_ends,
        "time_zone": accelerator.time_zone,
        "invalid": bool(design_start and design_start > launch_date),
        "in_past": launch_date < accelerator.local_today(),
    }


def _date_param(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


# --- Accelerator level ------------------------------------------------------------------------


@access(SIGNED_IN_PAGE)
def manage_index(request):
    accelerators = administered_accelerators(request.user).order_by("name")
    return render(request, "program_admin/manage_index.html", {"accelerators": accelerators})


@access(ADMIN_PAGE, ACCELERATOR_ADMIN)
def manage_home(request, accelerator):
    cohorts = accelerator.cohorts.annotate(
        challenge_count=Count("challenges", filter=Q(challenges__withdrawn_at__isnull=True))
    ).order_by("-number")
    open_candidates = accelerator.candidates.filter(challenge__isnull=True).count()
    jobs = ImportJob.objects.filter(cohort__accelerator=accelerator).select_related("cohort").defer("payload")[:5]
    return render(
        request,
        "program_admin/manage_home.html",
        {
            "accelerator": accelerator,
            "theme_accelerator": accelerator,
            "cohorts": cohorts,
            "open_candidates": open_candidates,
            "jobs": jobs,
        },
    )


@access(ADMIN, ACCELERATOR_ADMIN)
def manage_candidates(request, accelerator):
    form = forms.CandidateForm(_posted(request), accelerator=accelerator)
    if request.method == "POST" and form.is_valid():
        candidate = form.save(commit=False)
        candidate.created_by = request.user
        candidate.save()
        messages.success(request, _("“%(title)s” was added to the list.") % {"title": candidate.title})
        return redirect("manage_candidates", slug=accelerator.slug)
    candidates = sorted(
        accelerator.candidates.select_related("lead_entity", "cohort", "challenge__cohort"),
        key=lambda c: (c.is_picked, -c.total_score, c.title),
    )
    return render(
        request,
        "program_admin/candidates.html",
        {
            "accelerator": accelerator,
            "theme_accelerator": accelerator,
            "candidates": candidates,
            "form": form,
            "pick_form": forms.PickForm(accelerator=accelerator),
        },
    )


@access(ADMIN, ACCELERATOR_ADMIN)
def manage_candidate_edit(request, accelerator, candidate_id: int):
    candidate = get_object_or_404(CandidateChallenge, pk=candidate_id, accelerator=accelerator)
    form = forms.CandidateForm(_posted(request), instance=candidate, accelerator=accelerator)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The candidate was saved."))
        return redirect("manage_candidates", slug=accelerator.slug)
    return render(
        request,
        "program_admin/candidate_form.html",
        {"accelerator": accelerator, "theme_accelerator": accelerator, "candidate": candidate, "form": form},
    )


@access(ADMIN_POST, ACCELERATOR_ADMIN)
def manage_candidates_pick(request, accelerator):
    form = forms.PickForm(request.POST, accelerator=accelerator)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("manage_candidates", slug=accelerator.slug)
    cohort = form.cleaned_data["cohort"]
    try:
        created = services.candidates_pick(
            candidates=list(form.cleaned_data["candidates"]), cohort=cohort, by=request.user
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("manage_candidates", slug=accelerator.slug)
    messages.success(
        request,
        ngettext(
            "%(count)s challenge was added to %(cohort)s.",
            "%(count)s challenges were added to %(cohort)s.",
            len(created),
        )
        % {"count": len(created), "cohort": cohort},
    )
    return redirect("manage_cohort", cohort_id=cohort.pk)


@access(ADMIN, ACCELERATOR_ADMIN)
def manage_cohort_create(request, accelerator):
    return _cohort_form_page(request, accelerator, clone=False)


@access(ADMIN, ACCELERATOR_ADMIN)
def manage_cohort_clone(request, accelerator):
    return _cohort_form_page(request, accelerator, clone=True)


def _cohort_form_page(request, accelerator, *, clone: bool):
    form_class = forms.CloneForm if clone else forms.CohortForm
    template = "program_admin/cohort_form.html"
    if request.htmx and request.method == "GET":
        # The derived calendar, recomputed as the admin types.
        calendar = _calendar(
            accelerator,
            _date_param(request.GET.get("design_start")),
            _date_param(request.GET.get("launch_date")),
            accelerator.sustainment_days,
        )
        return render(request, template + "#calendar", {"calendar": calendar, "accelerator": accelerator})
    next_number = (accelerator.cohorts.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    form = form_class(
        _posted(request),
        accelerator=accelerator,
        initial={"number": next_number, "name": _("Cohort %(number)s") % {"number": next_number}},
    )
    calendar = None
    if request.method == "POST":
        valid = form.is_valid()
        data = getattr(form, "cleaned_data", {})
        calendar = _calendar(
            accelerator, data.get("design_start"), data.get("launch_date"), accelerator.sustainment_days
        )
        if valid and "preview" not in request.POST:
            fields = {key: data[key] for key in ("number", "name", "design_start", "launch_date")}
            try:
                if clone:
                    cohort, count = services.cohort_clone(source=data["source"], by=request.user, **fields)
                    messages.success(
                        request,
                        ngettext(
                            "%(cohort)s was created with %(count)s candidate from %(source)s.",
                            "%(cohort)s was created with %(count)s candidates from %(source)s.",
                            count,
                        )
                        % {"cohort": cohort, "count": count, "source": data["source"]},
                    )
                    return redirect("manage_candidates", slug=accelerator.slug)
                cohort = cohort_create(accelerator=accelerator, **fields)
            except ValidationError as error:
                _form_errors(form, error)
            except IntegrityError:
                form.add_error("number", _("This accelerator already has a cohort with this number."))
            else:
                messages.success(request, _("%(cohort)s was created as a draft.") % {"cohort": cohort})
                return redirect("manage_cohort", cohort_id=cohort.pk)
    return render(
        request,
        template,
        {
            "accelerator": accelerator,
            "theme_accelerator": accelerator,
            "form": form,
            "calendar": calendar,
            "clone": clone,
            "calendar_url": reverse(
                "manage_cohort_clone" if clone else "manage_cohort_create", args=[accelerator.slug]
            ),
        },
    )


@access(ADMIN_PAGE, ACCELERATOR_ADMIN)
def manage_import_template(request, accelerator, fmt: str):
    if fmt == "xlsx":
        response = HttpResponse(
            importing.template_xlsx(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(importing.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="challenges-template.{fmt}"'
    return response


# --- Cohort level -----------------------------------------------------------------------------


def _pending_invitees(cohort) -> dict[int, Invitation]:
    """The cohort's people whose invitation is still open, by person: shown by the name and address
    the admin typed, so the page never reveals whether an account (and its name) already existed."""
    return {
        invitation.user_id: invitation
        for invitation in Invitation.objects.filter(
            accelerator_id=cohort.accelerator_id,
            accepted_at__isnull=True,
            user__memberships__challenge__cohort=cohort,
        ).distinct()
    }


def _seats_prefetch() -> Prefetch:
    return Prefetch(
        "memberships", queryset=Membership.objects.select_related("user").order_by("role", "user__full_name")
    )


@access(ADMIN_PAGE, COHORT_ADMIN)
def manage_cohort(request, cohort):
    challenges = list(
        cohort.challenges.select_related("lead_entity")
        .prefetch_related(_seats_prefetch(), "partner_entities")
        .order_by("title")
    )
    invited = _pending_invitees(cohort)
    for challenge in challenges:
        for seat in challenge.memberships.all():
            seat.invitation = invited.get(seat.user_id)
    today = cohort.accelerator.local_today()
    checklist = services.cohort_launch_checklist(cohort=cohort, today=today) if not cohort.is_launched else []
    return render(
        request,
        "program_admin/cohort_detail.html",
        {
            "cohort": cohort,
            "accelerator": cohort.accelerator,
            "theme_accelerator": cohort.accelerator,
            "challenges": challenges,
            "checklist": checklist,
            "candidates": cohort.candidates.filter(challenge__isnull=True).select_related("lead_entity"),
            "today": today,
            "day_number": cohort.day_number(today),
        },
    )


@access(ADMIN, COHORT_ADMIN)
def manage_challenge_create(request, cohort):
    form = forms.ChallengeForm(_posted(request), cohort=cohort)
    if request.method == "POST" and not cohort.is_launched and form.is_valid():
        challenge = form.save()
        messages.success(request, _("“%(title)s” was added.") % {"title": challenge.title})
        return redirect("manage_challenge_people", challenge_id=challenge.pk)
    return render(
        request,
        "program_admin/challenge_form.html",
        {"cohort": cohort, "theme_accelerator": cohort.accelerator, "form": form, "challenge": None},
    )


@access(ADMIN, COHORT_ADMIN)
def manage_import(request, cohort):
    """Upload a challenge list; it is kept, read, and shown on the preview before anything is saved."""
    form = forms.ImportForm(_posted(request), request.FILES if request.method == "POST" else None)
    problems: list[importing.Problem] = []
    if request.method == "POST" and not cohort.is_launched and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = importing.import_upload(cohort=cohort, file_name=upload.name, data=upload.read(), by=request.user)
        except importing.ImportRejected as rejected:
            problems = rejected.problems
        else:
            return redirect("manage_import_preview", job_id=job.pk)
    return render(
        request,
        "program_admin/import.html",
        {
            "cohort": cohort,
            "theme_accelerator": cohort.accelerator,
            "form": form,
            "problems": problems,
            "columns": importing.COLUMNS,
            "threshold": importing.ASYNC_ROW_THRESHOLD,
        },
        status=422 if problems else 200,
    )


def _reading_of(job, data) -> tuple[forms.ImportReadingForm, importing.Reading]:
    """The reading the admin chose (GET to look, POST to confirm), else the one detected on upload."""
    detected = importing.job_reading(job)
    if detected.is_workbook:
        return forms.ImportReadingForm(), detected
    initial = {"encoding": job.encoding, "delimiter": job.delimiter, "decimal_mark": job.decimal_mark}
    chosen = (
        {key: data.get(key) or value for key, value in initial.items()} if any(k in data for k in initial) else None
    )
    form = forms.ImportReadingForm(chosen, initial=initial)
    if chosen is None or not form.is_valid():
        return form, detected
    return form, importing.Reading(**form.cleaned_data)


def _import_confirm(request, job, reading):
    """Confirm the preview: a redirect when imported or queued, or the problems to show."""
    try:
        outcome = importing.import_job_confirm(job=job, reading=reading, by=request.user)
    except importing.ImportRejected as rejected:
        return rejected.problems
    if outcome is None:
        messages.info(request, _("This file was already confirmed."))
        return redirect("manage_import_job", job_id=job.pk)
    if outcome.state != ImportJob.State.SUCCEEDED:
        return redirect("manage_import_job", job_id=job.pk)
    messages.success(
        request,
        ngettext(
            "%(count)s challenge was imported from %(file)s.",
            "%(count)s challenges were imported from %(file)s.",
            outcome.created_count,
        )
        % {"count": outcome.created_count, "file": job.file_name},
    )
    return redirect("manage_cohort", cohort_id=job.cohort_id)


@access(ADMIN, IMPORT_JOB_ADMIN)
def manage_import_preview(request, job):
    """The first rows as read, what was detected, corrections (GET, htmx or not), confirm or cancel (POST)."""
    cohort = job.cohort
    waiting = job.state == ImportJob.State.AWAITING
    if request.method == "POST" and not waiting:
        return redirect("manage_import_job", job_id=job.pk)
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "cancel":
        importing.import_job_cancel(job=job)
        messages.info(request, _("The file was dropped; nothing was imported."))
        return redirect("manage_import", cohort_id=cohort.pk)
    problems: list[importing.Problem] = []
    form, reading = _reading_of(job, request.POST if action == "confirm" else request.GET)
    if action == "confirm":
        outcome = _import_confirm(request, job, reading)
        if not isinstance(outcome, list):
            return outcome
        problems = outcome
    context = {
        "cohort": cohort,
        "theme_accelerator": cohort.accelerator,
        "job": job,
        "waiting": waiting,
        "form": form,
        "preview": importing.preview(data=bytes(job.payload), reading=reading) if waiting else None,
        "problems": problems,
        "threshold": importing.ASYNC_ROW_THRESHOLD,
    }
    template = "program_admin/import_preview.html"
    if request.htmx and request.method == "GET":
        template += "#preview"
    return render(request, template, context, status=422 if problems else 200)


@access(ADMIN_PAGE, IMPORT_JOB_ADMIN)
def manage_import_job(request, job):
    cohort = job.cohort
    context = {
        "cohort": cohort,
        "theme_accelerator": cohort.accelerator,
        "job": job,
        "problems": [importing.Problem.from_json(item) for item in job.problems],
    }
    template = "program_admin/import_job.html#progress" if request.htmx else "program_admin/import_job.html"
    return render(request, template, context)


@access(ADMIN, COHORT_ADMIN)
def manage_launch(request, cohort):
    form = forms.LaunchForm(_posted(request))
    checklist = [] if cohort.is_launched else services.cohort_launch_checklist(cohort=cohort)
    if request.method == "POST":
        if cohort.is_launched:
            messages.info(request, _("%(cohort)s was already launched.") % {"cohort": cohort})
            return redirect("manage_cohort", cohort_id=cohort.pk)
        if form.is_valid():
            try:
                launched = services.cohort_launch(cohort=cohort, by=request.user)
            except services.LaunchBlocked as blocked:
                checklist = blocked.items
            else:
                if launched:
                    messages.success(
                        request,
                        _("%(cohort)s was launched. Invitations and team-lead e-mails are on their way.")
                        % {"cohort": cohort},
                    )
                else:
                    messages.info(request, _("%(cohort)s was already launched.") % {"cohort": cohort})
                return redirect("manage_cohort", cohort_id=cohort.pk)
    count = cohort.challenges.filter(withdrawn_at__isnull=True).count()
    return render(
        request,
        "program_admin/launch.html",
        {
            "cohort": cohort,
            "theme_accelerator": cohort.accelerator,
            "form": form,
            "checklist": checklist,
            "challenge_count": count,
        },
        status=422 if request.method == "POST" and (checklist or form.errors) else 200,
    )


# --- Challenge level --------------------------------------------------------------------------


@access(ADMIN, CHALLENGE_ADMIN)
def manage_challenge(request, challenge):
    cohort = challenge.cohort
    form = forms.ChallengeForm(_posted(request), instance=challenge, cohort=cohort)
    if request.method == "POST" and not cohort.is_launched and form.is_valid():
        form.save()
        messages.success(request, _("The challenge was saved."))
        return redirect("manage_cohort", cohort_id=cohort.pk)
    return render(
        request,
        "program_admin/challenge_form.html",
        {"cohort": cohort, "theme_accelerator": cohort.accelerator, "form": form, "challenge": challenge},
    )


def _search(accelerator, query: str):
    query = query.strip()
    if len(query) < 2:
        return []
    # Name, e-mail and job title, in either script (core/text.py's search_key).
    return list(
        search(people_known_to(accelerator), query)
        .select_related("entity")
        .order_by("full_name", "email")[:SEARCH_LIMIT]
    )


# --- The team page's actions: each returns None when done, or the form to show again with its errors.


def _kept_post(request) -> list[tuple[str, str]]:
    """The posted fields, to post again from a confirmation step."""
    skip = {"csrfmiddlewaretoken", "confirm"}
    return [(key, value) for key in request.POST for value in request.POST.getlist(key) if key not in skip]


def _replace_or_ask(request, add):
    """Seat someone with ``add(replace=...)``; an existing team lead is replaced only once confirmed."""
    try:
        return add(replace=request.POST.get("confirm") == "1"), None
    except seat_services.TeamLeadTaken as taken:
        return None, {"confirm_replace": taken.seat, "kept": _kept_post(request)}


def _seat_add(request, challenge):
    form = forms.SeatForm(request.POST, people=people_known_to(challenge.cohort.accelerator))
    if not form.is_valid():
        return {"seat_form": form}
    person = form.cleaned_data["person"]
    seat, ask = _replace_or_ask(
        request,
        lambda replace: seat_services.challenge_seat_add(
            challenge=challenge, user=person, role=form.cleaned_data["role"], by=request.user, replace=replace
        ),
    )
    if ask:
        return ask | {"new_person": person.get_full_name()}
    messages.success(request, _("%(person)s is now %(role)s.") % {"person": person, "role": seat.get_role_display()})
    return None


def _seat_invite(request, challenge):
    form = forms.InviteForm(request.POST)
    if not form.is_valid():
        return {"invite_form": form}
    _seat, ask = _replace_or_ask(
        request,
        lambda replace: seat_services.challenge_seat_invite(
            challenge=challenge, by=request.user, replace=replace, **form.cleaned_data
        ),
    )
    if ask:
        return ask | {"new_person": form.cleaned_data["full_name"] or form.cleaned_data["email"]}
    # The same words whether or not the address already had an account.
    messages.success(
        request,
        _("%(email)s was invited; the invitation goes out when the cohort is launched.")
        % {"email": form.cleaned_data["email"]},
    )
    return None


def _seat_remove(request, challenge):
    seat = get_object_or_404(
        Membership.objects.select_related("user"), pk=posted_id(request.POST.get("seat")) or 0, challenge=challenge
    )
    if request.POST.get("confirm") != "1":
        return {"confirm_remove": seat, "kept": _kept_post(request)}
    seat_services.challenge_seat_remove(seat=seat, by=request.user)
    messages.success(
        request,
        _("The seat was removed. “Undo” on this page gives it back for %(minutes)s minutes.")
        % {"minutes": settings.SEAT_UNDO_MINUTES},
    )
    return None


def _seat_undo(request, challenge):
    removal = get_object_or_404(
        SeatRemoval.objects.select_related("challenge__cohort"),
        pk=posted_id(request.POST.get("removal")) or 0,
        challenge=challenge,
    )
    if seat_services.seat_removal_undo(removal=removal, by=request.user) is not None:
        messages.success(request, _("The seat was given back."))
    return None


def _invitation_resend(request, challenge):
    invitation = get_object_or_404(
        Invitation,
        pk=posted_id(request.POST.get("invitation")) or 0,
        accelerator=challenge.cohort.accelerator,
        user__memberships__challenge=challenge,
        accepted_at__isnull=True,
    )
    invitation_resend(invitation=invitation, by=request.user)  # rate-limited; the answer is the same
    messages.success(request, _("A new link was sent to %(email)s.") % {"email": invitation.user.email})
    return None


SEAT_ACTIONS = {
    "add": _seat_add,
    "invite": _seat_invite,
    "remove": _seat_remove,
    "resend": _invitation_resend,
    "undo": _seat_undo,
}


@access(ADMIN, CHALLENGE_ADMIN)
def manage_challenge_people(request, challenge):
    cohort = challenge.cohort
    accelerator = cohort.accelerator
    query = request.GET.get("q", "")
    results = _search(accelerator, query)
    if request.htmx and request.method == "GET":
        return render(
            request,
            "program_admin/challenge_people.html#results",
            {"challenge": challenge, "results": results, "query": query, "roles": forms.SEAT_ROLES},
        )
    forms_shown = {"seat_form": forms.SeatForm(people=people_known_to(accelerator)), "invite_form": forms.InviteForm()}
    if request.method == "POST":
        handler = SEAT_ACTIONS.get(request.POST.get("action", ""))
        if handler is None:
            messages.error(request, _("Choose what to do."))
        else:
            try:
                outcome = handler(request, challenge)
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
                outcome = None
            if not isinstance(outcome, dict):  # done (or refused with a message): back to the page
                return redirect("manage_challenge_people", challenge_id=challenge.pk)
            forms_shown |= outcome  # the form with its errors
    seats = list(challenge.memberships.select_related("user").order_by("role", "user__full_name"))
    invitations = {
        invitation.user_id: invitation
        for invitation in Invitation.objects.filter(
            accelerator=accelerator, accepted_at__isnull=True, user__memberships__challenge=challenge
        )
    }
    for seat in seats:
        seat.invitation = invitations.get(seat.user_id)
    removals = list(seat_services.undoable_removals(cohort_id=cohort.pk, challenge_id=challenge.pk))
    asked = [forms_shown.get("confirm_replace"), forms_shown.get("confirm_remove")]
    return render(
        request,
        "program_admin/challenge_people.html",
        {
            "challenge": challenge,
            "cohort": cohort,
            "theme_accelerator": accelerator,
            "seats": seats,
            "masked": masked_names(
                accelerator,
                [seat.user_id for seat in [*seats, *filter(None, asked)]]
                + [user_id for r in removals for user_id in (r.user_id, r.replaced_by_id)],
            ),
            "removals": removals,
            "undo_minutes": settings.SEAT_UNDO_MINUTES,
            "results": results,
            "query": query,
            "roles": forms.SEAT_ROLES,
            **forms_shown,
        },
    )


@access(ADMIN, CHALLENGE_ADMIN)
def manage_challenge_withdraw(request, challenge):
    form = forms.WithdrawForm(_posted(request))
    if request.method == "POST" and not challenge.is_withdrawn and form.is_valid():
        try:
            challenge_withdraw(challenge=challenge, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("“%(title)s” was withdrawn.") % {"title": challenge.title})
            return redirect("manage_cohort", cohort_id=challenge.cohort_id)
    return render(
        request,
        "program_admin/challenge_withdraw.html",
        {
            "challenge": challenge,
            "cohort": challenge.cohort,
            "theme_accelerator": challenge.cohort.accelerator,
            "form": form,
        },
    )


@access(ADMIN, CHALLENGE_ADMIN)
def manage_team_lead_replace(request, challenge):
    accelerator = challenge.cohort.accelerator
    query = request.GET.get("q", "")
    results = _search(accelerator, query)
    if request.htmx and request.method == "GET":
        return render(
            request,
            "program_admin/team_lead_replace.html#results",
            {"challenge": challenge, "results": results, "query": query},
        )
    form = forms.ReplaceTeamLeadForm(_posted(request), people=people_known_to(accelerator))
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data["person"]
        try:
            if person is None:
                person = invitation_create(
                    accelerator=accelerator,
                    email=form.cleaned_data["email"],
                    full_name=form.cleaned_data["full_name"],
                    by=request.user,
                ).user
            services.challenge_replace_team_lead(
                challenge=challenge, user=person, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The team lead was replaced; the new team lead is being told."))
            return redirect("manage_cohort", cohort_id=challenge.cohort_id)
    current = challenge.memberships.filter(role=Membership.Role.TEAM_LEAD).select_related("user").first()
    history = (
        Membership.history.filter(challenge_id=challenge.pk, role=Membership.Role.TEAM_LEAD)
        .select_related("history_user", "user")
        .order_by("-history_date")[:20]
    )
    people = [current.user_id if current else None] + [u for r in history for u in (r.user_id, r.history_user_id)]
    return render(
        request,
        "program_admin/team_lead_replace.html",
        {
            "masked": masked_names(accelerator, people),
            "challenge": challenge,
            "cohort": challenge.cohort,
            "theme_accelerator": accelerator,
            "form": form,
            "current": current,
            "history": history,
            "results": results,
            "query": query,
        },
    )


# --- The cohort team page: every challenge's seats at once ----------------------------------------


def _team_challenges(cohort) -> list:
    return list(
        cohort.challenges.filter(withdrawn_at__isnull=True)
        .select_related("lead_entity")
        .prefetch_related(_seats_prefetch())
        .order_by("title")
    )


def _open_invitations(accelerator, user_ids) -> dict[int, Invitation]:
    """Open invitations by person: their typed name is how the manage pages show them."""
    return {
        invitation.user_id: invitation
        for invitation in Invitation.objects.filter(
            accelerator=accelerator, accepted_at__isnull=True, user_id__in=set(user_ids)
        )
    }


def _team_rows(cohort, challenges, data, plan) -> list[dict]:
    """What the template draws: per challenge, per role, the current seats and the field's value."""
    removing = {posted_id(value) for value in data.getlist("remove")} if data else set()
    invitations = _open_invitations(cohort.accelerator, [s.user_id for c in challenges for s in c.memberships.all()])
    rows = []
    for challenge in challenges:
        cells = []
        for role in team.ROLES:
            name = team.field_name(challenge.pk, role)
            seats = [
                {"seat": seat, "invitation": invitations.get(seat.user_id), "checked": seat.pk in removing}
                for seat in challenge.memberships.all()
                if seat.role == role
            ]
            cells.append(
                {
                    "role": role,
                    "label": Membership.Role(role).label,
                    "name": name,
                    "value": data.get(name, "") if data else "",
                    "errors": plan.errors.get(name, []) if plan else [],
                    "seats": seats,
                }
            )
        rows.append({"challenge": challenge, "cells": cells})
    return rows


def _team_suggestions(request, cohort):
    """The people matching what is being typed in one field (htmx), for its <datalist>."""
    name = request.htmx.trigger_name or ""
    text = request.GET.get(name, "")
    head, separator, last = text.rpartition(";")
    prefix = f"{head}{separator} " if separator else ""
    results = _search(cohort.accelerator, last.replace("\x00", ""))
    return render(
        request,
        "program_admin/cohort_team.html#suggestions",
        {"suggestions": [(prefix + written_form(p.full_name, p.email), p) for p in results]},
    )


def _team_page(request, cohort, *, challenges, data=None, plan=None, confirming=False, status=200):
    seats = [seat for challenge in challenges for seat in challenge.memberships.all()]
    kept = []
    if confirming:
        skip = {"csrfmiddlewaretoken", "action", "state"}
        kept = [(key, value) for key in data for value in data.getlist(key) if key not in skip]
    removals = list(seat_services.undoable_removals(cohort_id=cohort.pk))
    people = [seat.user_id for seat in seats] + [u for r in removals for u in (r.user_id, r.replaced_by_id)]
    return render(
        request,
        "program_admin/cohort_team.html",
        {
            "cohort": cohort,
            "masked": masked_names(cohort.accelerator, people),
            "accelerator": cohort.accelerator,
            "theme_accelerator": cohort.accelerator,
            "rows": _team_rows(cohort, challenges, data, plan),
            "all_fields": [
                {
                    "role": role,
                    "name": team.field_name(None, role),
                    "label": Membership.Role(role).label,
                    "value": data.get(team.field_name(None, role), "") if data else "",
                    "errors": plan.errors.get(team.field_name(None, role), []) if plan else [],
                }
                for role in team.ALL_ROLES
            ],
            "plan": plan,
            "confirming": confirming,
            "kept": kept,
            "state": team.team_state(seats),
            "removals": removals,
            "undo_minutes": settings.SEAT_UNDO_MINUTES,
        },
        status=status,
    )


def _team_undo(request, cohort):
    ids = {posted_id(value) for value in request.POST.getlist("removal")} - {None}
    removals = list(
        SeatRemoval.objects.filter(pk__in=ids, challenge__cohort=cohort).select_related("challenge__cohort", "user")
    )
    restored = 0
    for removal in removals:
        try:
            if seat_services.seat_removal_undo(removal=removal, by=request.user) is not None:
                restored += 1
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
    if restored:
        messages.success(
            request,
            ngettext("%(count)s seat was restored.", "%(count)s seats were restored.", restored) % {"count": restored},
        )


def _team_saved(request, plan, removed) -> None:
    added = len(plan.adds) + len(plan.replacements)
    parts = []
    if added:
        parts.append(ngettext("%(count)s seat was filled.", "%(count)s seats were filled.", added) % {"count": added})
    if plan.invites:
        count = len(plan.invites)
        parts.append(
            ngettext(
                "%(count)s person was invited; the invitation goes out when the cohort is launched.",
                "%(count)s people were invited; the invitations go out when the cohort is launched.",
                count,
            )
            % {"count": count}
        )
    if removed:
        parts.append(
            ngettext(
                "%(count)s seat was taken away: “Undo” below restores it for %(minutes)s minutes.",
                "%(count)s seats were taken away: “Undo” below restores them for %(minutes)s minutes.",
                len(removed),
            )
            % {"count": len(removed), "minutes": settings.SEAT_UNDO_MINUTES}
        )
    messages.success(request, " ".join(parts) if parts else _("Nothing to change."))


@access(ADMIN, COHORT_ADMIN)
def manage_cohort_team(request, cohort):
    """Every challenge's team lead, coach, sponsor and members, set in one form (see ``team``)."""
    if request.htmx and request.method == "GET" and request.htmx.trigger_name:
        return _team_suggestions(request, cohort)
    challenges = _team_challenges(cohort)
    if request.method != "POST" or cohort.is_launched:
        return _team_page(request, cohort, challenges=challenges)
    action = request.POST.get("action", "save")
    if action == "undo":
        _team_undo(request, cohort)
        return redirect("manage_cohort_team", cohort_id=cohort.pk)
    plan = team.plan_team(cohort=cohort, challenges=challenges, data=request.POST)
    if plan.errors or action == "edit":
        return _team_page(
            request, cohort, challenges=challenges, data=request.POST, plan=plan, status=422 if plan.errors else 200
        )
    seats = [seat for challenge in challenges for seat in challenge.memberships.all()]
    confirmed = action == "confirm" and request.POST.get("state") == team.team_state(seats)
    if plan.needs_confirmation and not confirmed:
        if action == "confirm":
            messages.warning(request, _("The team changed while you were confirming: check the changes again."))
        return _team_page(request, cohort, challenges=challenges, data=request.POST, plan=plan, confirming=True)
    try:
        removed = services.cohort_team_save(cohort=cohort, plan=plan, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("manage_cohort_team", cohort_id=cohort.pk)
    except (IntegrityError, seat_services.SeatGone):
        messages.error(request, _("The team changed while you were saving; nothing was saved. Check and save again."))
        return _team_page(request, cohort, challenges=_team_challenges(cohort), data=request.POST, plan=None)
    _team_saved(request, plan, removed)
    return redirect("manage_cohort_team", cohort_id=cohort.pk)
