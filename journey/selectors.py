"""Read queries for the journey: a fixed number of statements however many artifacts or versions."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _

from challenges.models import Challenge, Station
from members.invitations import masked_names

from . import services
from .artifacts import ORDER, SPECS, ArtifactKind, ArtifactSpec, FieldType
from .models import Artifact, Pledge


@dataclass
class Shown:
    """One field of an artifact as a reader sees it."""

    label: str
    type: str
    value: object
    name: str = ""


@dataclass
class Row:
    """One artifact's place on the journey: due when, written or not, by whom, and its versions."""

    spec: ArtifactSpec
    label: str
    due_on: date
    artifact: Artifact | None
    shown: list[Shown] = field(default_factory=list)
    versions: list = field(default_factory=list)
    may_write: bool = False
    closed_reason: str = ""
    form: object = None

    @property
    def kind(self) -> str:
        return self.spec.kind

    @property
    def is_overdue(self) -> bool:
        return self.artifact is None and self._today > self.due_on

    _today: date = date.min


def shown_fields(artifact: Artifact, *, people: dict[int, str]) -> list[Shown]:
    """The artifact's fields with their labels, a person's id as their name, a choice as its label."""
    rows = []
    for spec_field in artifact.spec.fields:
        value = artifact.content.get(spec_field.name)
        if value in (None, "", []):
            continue
        if spec_field.type == FieldType.PERSON:
            value = people.get(value, _("a former team member"))
        elif spec_field.type == FieldType.CHOICE:
            value = str(dict(spec_field.choices).get(value, value))
        rows.append(Shown(str(spec_field.label), spec_field.type, value, spec_field.name))
    return rows


def people_names(challenge: Challenge) -> dict[int, str]:
    """The team by name; someone only invited to the accelerator as the invitation named them."""
    seats = list(challenge.memberships.select_related("user"))
    masked = masked_names(challenge.cohort.accelerator, [seat.user_id for seat in seats])
    return {seat.user_id: masked.get(seat.user_id) or seat.user.get_full_name() for seat in seats}


def candidate_content(challenge: Challenge) -> dict:
    """What intake knew (the candidate this challenge was picked from), to start the challenge note."""
    try:
        candidate = challenge.candidate
    except ObjectDoesNotExist:
        return {}
    return {
        "scope": candidate.diagnosis_note,
        "score_clear_goal": candidate.score_clear_goal,
        "score_touches_lives": candidate.score_touches_lives,
        "score_several_organisations": candidate.score_several_organisations,
        "score_achievable": candidate.score_achievable,
    }


def starting_content(challenge: Challenge, kind: str) -> dict:
    """A first draft for an artifact not written yet, from what the platform already knows."""
    if kind == ArtifactKind.CHALLENGE_NOTE:
        return candidate_content(challenge)
    if kind == ArtifactKind.CHARTER:
        lead = challenge.memberships.filter(role="team_lead").values_list("user_id", flat=True).first()
        return {
            "goal_statement": challenge.goal_statement,
            "target_value": str(challenge.target_value.normalize()),
            "team_lead": lead,
        }
    if kind == ArtifactKind.LANDING and challenge.current_value is not None:
        return {"day_100_value": str(challenge.current_value.normalize())}
    return {}


def journey_rows(*, challenge: Challenge, user, today: date) -> list[Row]:
    """Every artifact of the challenge's journey in order, with what ``user`` may do about it."""
    artifacts = {a.kind: a for a in Artifact.objects.filter(challenge=challenge).select_related("author")}
    versions = defaultdict(list)
    for record in (
        Artifact.history.filter(challenge_id=challenge.pk).select_related("history_user").order_by("-history_date")
    ):
        versions[record.kind].append(record)
    stations = list(Station.objects.filter(challenge=challenge))
    roles = services.roles_of(user, challenge)
    people = people_names(challenge)
    rows = []
    for kind in ORDER:
        spec = SPECS[kind]
        artifact = artifacts.get(kind)
        row = Row(
            spec=spec,
            label=str(spec.kind.label),
            due_on=services.due_on(challenge, spec, stations),
            artifact=artifact,
            shown=shown_fields(artifact, people=people) if artifact else [],
            versions=versions.get(kind, []),
            may_write=services.may_write(user, challenge, spec, roles=roles),
            closed_reason=services.open_problem(challenge, spec, today),
        )
        row._today = today
        rows.append(row)
    return rows


def pledges_of(challenge: Challenge) -> list[Pledge]:
    return list(Pledge.objects.filter(challenge=challenge))


# --- For the reports: every challenge of a cohort at once ------------------------------------------


def artifacts_by_challenge(challenge_ids: list[int]) -> dict[int, dict[str, Artifact]]:
    found: dict[int, dict[str, Artifact]] = defaultdict(dict)
    for artifact in Artifact.objects.filter(challenge_id__in=challenge_ids):
        found[artifact.challenge_id][artifact.kind] = artifact
    return found


def pledges_by_challenge(challenge_ids: list[int]) -> dict[int, list[Pledge]]:
    found: dict[int, list[Pledge]] = defaultdict(list)
    for pledge in Pledge.objects.filter(challenge_id__in=challenge_ids).order_by("signed_at"):
        found[pledge.challenge_id].append(pledge)
    return found
