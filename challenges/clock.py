"""The 100-day clock: brings every challenge to the phase its date calls for.

The rules (``../shared/DOMAIN.md``): days are counted in the accelerator's time zone; Day 0 is the
launch day and still belongs to design; acceleration runs Day 1–100; sustainment Day 101–100+S;
the challenge is closed from Day 101+S. Withdrawn challenges and draft cohorts are left alone.

Everything here is set-based SQL, a handful of statements per accelerator whatever the number of
challenges. Idempotency comes from the database: a phase transition is inserted with
``ON CONFLICT DO NOTHING`` against a unique (challenge, to_phase) constraint, so however often or
however concurrently the clock runs, each phase passed is recorded exactly once, and only the
run whose insert succeeded queues the notification. Concurrent runs for one accelerator also
queue behind a row lock on the accelerator so their bulk updates never deadlock each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import connection, transaction
from django.utils import timezone

from cohorts.calendar import ACCELERATION_DAYS, PHASE_RANK, STEPS, Phase
from cohorts.models import Accelerator, Cohort
from core.sql import as_float, case, clamp, date_cast, date_param, days_between, false, placeholders, plus_days
from core.tasking import enqueue_batches

from . import events
from .models import Challenge, PhaseTransition, Station, StationTemplate
from .notifications import NOTIFY_BATCH
from .periods import SUSTAINMENT_CADENCE_DAYS
from .status import gain_sql, span_sql, status_sql

# A challenge is flagged stale this many days after its check-in fell due (our default).
STALE_GRACE_DAYS = 3
_FETCH_CHUNK = 5000


@dataclass
class TickResult:
    transitions: list[tuple[int, str, str, date]] = field(default_factory=list)
    stations_created: int = 0
    stations_overdue: int = 0
    statuses_changed: int = 0


def _phase_rank(column: str) -> str:
    return case(column, {phase.value: rank for phase, rank in PHASE_RANK.items()})


CH = Challenge._meta.db_table
CO = Cohort._meta.db_table
AC = Accelerator._meta.db_table
PT = PhaseTransition._meta.db_table
ST = Station._meta.db_table
STT = StationTemplate._meta.db_table


def _scope_sql(cohort_ids: list[int] | None) -> tuple[str, list]:
    if not cohort_ids:
        return "", []
    return f" AND co.id IN ({placeholders(cohort_ids)})", list(cohort_ids)


# --- The steps -------------------------------------------------------------------------------------


def _steps_sql() -> str:
    """The phase steps as a derived table: from, to, the rank of ``to``, and when it takes effect."""
    return " UNION ALL ".join(
        f"SELECT '{step.from_phase.value}' AS from_phase, '{step.to_phase.value}' AS to_phase,"
        f" {PHASE_RANK[step.to_phase]} AS to_rank, {step.days} AS base_days, {step.plus_sustainment} AS plus_s"
        for step in STEPS
    )


def _takes_effect(launch_date: str, sustainment_days: str, steps: str = "steps") -> str:
    return plus_days(launch_date, f"{steps}.base_days + {steps}.plus_s * {sustainment_days}")


def _step_date(step, launch_date: str, sustainment_days: str) -> str:
    """``Step.takes_effect`` in SQL."""
    return plus_days(launch_date, f"{step.days} + {step.plus_sustainment} * {sustainment_days}")


def _target_rank_sql(launch_date: str, sustainment_days: str) -> str:
    """The rank of the phase the date calls for (``phase_on`` in SQL): the last step already in effect."""
    whens = " ".join(
        f"WHEN {_step_date(step, launch_date, sustainment_days)} <= {date_cast()} THEN {PHASE_RANK[step.to_phase]}"
        for step in reversed(STEPS)
    )
    return f"(CASE {whens} ELSE {PHASE_RANK[Phase.DESIGN]} END)"


def _rank_phase_sql(rank: str) -> str:
    return case(rank, {r: phase.value for phase, r in PHASE_RANK.items()})


def _phase_since_sql(rank: str, launch_date: str, sustainment_days: str) -> str:
    whens = " ".join(
        f"WHEN {PHASE_RANK[step.to_phase]} THEN {_step_date(step, launch_date, sustainment_days)}" for step in STEPS
    )
    return f"(CASE {rank} {whens} END)"


def _advance_phases(
    cursor, accelerator_id: int, today: date, now: datetime, cohort_ids
) -> tuple[list[int], list[tuple[int, str, str, date]]]:
    """Move every due challenge forwards to the phase its date calls for, recording each phase passed.

    Only ever forwards, and only the challenges that are behind are written. A transition is
    inserted with ``ON CONFLICT DO NOTHING``, so each phase is recorded exactly once; the returned
    ids are the rows this run inserted (the ones to notify about). On PostgreSQL the move and the
    record are one statement (the UPDATE's RETURNING feeds the INSERT), so the challenges are read
    and written once; SQLite, which has no data-modifying WITH, records first and then moves.
    """
    scope, scope_params = _scope_sql(cohort_ids)
    target = _target_rank_sql("co.launch_date", "co.sustainment_days")
    behind = f"""
        FROM {CH} ch JOIN {CO} co ON co.id = ch.cohort_id
        WHERE co.accelerator_id = %s AND co.status = 'launched' AND ch.withdrawn_at IS NULL
          AND {_phase_rank("ch.phase")} < {target} {scope}"""
    dates = [date_param(today)] * len(STEPS)  # one per WHEN of ``target``
    behind_params = [accelerator_id, *dates, *scope_params]
    record = f"""
        INSERT INTO {PT} (challenge_id, from_phase, to_phase, effective_on, recorded_at)
        SELECT due.id, steps.from_phase, steps.to_phase, {_takes_effect("due.launch_date", "due.sustainment_days")}, %s
        FROM due CROSS JOIN ({_steps_sql()}) steps
        WHERE due.old_rank < steps.to_rank AND steps.to_rank <= due.new_rank
        ON CONFLICT (challenge_id, to_phase) DO NOTHING
        RETURNING id, challenge_id, from_phase, to_phase, effective_on"""
    if connection.vendor == "postgresql":
        cursor.execute(
            f"""
            WITH behind AS (
                SELECT ch.id, {_phase_rank("ch.phase")} AS old_rank, {target} AS new_rank,
                       co.launch_date, co.sustainment_days
                {behind}
            ), due AS (
                UPDATE {CH} SET phase = {_rank_phase_sql("behind.new_rank")},
                    phase_since = {_phase_since_sql("behind.new_rank", "behind.launch_date", "behind.sustainment_days")}
                FROM behind WHERE {CH}.id = behind.id
                RETURNING behind.*
            )
            {record}
            """,
            [*dates, *behind_params, now],
        )
        return _fetch_transitions(cursor)
    # SQLite: the same rows, recorded from the phases as they stand, then moved.
    cursor.execute(
        f"""
        WITH due AS (
            SELECT ch.id, {_phase_rank("ch.phase")} AS old_rank, {target} AS new_rank,
                   co.launch_date, co.sustainment_days
            {behind}
        )
        {record}
        """,
        [*dates, *behind_params, now],
    )
    recorded = _fetch_transitions(cursor)
    new_rank = _target_rank_sql(f"{CO}.launch_date", f"{CO}.sustainment_days")
    cursor.execute(
        f"""
        UPDATE {CH} SET
            phase = (SELECT {_rank_phase_sql(new_rank)} FROM {CO} WHERE {CO}.id = {CH}.cohort_id),
            phase_since = (SELECT {_phase_since_sql(new_rank, f"{CO}.launch_date", f"{CO}.sustainment_days")}
                           FROM {CO} WHERE {CO}.id = {CH}.cohort_id)
        WHERE id IN (SELECT ch.id {behind})
        """,
        [*dates, *dates, *behind_params],
    )
    return recorded


def _fetch_transitions(cursor) -> tuple[list[int], list[tuple[int, str, str, date]]]:
    """The inserted rows' ids and transitions, read in chunks into tuples sharing their names and dates,
    so a tick that records 200,000 transitions keeps the worker within its memory budget."""
    ids: list[int] = []
    transitions: list[tuple[int, str, str, date]] = []
    phases: dict[str, str] = {}
    dates: dict = {}
    while chunk := cursor.fetchmany(_FETCH_CHUNK):
        for transition_id, challenge_id, from_phase, to_phase, effective_on in chunk:
            ids.append(transition_id)
            transitions.append(
                (
                    challenge_id,
                    phases.setdefault(from_phase, from_phase),
                    phases.setdefault(to_phase, to_phase),
                    dates.setdefault(effective_on, _as_date(effective_on)),
                )
            )
    return ids, transitions


def refresh_status(
    *, accelerator: Accelerator, today: date, challenge_ids: list[int] | None = None, cohort_ids=None
) -> int:
    """Recompute stored progress, expected progress, status and the stale flag, set-based.

    Used by the clock for a whole accelerator and by the check-in service for one challenge,
    so the rule lives in one place. Only rows whose values change are written, and each row at
    most once a day otherwise (``refreshed_on``): a tick for an earlier day than the last one
    (a delayed task, a clock set back) never moves stored state backwards.
    """
    today_sql = date_cast()
    day = clamp(days_between(today_sql, "co.launch_date"), 0, ACCELERATION_DAYS)
    expected = f"({as_float(day)} / {ACCELERATION_DAYS})"
    # "+ 0.0" turns the -0.0 that 0 / (a negative span) gives for decrease metrics into 0.0.
    progress = (
        f"({as_float('COALESCE(ch.current_value, ch.baseline_value) - ch.baseline_value')}"
        f" / {as_float('ch.target_value - ch.baseline_value')} + 0.0)"
    )
    since_checkin = days_between(today_sql, "COALESCE(ch.last_checkin_on, co.launch_date)")
    stale = f"""(CASE
        WHEN ch.phase = '{Phase.ACCELERATION.value}' THEN {since_checkin} > ac.checkin_cadence_days + {STALE_GRACE_DAYS}
        WHEN ch.phase = '{Phase.SUSTAINMENT.value}' THEN {since_checkin} > {SUSTAINMENT_CADENCE_DAYS + STALE_GRACE_DAYS}
        ELSE {false()} END)"""
    gain = gain_sql(value="ch.current_value", baseline="ch.baseline_value", target="ch.target_value")
    span = span_sql(baseline="ch.baseline_value", target="ch.target_value")
    params: list = [date_param(today)] * 4 + [accelerator.id]
    filters = ""
    if challenge_ids is not None:
        filters += f" AND ch.id IN ({placeholders(challenge_ids)})"
        params += list(challenge_ids)
    scope, scope_params = _scope_sql(cohort_ids)
    params += scope_params
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {CH} SET progress = fresh.progress, expected_progress = fresh.expected,
                status = fresh.status, is_stale = fresh.stale, refreshed_on = {today_sql}
            FROM (
                SELECT calc.id, calc.progress, calc.expected, calc.stale,
                       {status_sql(gain="calc.gain", span="calc.span", day="calc.day", phase="calc.phase")} AS status
                FROM (
                    SELECT ch.id, ch.phase, {progress} AS progress, {expected} AS expected, {stale} AS stale,
                           {gain} AS gain, {span} AS span, {day} AS day
                    FROM {CH} ch
                    JOIN {CO} co ON co.id = ch.cohort_id
                    JOIN {AC} ac ON ac.id = co.accelerator_id
                    WHERE co.accelerator_id = %s AND co.status = '{Cohort.Status.LAUNCHED.value}'
                      AND ch.withdrawn_at IS NULL
                      {filters} {scope}
                ) calc
            ) fresh
            WHERE {CH}.id = fresh.id
              AND ({CH}.refreshed_on IS NULL OR {CH}.refreshed_on <= {today_sql})
              AND ({CH}.status <> fresh.status OR {CH}.progress <> fresh.progress
                   OR {CH}.expected_progress <> fresh.expected OR {CH}.is_stale <> fresh.stale
                   OR {CH}.refreshed_on IS NULL OR {CH}.refreshed_on < {today_sql})
            """,
            [date_param(today), *params, date_param(today), date_param(today)],
        )
        return cursor.rowcount


def _materialise_stations(cursor, accelerator_id: int, cohort_ids) -> int:
    anchor = "CASE t.anchor WHEN 'launch' THEN co.launch_date ELSE co.design_start END"
    scope, scope_params = _scope_sql(cohort_ids)
    cursor.execute(
        f"""
        INSERT INTO {ST} (challenge_id, template_id, kind, name, due_on, state, done_on, done_by_id)
        SELECT ch.id, t.id, t.kind, t.name, {plus_days(anchor, "t.day_offset")}, 'pending', NULL, NULL
        FROM {CH} ch
        JOIN {CO} co ON co.id = ch.cohort_id
        JOIN {STT} t ON t.accelerator_id = co.accelerator_id
        WHERE co.accelerator_id = %s AND co.status = 'launched' AND ch.withdrawn_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM {ST} s WHERE s.challenge_id = ch.id AND s.template_id = t.id)
          {scope}
        ON CONFLICT (challenge_id, template_id) DO NOTHING
        """,
        [accelerator_id, *scope_params],
    )
    return cursor.rowcount


def _mark_overdue_stations(cursor, accelerator_id: int, today: date, cohort_ids) -> int:
    scope, scope_params = _scope_sql(cohort_ids)
    cursor.execute(
        f"""
        UPDATE {ST} SET state = 'overdue'
        WHERE state = 'pending' AND due_on < {date_cast()}
          AND challenge_id IN (
              SELECT ch.id FROM {CH} ch JOIN {CO} co ON co.id = ch.cohort_id
              WHERE co.accelerator_id = %s AND ch.withdrawn_at IS NULL {scope}
          )
        """,
        [date_param(today), accelerator_id, *scope_params],
    )
    return cursor.rowcount


def clock_tick(
    *,
    now: datetime | None = None,
    accelerator_ids: list[int] | None = None,
    cohort_ids: list[int] | None = None,
    notify: bool = True,
) -> TickResult:
    """Bring every challenge (of the given accelerators / cohorts) to its phase as of ``now``.

    Each accelerator is handled in its own transaction, on its own local date.
    """
    now = now or timezone.now()
    result = TickResult()
    accelerators = Accelerator.objects.order_by("id")
    if accelerator_ids is not None:
        accelerators = accelerators.filter(id__in=accelerator_ids)
    for accelerator_id in accelerators.values_list("id", flat=True):
        with transaction.atomic():
            accelerator = Accelerator.objects.select_for_update().get(id=accelerator_id)
            today = accelerator.local_today(now)
            with connection.cursor() as cursor:
                transition_ids, transitions = _advance_phases(cursor, accelerator.id, today, now, cohort_ids)
                result.stations_created += _materialise_stations(cursor, accelerator.id, cohort_ids)
                result.stations_overdue += _mark_overdue_stations(cursor, accelerator.id, today, cohort_ids)
            result.statuses_changed += refresh_status(accelerator=accelerator, today=today, cohort_ids=cohort_ids)
            result.transitions.extend(transitions)
            if transition_ids:
                events.phases_changed.send(
                    sender=PhaseTransition, accelerator_id=accelerator.id, transition_ids=transition_ids
                )
            if notify and transition_ids:
                pairs = [[challenge_id, to_phase] for challenge_id, _from, to_phase, _on in transitions]
                transaction.on_commit(lambda pairs=pairs: _queue_notifications(pairs))
    return result


def _as_date(value) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _queue_notifications(transitions: list[list]) -> None:
    """[challenge id, phase entered] pairs; lost if the process dies first, which the sweep makes good."""
    enqueue_batches("challenges.tasks.notify_phase_changes", transitions, batch=NOTIFY_BATCH)
