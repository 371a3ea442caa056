"""What the 100 journey produces, kind by kind: the one place each artifact's fields and rules live.

Every artifact is one ``journey.models.Artifact`` row (challenge, kind, content, version, history);
what it holds is declared here, field by field (``FieldSpec``), with who writes it (``owners``,
team-seat roles), the station it ticks (``station``), when it opens (``opens_on_day``, a day of
the 100; None: from design) and its due day when the accelerator's template has no station for it
(``default_due_day``). Forms, the page, the reports and the reminders all read these specs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from challenges.models import StationKind
from members.models import Membership

Role = Membership.Role


class ArtifactKind(models.TextChoices):
    CHALLENGE_NOTE = "challenge_note", _("challenge note")
    CHARTER = "charter", _("Day-0 charter")
    SPONSOR_REVIEW = "sponsor_review", _("sponsor review (week 4)")
    PULSE_CHECK = "pulse_check", _("coach's pulse check (week 5)")
    REFRESH = "refresh", _("refresh (~Day 50)")
    RESULTS_NARRATIVE = "results_narrative", _("results narrative (weeks 12–15)")
    LANDING = "landing", _("Day-100 landing")
    SUSTAINABILITY_PLAN = "sustainability_plan", _("sustainability plan")


class Decision(models.TextChoices):
    RESET = "reset", pgettext_lazy("decision at the landing", "reset")
    BUILD = "build", pgettext_lazy("decision at the landing", "build")
    SCALE = "scale", pgettext_lazy("decision at the landing", "scale")


class FieldType(models.TextChoices):
    TEXT = "text"
    LONG_TEXT = "long_text"
    SCORE = "score"  # a whole number in [low, high]
    NUMBER = "number"  # a whole number, 0 or more
    DECIMAL = "decimal"
    CHOICE = "choice"
    PERSON = "person"  # one of the challenge's team members (a user id)
    ROWS = "rows"  # one row per line, columns separated by "|"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: object
    type: FieldType
    required: bool = True
    help: object = ""
    low: int = 0
    high: int = 5
    choices: tuple = ()
    # For ROWS: the columns' labels, the first ones required.
    columns: tuple = ()
    required_columns: int = 1

    def clean(self, raw):
        """The stored (JSON) form of ``raw``; raises ValidationError with a message for the person."""
        raw = "" if raw is None else raw
        text = str(raw).strip()
        if not text:
            if self.required:
                raise ValidationError(_("This field is required."))
            return [] if self.type == FieldType.ROWS else None
        return _CLEANERS[self.type](self, text)


def _clean_text(spec: FieldSpec, text: str) -> str:
    return text


def _clean_whole(spec: FieldSpec, text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise ValidationError(_("Enter a whole number.")) from None
    low, high = (spec.low, spec.high) if spec.type == FieldType.SCORE else (0, 10**12)
    if not low <= number <= high:
        raise ValidationError(_("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high})
    return number


def _clean_decimal(spec: FieldSpec, text: str) -> str:
    try:
        value = Decimal(text.replace(",", ".").replace("\u066b", "."))
    except InvalidOperation:
        raise ValidationError(_("Enter a number.")) from None
    if not value.is_finite() or abs(value) >= Decimal(10) ** 12:
        raise ValidationError(_("Enter a number."))
    return str(value.normalize())


def _clean_choice(spec: FieldSpec, text: str) -> str:
    if text not in {value for value, _label in spec.choices}:
        raise ValidationError(_("Pick one of the choices."))
    return text


def _clean_person(spec: FieldSpec, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValidationError(_("Pick one of the team's members.")) from None


def _clean_rows(spec: FieldSpec, text: str) -> list[list[str]]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cells = [cell.strip() for cell in line.split("|")]
        cells = (cells + [""] * len(spec.columns))[: len(spec.columns)]
        if any(not cell for cell in cells[: spec.required_columns]) or len(line.split("|")) > len(spec.columns):
            raise ValidationError(
                _("Line %(number)s: write %(columns)s, separated by “|”.")
                % {"number": number, "columns": " | ".join(str(c) for c in spec.columns)}
            )
        rows.append(cells)
    if spec.required and not rows:
        raise ValidationError(_("This field is required."))
    return rows


_CLEANERS = {
    FieldType.TEXT: _clean_text,
    FieldType.LONG_TEXT: _clean_text,
    FieldType.SCORE: _clean_whole,
    FieldType.NUMBER: _clean_whole,
    FieldType.DECIMAL: _clean_decimal,
    FieldType.CHOICE: _clean_choice,
    FieldType.PERSON: _clean_person,
    FieldType.ROWS: _clean_rows,
}


@dataclass(frozen=True)
class ArtifactSpec:
    kind: ArtifactKind
    owners: tuple[str, ...]
    station: str
    fields: tuple[FieldSpec, ...]
    default_due_day: int
    opens_on_day: int | None = None
    # Program admins may write it too (the challenge note is the program team's and the sponsor's).
    admins_write: bool = False
    extra: dict = field(default_factory=dict)

    def field(self, name: str) -> FieldSpec:
        return next(f for f in self.fields if f.name == name)


_SCORE_HELP = _("0 to 5, as scored at intake.")
_PLAN_COLUMNS = (_("workstream"), _("owner"), _("weekly milestones (separated by “;”)"))

SPECS: dict[str, ArtifactSpec] = {
    spec.kind: spec
    for spec in [
        ArtifactSpec(
            kind=ArtifactKind.CHALLENGE_NOTE,
            owners=(Role.SPONSOR,),
            admins_write=True,
            station=StationKind.CHALLENGE_NOTE,
            default_due_day=-14,
            fields=(
                FieldSpec("scope", _("Scope of the mission"), FieldType.LONG_TEXT),
                FieldSpec("why_it_matters", _("Why it matters (to whom, how much)"), FieldType.LONG_TEXT),
                FieldSpec("score_clear_goal", _("Clear and ambitious goal"), FieldType.SCORE, help=_SCORE_HELP),
                FieldSpec("score_touches_lives", _("Touches people's lives"), FieldType.SCORE, help=_SCORE_HELP),
                FieldSpec(
                    "score_several_organisations",
                    _("Needs several organisations"),
                    FieldType.SCORE,
                    help=_SCORE_HELP,
                ),
                FieldSpec("score_achievable", _("Achievable in 100 days"), FieldType.SCORE, help=_SCORE_HELP),
            ),
        ),
        ArtifactSpec(
            kind=ArtifactKind.CHARTER,
            owners=(Role.TEAM_LEAD, Role.COACH),
            station=StationKind.LAUNCH_WORKSHOP,
            default_due_day=0,
            fields=(
                FieldSpec(
                    "goal_statement",
                    _("The team's 100-day goal"),
                    FieldType.LONG_TEXT,
                    help=_("It may sharpen the wording the program team gave; the change is kept in the history."),
                ),
                FieldSpec("target_value", _("Target on Day 100"), FieldType.DECIMAL),
                FieldSpec(
                    "plan",
                    _("The plan"),
                    FieldType.ROWS,
                    columns=_PLAN_COLUMNS,
                    required_columns=3,
                    help=_("One workstream a line: workstream | owner | week 1 milestone; week 2 milestone; …"),
                ),
                FieldSpec("team_agreement", _("Team agreement"), FieldType.LONG_TEXT),
                FieldSpec("team_lead", _("Team lead the team chose"), FieldType.PERSON),
            ),
        ),
        ArtifactSpec(
            kind=ArtifactKind.SPONSOR_REVIEW,
            owners=(Role.SPONSOR,),
            station=StationKind.SPONSOR_REVIEW,
            default_due_day=28,
            opens_on_day=1,
            fields=(FieldSpec("note", _("The sponsor's note"), FieldType.LONG_TEXT),),
        ),
        ArtifactSpec(
            kind=ArtifactKind.PULSE_CHECK,
            owners=(Role.COACH,),
            station=StationKind.PULSE_CHECK,
            default_due_day=35,
            opens_on_day=1,
            fields=(
                FieldSpec(
                    "team_health", _("Team health"), FieldType.SCORE, low=1, high=5, help=_("1 (poor) to 5 (strong).")
                ),
                FieldSpec("note", _("The coach's note"), FieldType.LONG_TEXT),
            ),
        ),
        ArtifactSpec(
            kind=ArtifactKind.REFRESH,
            owners=(Role.TEAM_LEAD, Role.COACH),
            station=StationKind.REFRESH_WORKSHOP,
            default_due_day=50,
            opens_on_day=30,
            fields=(
                FieldSpec("revised_plan", _("Revised plan"), FieldType.ROWS, columns=_PLAN_COLUMNS, required_columns=3),
                FieldSpec(
                    "redraw_from_value",
                    _("Re-draw the expected line from this value"),
                    FieldType.DECIMAL,
                    required=False,
                    help=_("Optional: the line then runs from today's day and this value to the target on Day 100."),
                ),
                FieldSpec("redraw_reason", _("Why the expected line is re-drawn"), FieldType.LONG_TEXT, required=False),
            ),
        ),
        ArtifactSpec(
            kind=ArtifactKind.RESULTS_NARRATIVE,
            owners=(Role.TEAM_LEAD, Role.COACH),
            station=StationKind.RESULTS_NARRATIVE,
            default_due_day=84,
            opens_on_day=70,
            fields=(FieldSpec("narrative", _("Results narrative"), FieldType.LONG_TEXT),),
        ),
        ArtifactSpec(
            kind=ArtifactKind.LANDING,
            owners=(Role.TEAM_LEAD, Role.COACH),
            station=StationKind.LANDING_WORKSHOP,
            default_due_day=100,
            opens_on_day=90,
            fields=(
                FieldSpec("day_100_value", _("Value on Day 100"), FieldType.DECIMAL),
                FieldSpec(
                    "impact_narrative",
                    _("Impact narrative: what changed for people"),
                    FieldType.LONG_TEXT,
                ),
                FieldSpec("lives", _("Lives (saved, housed, served…)"), FieldType.NUMBER, required=False),
                FieldSpec("hours", _("Hours saved"), FieldType.NUMBER, required=False),
                FieldSpec("money", _("Money saved"), FieldType.DECIMAL, required=False),
                FieldSpec("currency", _("Currency"), FieldType.TEXT, required=False, help=_("For example AED or UZS.")),
                FieldSpec("lessons", _("Lessons"), FieldType.LONG_TEXT),
                FieldSpec("decision", _("Decision"), FieldType.CHOICE, choices=tuple(Decision.choices)),
            ),
        ),
        ArtifactSpec(
            kind=ArtifactKind.SUSTAINABILITY_PLAN,
            owners=(Role.TEAM_LEAD, Role.SPONSOR),
            station=StationKind.SUSTAINMENT_REVIEW,
            default_due_day=130,
            opens_on_day=90,
            fields=(
                FieldSpec(
                    "innovations",
                    _("Innovations made permanent"),
                    FieldType.ROWS,
                    columns=(_("innovation"), _("owner (job title)"), _("resources reallocated")),
                    required_columns=3,
                    help=_("One innovation a line: innovation | owner's job title | resources reallocated"),
                ),
            ),
        ),
    ]
}

ORDER = list(SPECS)
