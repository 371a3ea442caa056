"""Challenge pages. Thin: find the object for this user, check the form, call a service, render.

The challenge page is one template (``challenges/challenge_detail.html``) whose ``progress``
partial (status, due badge, chart, check-in form, history) is what an htmx check-in swaps in.
Without JavaScript the same forms post normally and redirect back.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from cohorts.calendar import Phase, journey_day
from core import pagecache
from core.ids import posted_id
from core.models import search
from members.access import can_post_progress, cohorts_visible_to, seat_roles
from members.invitations import masked_names
from members.models import Membership
from members.policy import (
    CHALLENGE_READ,
    CHALLENGE_WRITE_POST,
    NOTIFICATION_OPEN_POST,
    SIGNED_IN,
    SIGNED_IN_PAGE,
    access,
)

from . import charts, periods, posting, services
from .access import CHALLENGE_READER, CHALLENGE_WRITER, NOTIFICATION_OWN, challenges_visible_to
from .forms import BlockerForm, BlockerResolveForm, CheckInForm, StationDoneForm
from .models import Blocker, CheckIn, CheckInRevision, Notification, Station
from .selectors import challenge_page_sources, goal_changes, request_reader_facts

TEMPLATE = "challenges/challenge_detail.html"


# --- The challenge page ---------------------------------------------------------------------------


def _checkin_state(request, challenge, checkins, *, today, now, may_post: bool, form) -> dict:
    """What is due, this period's check-in, and the form to post (or correct) it with."""
    cadence = challenge.cohort.accelerator.checkin_cadence_days
    latest_period = max((c.period for c in checkins), default=None)
    due = periods.checkin_due(cohort=challenge.cohort, cadence=cadence, today=today, latest_period=latest_period)
    current = periods.current_period(cohort=challenge.cohort, cadence=cadence, today=today)
    this_period = next((c for c in checkins if current and c.period == current.number), None)
    correcting = None
    if may_post and this_period and services.checkin_may_correct(checkin=this_period, by=request.user, now=now):
        correcting = this_period
    if may_post and form is None and current and (this_period is None or correcting):
        initial = {}
        if correcting:
            initial = {
                "value": correcting.value.normalize(),
                "done": correcting.done,
                "next_steps": correcting.next_steps,
                "confidence": correcting.confidence,
                "version": correcting.version,
            }
        form = CheckInForm(challenge=challenge, initial=initial)
    return {
        "due": due,
        "current_period": current,
        "this_period_checkin": this_period,
        "correcting": correcting,
        "correctable_until": services.checkin_correctable_until(correcting) if correcting else None,
        "checkin_form": form if may_post else None,
    }


def _open_blockers_and_stations(challenge, *, today, failed_forms: dict) -> dict:
    """The open blockers, each with its resolve form, the resolved ones (kept, folded on the page),
    and the stations, each with its own form (the one that failed, kept). Two queries."""
    every = list(challenge.blockers.select_related("raised_by", "owner", "resolved_by"))
    blockers = [blocker for blocker in every if blocker.state == Blocker.State.OPEN]
    resolved = sorted(
        (blocker for blocker in every if blocker.state == Blocker.State.RESOLVED),
        key=lambda blocker: blocker.resolved_at,
        reverse=True,
    )
    for blocker in blockers:
        blocker.is_overdue = blocker.decision_needed_by is not None and blocker.decision_needed_by < today
        blocker.resolve_form = failed_forms.get(("blocker", blocker.pk)) or BlockerResolveForm(
            initial={"version": blocker.version}, prefix=f"blocker-{blocker.pk}"
        )
    stations = list(challenge.stations.all())
    for station in stations:
        station.shown_state = station.state_on(today)
        station.shown_state_label = station.state_label_on(today)
        station.done_form = failed_forms.get(("station", station.pk)) or StationDoneForm(
            initial={"done_on": today}, prefix=f"station-{station.pk}"
        )
    return {"blockers": blockers, "resolved_blockers": resolved, "stations": stations}


def _page_context(request, challenge, *, checkin_form=None, blocker_form=None, failed_forms=None) -> dict:
    """Everything the page shows, in a fixed number of queries whatever the history's length."""
    accelerator = challenge.cohort.accelerator
    now = timezone.now()
    today = accelerator.local_today(now)
    may_post = can_post_progress(request.user, challenge)
    checkins = list(
        challenge.checkins.select_related("author").prefetch_related(
            Prefetch("revisions", queryset=CheckInRevision.objects.select_related("corrected_by"))
        )
    )
    memberships = list(challenge.memberships.select_related("user").order_by("role", "user__full_name"))
    blockers_and_stations = _open_blockers_and_stations(challenge, today=today, failed_forms=failed_forms or {})
    return {
        "challenge": challenge,
        "theme_accelerator": accelerator,
        "may_post": may_post,
        "today": today,
        "day_text": journey_day(challenge.cohort, today, withdrawn=challenge.is_withdrawn),
        # A reader with no seat on the team came from the dashboards: the breadcrumb leads back there.
        "has_seat": any(seat.user_id == request.user.pk for seat in memberships),
        **_checkin_state(request, challenge, checkins, today=today, now=now, may_post=may_post, form=checkin_form),
        "blocker_form": (blocker_form or BlockerForm(challenge=challenge, by=request.user)) if may_post else None,
        "checkins": checkins,
        "chart": charts.trajectory_chart(
            challenge=challenge, checkins=checkins, today=today, goal_changes=goal_changes(challenge)
        ),
        **blockers_and_stations,
        "masked": _masked(request, accelerator, memberships, checkins, blockers_and_stations),
        "memberships": memberships,
        "transitions": challenge.transitions.all(),
        "Phase": Phase,
    }


def _masked(request, accelerator, memberships, checkins, blockers_and_stations) -> dict[int, str]:
    """The people on this page who are only invited to the accelerator, as the invitation named them
    (the reader always sees their own name)."""
    people = {seat.user_id for seat in memberships} | {checkin.author_id for checkin in checkins}
    people |= {revision.corrected_by_id for checkin in checkins for revision in checkin.revisions.all()}
    for blocker in [*blockers_and_stations["blockers"], *blockers_and_stations["resolved_blockers"]]:
        people |= {blocker.raised_by_id, blocker.owner_id, blocker.resolved_by_id}
    return masked_names(accelerator, people - {request.user.pk})


# The code and templates that draw these pages: a deploy never serves a page the previous one drew.
_CODE_STAMP = pagecache.app_code_stamp(__file__, "challenges")


def _page_key(request, challenge) -> str | None:
    """The page's content for this state of its data, for a reader who posts nothing here (a reader
    with forms gets it drawn: the forms carry their own token and state); None: draw it."""
    if not pagecache.shareable(request) or request.GET or can_post_progress(request.user, challenge):
        return None
    today = challenge.cohort.accelerator.local_today()
    sources = challenge_page_sources(challenge, reader_id=request.user.pk)
    # The page links to its change history for readers who manage (``nav.can_manage``): an admin's
    # page is never an official's (the header reads the same facts, so this costs no query).
    manages = request_reader_facts(request)["can_manage"]
    digest = pagecache.digest(sources)
    return pagecache.key(f"challenge-page:{challenge.pk}", _CODE_STAMP, digest, today, manages)


@access(CHALLENGE_READ, CHALLENGE_READER)
def challenge_detail(request, challenge):
    key = _page_key(request, challenge)
    if key is None:
        return render(request, TEMPLATE, _page_context(request, challenge))
    draw = lambda: render_to_string(f"{TEMPLATE}#content", _page_context(request, challenge), request)  # noqa: E731
    html = pagecache.cached(key, draw)
    frame = {
        "challenge": challenge,
        "theme_accelerator": challenge.cohort.accelerator,
        "has_seat": bool(seat_roles(request.user, challenge)),
        "content_html": mark_safe(html),  # noqa: S308 (rendered by our own template above)
    }
    return render(request, TEMPLATE, frame)


def _back_to(challenge, anchor: str = "") -> HttpResponseRedirect:
    return redirect(reverse("challenge_detail", args=[challenge.pk]) + (f"#{anchor}" if anchor else ""))


def _reload(challenge):
    """The challenge again, with the values the check-in service just wrote."""
    challenge.refresh_from_db(
        fields=["current_value", "progress", "expected_progress", "status", "last_checkin_on", "is_stale"]
    )
    return challenge


@access(CHALLENGE_WRITE_POST, CHALLENGE_WRITER)
def checkin_post(request, challenge):
    """Post or correct this period's check-in; htmx gets the refreshed progress section back."""
    posted = posting.checkin_post(challenge=challenge, by=request.user, data=request.POST)
    form, notice = posted.form, None
    if posted.stale:
        notice = ("error", posted.stale)
        form = None  # show what is saved now, not the refused input
    elif posted.saved:
        if posted.outcome.merged:
            text = _("This period already had your check-in, so your post was saved as a correction of it.")
        elif posted.outcome.corrected:
            text = _("Your correction was saved; the earlier version is kept in the history.")
        else:
            text = _("Check-in posted. Thank you.")
        notice = ("success", text)
        form = None
    if not request.htmx and (notice is not None):
        getattr(messages, notice[0])(request, notice[1])
        return _back_to(challenge, "progress")
    context = _page_context(request, _reload(challenge), checkin_form=form)
    context["notice"] = notice
    if request.htmx:
        return render(request, f"{TEMPLATE}#progress", context)
    return render(request, TEMPLATE, context)


@access(CHALLENGE_WRITE_POST, CHALLENGE_WRITER)
def blocker_raise(request, challenge):
    form = BlockerForm(request.POST, challenge=challenge, by=request.user)
    if form.is_valid():
        try:
            services.blocker_raise(challenge=challenge, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Blocker raised. The sponsor and the coach have been told."))
            return _back_to(challenge, "blockers")
    return render(request, TEMPLATE, _page_context(request, challenge, blocker_form=form))


@access(CHALLENGE_WRITE_POST, CHALLENGE_WRITER)
def blocker_resolve(request, challenge, blocker_id: int):
    blocker = get_object_or_404(Blocker, pk=blocker_id, challenge=challenge)
    form = BlockerResolveForm(request.POST, prefix=f"blocker-{blocker.pk}")
    if form.is_valid():
        try:
            services.blocker_resolve(
                blocker=blocker,
                by=request.user,
                resolution=form.cleaned_data["resolution"],
                version=form.cleaned_data["version"],
            )
        except services.StaleEdit as error:
            messages.error(request, " ".join(error.messages))
            return _back_to(challenge, "blockers")
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Blocker resolved."))
            return _back_to(challenge, "blockers")
    return render(request, TEMPLATE, _page_context(request, challenge, failed_forms={("blocker", blocker.pk): form}))


@access(CHALLENGE_WRITE_POST, CHALLENGE_WRITER)
def station_done(request, challenge, station_id: int):
    station = get_object_or_404(
        Station.objects.select_related("challenge__cohort__accelerator"), pk=station_id, challenge=challenge
    )
    form = StationDoneForm(request.POST, prefix=f"station-{station.pk}")
    if form.is_valid():
        try:
            services.station_mark_done(station=station, by=request.user, done_on=form.cleaned_data["done_on"])
        except services.StaleEdit as error:
            messages.info(request, " ".join(error.messages))
            return _back_to(challenge, "stations")
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Station marked done."))
            return _back_to(challenge, "stations")
    return render(request, TEMPLATE, _page_context(request, challenge, failed_forms={("station", station.pk): form}))


# --- My challenges --------------------------------------------------------------------------------


@access(SIGNED_IN_PAGE)
def my_challenges(request):
    """Every challenge the person has a seat on, with its phase, day and what is due; constant queries."""
    latest_period = CheckIn.objects.filter(challenge=OuterRef("challenge")).order_by("-period").values("period")[:1]
    # The next station still to come; the ones past their due day (overdue: pending, due before the
    # accelerator's local today) are counted apart ("2 stations overdue"), so a design workshop
    # missed months ago never reads as what comes next. Local dates lie within a day of UTC's, so
    # each seat carries both answers for the three days its accelerator's today can be and the loop
    # below picks its own: one query whatever the zones.
    now = timezone.now()
    utc_today = now.astimezone(UTC).date()
    days = {offset: utc_today + timedelta(days=offset) for offset in (-1, 0, 1)}
    pending = Station.objects.filter(challenge=OuterRef("challenge"), state=Station.State.PENDING)
    per_day = {}
    for offset, day in days.items():
        next_station = pending.filter(due_on__gte=day).order_by("due_on", "id")
        overdue = pending.filter(due_on__lt=day).order_by().values("challenge").annotate(n=Count("pk"))
        per_day[f"next_station_id_{offset + 1}"] = Subquery(next_station.values("id")[:1])
        per_day[f"overdue_stations_{offset + 1}"] = Coalesce(Subquery(overdue.values("n")), 0)
    open_blockers = Blocker.objects.filter(challenge=OuterRef("challenge"), state=Blocker.State.OPEN)
    seats = (
        Membership.objects.filter(user=request.user)
        .select_related("challenge__cohort__accelerator", "challenge__lead_entity")
        .annotate(latest_period=Subquery(latest_period), has_open_blockers=Exists(open_blockers), **per_day)
        .order_by("challenge__cohort__launch_date", "challenge__title", "role")
    )
    rows: dict[int, dict] = {}
    station_ids = []
    for seat in seats:
        challenge = seat.challenge
        if challenge.pk in rows:
            rows[challenge.pk]["roles"].append(seat.get_role_display())
            continue
        accelerator = challenge.cohort.accelerator
        today = accelerator.local_today(now)
        which = (today - utc_today).days + 1
        next_station_id = getattr(seat, f"next_station_id_{which}")
        rows[challenge.pk] = {
            "challenge": challenge,
            "roles": [seat.get_role_display()],
            "day_text": journey_day(challenge.cohort, today, withdrawn=challenge.is_withdrawn),
            "due": None
            if challenge.is_withdrawn
            else periods.checkin_due(
                cohort=challenge.cohort,
                cadence=accelerator.checkin_cadence_days,
                today=today,
                latest_period=seat.latest_period,
            ),
            "next_station_id": next_station_id,
            "overdue_stations": getattr(seat, f"overdue_stations_{which}"),
            "has_open_blockers": seat.has_open_blockers,
        }
        if next_station_id:
            station_ids.append(next_station_id)
    stations = Station.objects.in_bulk(station_ids)
    for row in rows.values():
        row["next_station"] = stations.get(row["next_station_id"])
    return render(request, "challenges/my_challenges.html", {"rows": list(rows.values())})


# --- Search across every cohort the reader may see -----------------------------------------------

SEARCH_LIMIT = 100


@access(SIGNED_IN_PAGE)
def challenge_search(request):
    """Challenges whose title holds every word searched, in any script, across every cohort this
    person may see (their seats, their grants, all of an accelerator they administer). One query."""
    query = request.GET.get("q", "").strip()[:200]
    results = []
    if query:
        # Draft cohorts only for those who see drafts (admins) or sit on the challenge.
        seated = Membership.objects.filter(user=request.user, challenge=OuterRef("pk"))
        visible = (
            challenges_visible_to(request.user)
            .filter(Q(cohort__in=cohorts_visible_to(request.user)) | Q(Exists(seated)))
            .select_related("cohort__accelerator", "lead_entity")
        )
        results = list(search(visible, query).order_by("-cohort__launch_date", "cohort__name", "title")[:SEARCH_LIMIT])
    return render(
        request,
        "challenges/search.html",
        {"query": query, "results": results, "limit_reached": len(results) == SEARCH_LIMIT},
    )


# --- Notifications --------------------------------------------------------------------------------


@access(SIGNED_IN)
def notification_list(request):
    """The person's notifications; POST marks one (``notification``) or all of them read."""
    if request.method == "POST":
        raw = request.POST.get("notification", "")
        # No field marks them all; a field that holds no id marks none.
        number = posted_id(raw)
        ids = None if raw == "" else ([number] if number else [])
        count = services.notifications_mark_read(user=request.user, ids=ids)
        if ids is None and count:
            messages.success(request, _("All notifications marked as read."))
        return redirect("notifications")
    notifications = Notification.objects.filter(user=request.user)
    notifications = notifications.select_related("challenge__cohort__accelerator")[:100]
    return render(request, "challenges/notification_list.html", {"notifications": notifications})


@access(NOTIFICATION_OPEN_POST, NOTIFICATION_OWN)
def notification_open(request, notification):
    """Open what a notification is about (its challenge, blocker or check-in) and mark it read.

    The target is built from the row's own ids (``Notification.target_url``), never from the
    request, so this cannot be made to send anyone elsewhere.
    """
    request.POST  # noqa: B018 (read the body as every form does: an oversized one is refused with 400)
    services.notifications_mark_read(user=request.user, ids=[notification.pk])
    return redirect(notification.target_url())
