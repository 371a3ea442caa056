"""The audit trail: who changed what, when, read from django-simple-history's records.

Every tracked model (accelerators, entities, people, roles, cohorts, challenges, team seats,
check-ins, blockers) keeps a historical row per save, with the signed-in person who made it
(``HistoryRequestMiddleware``) or none for jobs and commands. The selectors here turn those rows
into entries a program admin can read: one per save, with each changed field's old and new value,
diffed with ``diff_against`` against the previous record of the same object.

Queries are constant per page: one per history table, then one per model that changed foreign
keys point at (to show names instead of ids), whatever the number of records.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db import models
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from challenges.models import Blocker, Challenge, CheckIn, PhaseTransition
from cohorts.models import Accelerator, Cohort, Entity, User
from members.invitations import masked_names, people_known_to
from members.models import AcceleratorRole, Membership

ENTRY_LIMIT = 500  # newest entries shown on one page; older ones stay in the database

KINDS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime
    who: object | None  # the person, or None for the clock, jobs and commands
    kind: str  # "+", "~" or "-"
    model_label: str
    object_label: str
    object_id: int
    changes: list[FieldChange] = field(default_factory=list)
    history_id: int = 0
    reason: str = ""  # why, when the change was made with one (a goal correction, a replaced team lead)
    who_name: str = ""  # as this accelerator may name them: someone only invited, as the invitation did

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]


def _tracked_fields(record) -> list[models.Field]:
    return [f for f in record.instance_type._meta.concrete_fields if f.editable and hasattr(record, f.attname)]


def _display(model_field: models.Field, value, related: dict, masked: dict | None = None) -> str:
    if value is None or value == "":
        return ""
    if model_field.is_relation:
        if model_field.related_model is User and masked and value in masked:
            return masked[value]
        target = related.get((model_field.related_model, value))
        return str(target) if target is not None else f"#{value}"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, datetime):
        return formats.date_format(value, "DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, Decimal):
        return formats.number_format(value.normalize())
    return str(value)


def _changed_values(record, previous) -> list[tuple[models.Field, object, object]]:
    """(field, old, new) for each tracked field that differs from the previous record."""
    by_name = {f.name: f for f in _tracked_fields(record)}
    if previous is None:
        if record.history_type == "-":
            return []
        return [
            (f, None, getattr(record, f.attname))
            for f in by_name.values()
            if getattr(record, f.attname) not in (None, "")
        ]
    delta = record.diff_against(previous, included_fields=list(by_name))
    return [(by_name[c.field], c.old, c.new) for c in delta.changes if c.field in by_name]


def history_entries(querysets: list[models.QuerySet], *, accelerator: Accelerator | None) -> list[HistoryEntry]:
    """Readable entries, newest first, for the historical records of ``querysets``.

    Each queryset selects whole objects' histories (e.g. every record of a challenge's check-ins),
    so that each record can be diffed against the one before it without another query. People
    only invited to ``accelerator`` are named as the invitation named them (``masked_names``).
    """
    raw: list[tuple[object, list]] = []
    for queryset in querysets:
        records = list(queryset.select_related("history_user").order_by("id", "history_date", "history_id"))
        previous_by_object: dict[int, object] = {}
        for record in records:
            previous = previous_by_object.get(record.id)
            raw.append((record, _changed_values(record, previous)))
            previous_by_object[record.id] = record

    raw.sort(key=lambda item: (item[0].history_date, item[0].history_id), reverse=True)
    raw = raw[:ENTRY_LIMIT]

    wanted: dict[type, set] = defaultdict(set)
    for _record, changes in raw:
        for model_field, old, new in changes:
            if model_field.is_relation:
                wanted[model_field.related_model].update(v for v in (old, new) if v is not None)
    people = {record.history_user_id for record, _changes in raw} | wanted.get(User, set())
    masked = masked_names(accelerator, people) if accelerator is not None else {}
    related = {}
    for model, ids in wanted.items():
        for pk, obj in model._default_manager.in_bulk(list(ids)).items():
            related[(model, pk)] = obj

    entries = []
    for record, changes in raw:
        meta = record.instance_type._meta
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=record.history_user,
                kind=record.history_type,
                model_label=str(meta.verbose_name),
                object_label=_object_label(record),
                object_id=record.id,
                history_id=record.history_id,
                reason=record.history_change_reason or "",
                who_name=_who_name(record.history_user, masked),
                changes=[
                    FieldChange(
                        label=str(model_field.verbose_name),
                        old=_display(model_field, old, related, masked),
                        new=_display(model_field, new, related, masked),
                    )
                    for model_field, old, new in changes
                ],
            )
        )
    return entries


def _who_name(user, masked: dict) -> str:
    if user is None:
        return ""
    return masked.get(user.pk) or user.get_full_name()


def _object_label(record) -> str:
    """A name for the object as it was then, without touching related rows (no extra queries)."""
    for name in ("title", "name", "full_name", "email", "description"):
        value = getattr(record, name, "")
        if value:
            return str(value)[:120]
    if isinstance(record, CheckIn.history.model):
        return str(_("period %(period)s") % {"period": record.period})
    return f"#{record.id}"


# --- Selectors, one per page ----------------------------------------------------------------------


def challenge_history(challenge: Challenge) -> list[HistoryEntry]:
    """The challenge itself and its team seats, check-ins (with their corrections) and blockers."""
    entries = history_entries(
        [
            Challenge.history.filter(id=challenge.pk),
            Membership.history.filter(challenge_id=challenge.pk),
            CheckIn.history.filter(challenge_id=challenge.pk),
            Blocker.history.filter(challenge_id=challenge.pk),
        ],
        accelerator=challenge.cohort.accelerator,
    )
    extra = [*checkin_corrections(challenge), *phase_changes(challenge.pk), *blocker_resolutions(challenge.pk)]
    masked = masked_names(challenge.cohort.accelerator, {entry.who.pk for entry in extra if entry.who is not None})
    for entry in extra:
        entry.who_name = _who_name(entry.who, masked)
    entries += extra
    entries.sort(key=lambda entry: (entry.when, entry.history_id), reverse=True)
    return entries[:ENTRY_LIMIT]


CORRECTED_FIELDS = ("value", "done", "next_steps", "confidence")


def checkin_corrections(challenge: Challenge) -> list[HistoryEntry]:
    """Corrections of check-ins, from their kept revisions (a correction is a conditional UPDATE,
    which simple-history does not see): each revision holds the version it replaced, and the next
    revision, or the check-in itself, holds what replaced it. One query."""
    from challenges.models import CheckInRevision

    revisions = list(
        CheckInRevision.objects.filter(checkin__challenge_id=challenge.pk)
        .select_related("checkin", "corrected_by")
        .order_by("checkin_id", "version")
    )
    by_version = {(r.checkin_id, r.version): r for r in revisions}
    fields = {name: CheckIn._meta.get_field(name) for name in CORRECTED_FIELDS}
    entries = []
    for revision in revisions:
        newer = by_version.get((revision.checkin_id, revision.version + 1), revision.checkin)
        changes = [
            FieldChange(
                label=str(model_field.verbose_name),
                old=_display(model_field, getattr(revision, name), {}),
                new=_display(model_field, getattr(newer, name), {}),
            )
            for name, model_field in fields.items()
            if getattr(revision, name) != getattr(newer, name)
        ]
        entries.append(
            HistoryEntry(
                when=revision.corrected_at,
                who=revision.corrected_by,
                kind="~",
                model_label=str(CheckIn._meta.verbose_name),
                object_label=str(_("period %(period)s") % {"period": revision.checkin.period}),
                object_id=revision.checkin_id,
                history_id=0,
                changes=changes,
            )
        )
    return entries


def phase_changes(challenge_id: int) -> list[HistoryEntry]:
    """The clock's phase transitions (written in set-based SQL, which simple-history does not see). One query."""
    phase = PhaseTransition._meta.get_field("to_phase")
    effective = PhaseTransition._meta.get_field("effective_on")
    return [
        HistoryEntry(
            when=transition.recorded_at,
            who=None,
            kind="~",
            model_label=str(_("phase")),
            object_label=transition.get_to_phase_display(),
            object_id=challenge_id,
            changes=[
                FieldChange(
                    label=str(phase.verbose_name),
                    old=transition.get_from_phase_display(),
                    new=transition.get_to_phase_display(),
                ),
                FieldChange(
                    label=str(effective.verbose_name), old="", new=_display(effective, transition.effective_on, {})
                ),
            ],
        )
        for transition in PhaseTransition.objects.filter(challenge_id=challenge_id)
    ]


def blocker_resolutions(challenge_id: int) -> list[HistoryEntry]:
    """Blockers resolved (a conditional UPDATE, which simple-history does not see), from their rows. One query."""
    resolution = Blocker._meta.get_field("resolution")
    state = Blocker._meta.get_field("state")
    resolved = Blocker.objects.filter(challenge_id=challenge_id, state=Blocker.State.RESOLVED).select_related(
        "resolved_by"
    )
    return [
        HistoryEntry(
            when=blocker.resolved_at,
            who=blocker.resolved_by,
            kind="~",
            model_label=str(Blocker._meta.verbose_name),
            object_label=blocker.description[:120],
            object_id=blocker.pk,
            changes=[
                FieldChange(
                    label=str(state.verbose_name), old=str(Blocker.State.OPEN.label), new=blocker.get_state_display()
                ),
                FieldChange(label=str(resolution.verbose_name), old="", new=blocker.resolution),
            ],
        )
        for blocker in resolved
    ]


def cohort_history(cohort: Cohort) -> list[HistoryEntry]:
    """The cohort (created, edited, launched), its challenges (created, corrected, withdrawn, deleted),
    their team seats and the officials granted it."""
    challenge_ids = Challenge.history.filter(cohort_id=cohort.pk).values("id")
    return history_entries(
        [
            Cohort.history.filter(id=cohort.pk),
            Challenge.history.filter(cohort_id=cohort.pk),
            Membership.history.filter(challenge_id__in=challenge_ids),
            AcceleratorRole.history.filter(cohort_id=cohort.pk),
        ],
        accelerator=cohort.accelerator,
    )


def accelerator_history(accelerator: Accelerator) -> list[HistoryEntry]:
    """The accelerator's settings, entities, roles, and the people who belong to it (``people_known_to``:
    someone only invited is not one of them, and their account's history stays out of sight)."""
    people = people_known_to(accelerator).values("pk")
    return history_entries(
        [
            Accelerator.history.filter(id=accelerator.pk),
            # Cohorts, deleted drafts included (their own page is gone with them).
            Cohort.history.filter(accelerator_id=accelerator.pk),
            Entity.history.filter(accelerator_id=accelerator.pk),
            AcceleratorRole.history.filter(accelerator_id=accelerator.pk),
            User.history.filter(id__in=people),
        ],
        accelerator=accelerator,
    )
