"""Writes to the journey's artifacts and pledges: typed, keyword-only, atomic.

The rules, each written once:
- who writes an artifact: its spec's owner roles on the challenge's team (program admins too
  where the spec says so; superusers always) — ``may_write``;
- when: from the spec's opening day of the 100 until the challenge closes, never once withdrawn —
  ``refuse_if_not_open``;
- its due day: the challenge's station of the spec's kind, else the spec's default day — ``due_on``;
- producing it ticks that station (the earliest one not done yet);
- the charter may sharpen the challenge's goal and target and names the team lead the team chose;
  the refresh may re-draw the expected line from today; both change the challenge itself, so its
  own history (simple-history) records the change;
- a pledge is the sponsor's, signed once the sustainability plan exists, and never changes.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from challenges.models import Challenge, Station
from challenges.services import StaleEdit, refuse_if_withdrawn, station_mark_done
from cohorts.calendar import ACCELERATION_DAYS, Phase
from members.access import is_program_admin
from members.models import Membership

from .artifacts import SPECS, ArtifactKind, ArtifactSpec, FieldType
from .models import Artifact, Pledge

# The pledge is signed from the sustainability plan; the sponsor's due day is the plan's.
PLEDGE_SPEC_KIND = ArtifactKind.SUSTAINABILITY_PLAN


def roles_of(user, challenge: Challenge) -> set[str]:
    if not user.is_authenticated:
        return set()
    return set(Membership.objects.filter(challenge=challenge, user=user).values_list("role", flat=True))


def may_write(user, challenge: Challenge, spec: ArtifactSpec, *, roles: set[str] | None = None) -> bool:
    if user.is_superuser:
        return True
    roles = roles_of(user, challenge) if roles is None else roles
    if roles & set(spec.owners):
        return True
    return spec.admins_write and is_program_admin(user, challenge.cohort.accelerator_id)


def may_sign(user, challenge: Challenge, *, roles: set[str] | None = None) -> bool:
    """Only the challenge's sponsors sign its pledge: it is their personal word, no one signs for them."""
    roles = roles_of(user, challenge) if roles is None else roles
    return Membership.Role.SPONSOR in roles


def due_on(challenge: Challenge, spec: ArtifactSpec, stations: list[Station]) -> date:
    """The earliest station of the spec's kind (from the accelerator's template), else the default day."""
    dates = [s.due_on for s in stations if s.kind == spec.station]
    if dates:
        return min(dates)
    return challenge.cohort.launch_date + timedelta(days=spec.default_due_day)


def opens_on(challenge: Challenge, spec: ArtifactSpec) -> date | None:
    if spec.opens_on_day is None:
        return None
    return challenge.cohort.launch_date + timedelta(days=spec.opens_on_day)


def open_problem(challenge: Challenge, spec: ArtifactSpec, today: date) -> str:
    """Why the artifact cannot be written today ("" if it can)."""
    if challenge.is_withdrawn:
        return _("This challenge has been withdrawn.")
    if challenge.phase == Phase.CLOSED:
        return _("This challenge is closed; its record is read-only.")
    opening = opens_on(challenge, spec)
    if opening is not None and today < opening:
        return _("This opens on Day %(day)s.") % {"day": spec.opens_on_day}
    return ""


def clean_content(spec: ArtifactSpec, data: dict, *, team_ids: set[int]) -> dict:
    """Every field of the spec from ``data``, cleaned; all the problems are reported together."""
    content, errors = {}, {}
    for field in spec.fields:
        try:
            value = field.clean(data.get(field.name))
            if field.type == FieldType.PERSON and value is not None and value not in team_ids:
                raise ValidationError(_("Pick one of the team's members."))
            content[field.name] = value
        except ValidationError as error:
            errors[field.name] = error.messages
    if spec.kind == ArtifactKind.REFRESH and content.get("redraw_from_value") and not content.get("redraw_reason"):
        errors["redraw_reason"] = [_("Say why the expected line is re-drawn.")]
    if errors:
        raise ValidationError(errors)
    return content


def team_members(challenge: Challenge) -> list[Membership]:
    """The seats a team lead may be chosen from: the team lead and the members."""
    return list(
        Membership.objects.filter(challenge=challenge, role__in=[Membership.Role.TEAM_LEAD, Membership.Role.MEMBER])
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


@transaction.atomic
def artifact_save(
    *, challenge: Challenge, kind: str, by, data: dict, version: int | None = None, now: datetime | None = None
) -> Artifact:
    """Produce an artifact, or a new version of it (``version``: the one the form was showing)."""
    spec = SPECS.get(kind)
    if spec is None:
        raise ValidationError(_("Pick which part of the journey you are writing."))
    if not may_write(by, challenge, spec):
        raise PermissionDenied
    now = now or timezone.now()
    today = challenge.cohort.accelerator.local_today(now)
    refuse_if_withdrawn(challenge, _("This challenge has been withdrawn."))
    problem = open_problem(challenge, spec, today)
    if problem:
        raise ValidationError(problem)
    members = team_members(challenge)
    content = clean_content(spec, data, team_ids={seat.user_id for seat in members})
    existing = Artifact.objects.select_for_update().filter(challenge=challenge, kind=kind).first()
    if existing is None:
        try:
            with transaction.atomic():
                artifact = Artifact(challenge=challenge, kind=kind, content=content, produced_on=today, author=by)
                artifact._history_user = by
                artifact.save()
        except IntegrityError:
            raise StaleEdit(_("Someone else saved this a moment ago. Yours was not saved; theirs is shown.")) from None
        _tick_station(challenge=challenge, spec=spec, by=by, today=today, now=now)
    else:
        if version is not None and version != existing.version:
            raise StaleEdit(
                _("Someone else changed this since you opened it. Nothing was saved; their version is shown.")
            )
        existing.content = content
        existing.version += 1
        existing.author = by
        existing._history_user = by
        existing.save(update_fields=["content", "version", "author", "updated_at"])
        artifact = existing
    _apply_to_challenge(challenge=challenge, spec=spec, content=content, by=by, today=today, members=members)
    return artifact


def _tick_station(*, challenge: Challenge, spec: ArtifactSpec, by, today: date, now: datetime) -> None:
    station = (
        Station.objects.filter(challenge=challenge, kind=spec.station)
        .exclude(state=Station.State.DONE)
        .select_related("challenge__cohort__accelerator")
        .order_by("due_on", "id")
        .first()
    )
    if station is None:
        return
    try:
        station_mark_done(station=station, by=by, done_on=max(today, challenge.cohort.design_start), now=now)
    except StaleEdit:
        pass  # ticked by hand a moment ago: it is done either way


def _apply_to_challenge(*, challenge: Challenge, spec, content: dict, by, today: date, members) -> None:
    if spec.kind == ArtifactKind.CHARTER:
        _apply_charter(challenge=challenge, content=content, by=by, members=members)
    elif spec.kind == ArtifactKind.REFRESH:
        _apply_refresh(challenge=challenge, content=content, by=by, today=today)


def _save_goal(challenge: Challenge, fields: list[str], by, reason: str) -> None:
    challenge._history_user = by
    challenge._change_reason = reason
    try:
        with transaction.atomic():
            challenge.save(update_fields=[*fields, "updated_at"])
    except IntegrityError:
        challenge.refresh_from_db()
        raise ValidationError(
            {"target_value": _("The target must differ from the baseline in the goal's direction (and stay valid).")}
        ) from None


def _apply_charter(*, challenge: Challenge, content: dict, by, members) -> None:
    """The team's goal replaces the admin's wording and target; the challenge's history keeps both."""
    target = Decimal(content["target_value"])
    changed = []
    if challenge.goal_statement != content["goal_statement"]:
        challenge.goal_statement = content["goal_statement"]
        changed.append("goal_statement")
    if challenge.target_value != target:
        challenge.target_value = target
        changed.append("target_value")
    if changed:
        _save_goal(challenge, changed, by, _("Set by the team in its Day-0 charter"))
    _seat_team_lead(challenge=challenge, user_id=content["team_lead"], by=by, members=members)


def _seat_team_lead(*, challenge: Challenge, user_id: int, by, members) -> None:
    """The chosen member takes the team-lead seat; the former team lead stays on as a member."""
    current = next((seat for seat in members if seat.role == Membership.Role.TEAM_LEAD), None)
    if current is not None and current.user_id == user_id:
        return
    reason = _("Chosen by the team at the launch workshop")
    if current is not None:
        current._history_user, current._change_reason = by, reason
        current.delete()
        Membership.objects.get_or_create(challenge=challenge, user_id=current.user_id, role=Membership.Role.MEMBER)
    for seat in Membership.objects.filter(challenge=challenge, user_id=user_id, role=Membership.Role.MEMBER):
        seat._history_user, seat._change_reason = by, reason
        seat.delete()
    seat = Membership(challenge=challenge, user_id=user_id, role=Membership.Role.TEAM_LEAD)
    seat._history_user, seat._change_reason = by, reason
    seat.save()


def _apply_refresh(*, challenge: Challenge, content: dict, by, today: date) -> None:
    value = content.get("redraw_from_value")
    if value is None:
        return
    day = min(max(challenge.cohort.day_number(today), 1), ACCELERATION_DAYS - 1)
    challenge.trajectory_from_day = day
    challenge.trajectory_from_value = Decimal(value)
    challenge.trajectory_reason = content["redraw_reason"]
    _save_goal(
        challenge,
        ["trajectory_from_day", "trajectory_from_value", "trajectory_reason"],
        by,
        _("Expected line re-drawn at the refresh"),
    )


# --- The pledge -----------------------------------------------------------------------------------


def pledge_text(*, challenge: Challenge, plan: Artifact, entity_name: str) -> str:
    """The words a sponsor signs, in the language active now (the signer's)."""
    lines = [
        _(
            "On behalf of %(entity)s, I pledge to keep the results of the challenge “%(title)s” and to make "
            "permanent the innovations of its sustainability plan:"
        )
        % {"entity": entity_name, "title": challenge.title}
    ]
    for innovation, owner, resources in plan.value("innovations") or []:
        lines.append(
            _("– %(innovation)s, owned by the %(owner)s, with %(resources)s.")
            % {"innovation": innovation, "owner": owner, "resources": resources}
        )
    return "\n".join(lines)


@transaction.atomic
def pledge_sign(*, challenge: Challenge, by, text: str, now: datetime | None = None) -> Pledge:
    """Sign the pledge whose ``text`` the sponsor was shown; refused if the plan changed meanwhile."""
    if not may_sign(by, challenge):
        raise PermissionDenied
    refuse_if_withdrawn(challenge, _("This challenge has been withdrawn."))
    now = now or timezone.now()
    today = challenge.cohort.accelerator.local_today(now)
    plan = Artifact.objects.filter(challenge=challenge, kind=PLEDGE_SPEC_KIND).first()
    if plan is None:
        raise ValidationError(_("The pledge is signed once the sustainability plan is written."))
    problem = open_problem(challenge, SPECS[PLEDGE_SPEC_KIND], today)
    if problem:
        raise ValidationError(problem)
    language = by.reading_language(challenge.cohort.accelerator)
    entity_name = challenge.lead_entity.name
    with translation.override(language):
        expected = pledge_text(challenge=challenge, plan=plan, entity_name=entity_name)
    if text.replace("\r\n", "\n").strip() != expected.strip():
        raise StaleEdit(_("The sustainability plan changed since you opened the pledge. Read it again, then sign."))
    try:
        with transaction.atomic():
            return Pledge.objects.create(
                challenge=challenge,
                signer=by,
                signer_name=by.get_full_name(),
                signer_job_title=by.job_title,
                entity_name=entity_name,
                text=expected,
                language=language,
                signed_at=now,
            )
    except IntegrityError:
        raise ValidationError(_("You have already signed this pledge.")) from None
