"""The 100-day clock: brings every challenge to the phase its date calls for.

The rules (``../shared/DOMAIN.md``): days are counted in the accelerator's time zone; Day 0 is the
launch day and still belongs to design; acceleration runs Day 1–100; sustainment Day 101–100+S;
the challenge is closed from Day 101+S. Withdrawn challenges and draft cohorts are left alone.

Everything here is set-based SQL, a handful of statements per accelerator whatever the number of
challenges. Idempotency comes from the database: runs for one accelerator queue behind a row lock
on the accelerator (so their bulk updates never deadlock each other either), and each inserts
only the phases its challenges have not passed yet, against the primary key (challenge,
to_phase); so however often or however concurrently the clock runs, each phase passed is
recorded exactly once, and only the run that recorded it queues its notification, which reads
the run's transitions back by their ``recorded_at`` (nothing is sent back to the tick).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from django.db import connection, transaction
from django.utils import timezone

from cohorts.calendar import ACCELERATION_DAYS, PHASE_RANK, STEPS, Phase
from cohorts.models import Accelerator, Cohort
from core.sql import as_float, case, clamp, date_cast, days_between, false, plus_days, true
from core.tasking import enqueue

from . import events
from .models import Challenge, PhaseTransition, Station, StationTemplate
from .periods import SUSTAINMENT_CADENCE_DAYS
from .status import gain_sql, span_sql, status_sql

# A challenge is flagged stale this many days after its check-in fell due (our default).
STALE_GRACE_DAYS = 3


class RecordedTransitions(Sequence):
    """(challenge id, from phase, to phase, effective on) of the transitions one run recorded in one
    accelerator, read from the database on first use (``PhaseTransition.objects.recorded_by``): the
    tick itself never carries them, so a reader that needs none (no webhook endpoint) reads none."""

    def __init__(self, accelerator_id: int, recorded_at: datetime):
        self.accelerator_id, self.recorded_at = accelerator_id, recorded_at

    @cached_property
    def _rows(self) -> list[tuple[int, str, str, date]]:
        rows = PhaseTransition.objects.recorded_by(self.accelerator_id, self.recorded_at)
        return list(rows.order_by().values_list("challenge_id", "from_phase", "to_phase", "effective_on"))

    def __getitem__(self, index):
        return self._rows[index]

    def __len__(self) -> int:
        return len(self._rows)


@dataclass
class TickResult:
    """What a tick did. The transitions stay in the database: ``recorded`` holds, per accelerator
    where this run recorded some, those transitions read lazily; ``transitions`` lists them all."""

    recorded: list[RecordedTransitions] = field(default_factory=list)
    transitions_recorded: int = 0
    stations_created: int = 0
    statuses_changed: int = 0

    @property
    def transitions(self) -> list[tuple[int, str, str, date]]:
        return [row for recorded in self.recorded for row in recorded]


def _phase_rank(column: str) -> str:
    return case(column, {phase.value: rank for phase, rank in PHASE_RANK.items()})


CH = Challenge._meta.db_table
CO = Cohort._meta.db_table
AC = Accelerator._meta.db_table
PT = PhaseTransition._meta.db_table
ST = Station._meta.db_table
STT = StationTemplate._meta.db_table


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


def _target_rank_sql(launch_date: str, sustainment_days: str, today: str) -> str:
    """The rank of the phase ``today`` calls for (``phase_on`` in SQL): the last step already in effect."""
    whens = " ".join(
        f"WHEN {_step_date(step, launch_date, sustainment_days)} <= {today} THEN {PHASE_RANK[step.to_phase]}"
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


def _day_sql(day: date) -> str:
    """A local date as a SQL literal (a ``date``'s ISO form is digits and dashes only), so the
    statements below carry it without a placeholder per use."""
    return date_cast(f"'{day.isoformat()}'")


def _fresh_columns(*, phase: str, today: str) -> str:
    """Progress, expected progress, the stale flag and the status inputs of ``ch`` (of cohort ``co``,
    accelerator ``ac``) on ``today`` in ``phase``: the select list whose ``calc`` row ``_status_of``
    turns into a status. The one place the stored values' rule is written in SQL."""
    day = clamp(days_between(today, "co.launch_date"), 0, ACCELERATION_DAYS)
    expected = f"({as_float(day)} / {ACCELERATION_DAYS})"
    # "+ 0.0" turns the -0.0 that 0 / (a negative span) gives for decrease metrics into 0.0.
    progress = (
        f"({as_float('COALESCE(ch.current_value, ch.baseline_value) - ch.baseline_value')}"
        f" / {as_float('ch.target_value - ch.baseline_value')} + 0.0)"
    )
    since_checkin = days_between(today, "COALESCE(ch.last_checkin_on, co.launch_date)")
    stale = f"""(CASE
        WHEN {phase} = '{Phase.ACCELERATION.value}' THEN {since_checkin} > ac.checkin_cadence_days + {STALE_GRACE_DAYS}
        WHEN {phase} = '{Phase.SUSTAINMENT.value}' THEN {since_checkin} > {SUSTAINMENT_CADENCE_DAYS + STALE_GRACE_DAYS}
        ELSE {false()} END)"""
    gain = gain_sql(value="ch.current_value", baseline="ch.baseline_value", target="ch.target_value")
    span = span_sql(baseline="ch.baseline_value", target="ch.target_value")
    return (
        f"{phase} AS phase, {progress} AS progress, {expected} AS expected, {stale} AS stale,"
        f" {gain} AS gain, {span} AS span, {day} AS day"
    )


def _status_of(calc: str) -> str:
    return status_sql(gain=f"{calc}.gain", span=f"{calc}.span", day=f"{calc}.day", phase=f"{calc}.phase")


def _on_the_clock(accelerator_id: int, cohort_ids) -> str:
    """The challenges the clock keeps: launched cohorts of the accelerator, not withdrawn (ids are ints)."""
    scope = f" AND co.id IN ({', '.join(str(int(i)) for i in cohort_ids)})" if cohort_ids else ""
    return (
        f"co.accelerator_id = {int(accelerator_id)} AND co.status = '{Cohort.Status.LAUNCHED.value}'"
        f" AND ch.withdrawn_at IS NULL{scope}"
    )


def _advance_phases(
    cursor, accelerator_id: int, today: date, now: datetime, cohort_ids, *, with_status: bool = True
) -> int:
    """Move every due challenge forwards to the phase its date calls for, recording each phase passed
    (stamped ``recorded_at = now``); returns how many transitions were recorded.

    Only ever forwards, and only the challenges that are behind are read and written: the
    transitions inserted are exactly the steps between the phase a challenge is in and the one its
    date calls for, so none can exist yet (a challenge's phase never moves backwards, and runs for
    one accelerator queue behind its row lock, each statement seeing what the one before committed).
    That is why the insert needs neither ``ON CONFLICT`` nor ``RETURNING``: the primary key
    (challenge, to_phase) still refuses a second row, and the notifications read the rows back by
    their instant (``PhaseTransition.objects.recorded_by``). With ``with_status`` the same write also stores the
    moved challenges' progress and status for their new phase (a phase change is a change their
    status depends on), so the daily refresh finds them done; a row already refreshed for a later
    day keeps its values. On PostgreSQL the move and the record are one statement (the UPDATE's
    RETURNING feeds the INSERT); SQLite, which has no data-modifying WITH and no row lock, records
    first (skipping what a concurrent run recorded) and then moves.
    """
    day = _day_sql(today)
    target = _target_rank_sql("co.launch_date", "co.sustainment_days", day)
    phase = _rank_phase_sql(target)
    fresh = f", {_fresh_columns(phase=phase, today=day)}" if with_status else ""
    behind = f"""
        SELECT calc.*{f", {_status_of('calc')} AS status" if with_status else ""} FROM (
            SELECT ch.id, {_phase_rank("ch.phase")} AS old_rank, {target} AS new_rank,
                   co.launch_date, co.sustainment_days{fresh}
            FROM {CH} ch JOIN {CO} co ON co.id = ch.cohort_id JOIN {AC} ac ON ac.id = co.accelerator_id
            WHERE {_on_the_clock(accelerator_id, cohort_ids)} AND {_phase_rank("ch.phase")} < {target}
        ) calc"""
    moves = [
        f"phase = {_rank_phase_sql('behind.new_rank')}",
        f"phase_since = {_phase_since_sql('behind.new_rank', 'behind.launch_date', 'behind.sustainment_days')}",
    ]
    if with_status:
        keep = f"{CH}.refreshed_on > {day}"  # refreshed for a later day: never moved backwards
        fresh_values = {
            "progress": "behind.progress",
            "expected_progress": "behind.expected",
            "status": "behind.status",
            "is_stale": "behind.stale",
            "refreshed_on": day,
        }
        moves += [
            f"{column} = CASE WHEN {keep} THEN {CH}.{column} ELSE {value} END" for column, value in fresh_values.items()
        ]
    move = f"UPDATE {CH} SET {', '.join(moves)} FROM ({behind}) behind WHERE {CH}.id = behind.id"
    record = f"""
        INSERT INTO {PT} (challenge_id, from_phase, to_phase, effective_on, recorded_at)
        SELECT due.id, steps.from_phase, steps.to_phase, {_takes_effect("due.launch_date", "due.sustainment_days")}, %s
        FROM due CROSS JOIN ({_steps_sql()}) steps
        WHERE due.old_rank < steps.to_rank AND steps.to_rank <= due.new_rank"""
    # Stored as the ORM stores it, so ``recorded_by`` finds the rows by this instant on every backend.
    stamp = connection.ops.adapt_datetimefield_value(now)
    if connection.vendor == "postgresql":
        cursor.execute(
            f"WITH due AS ({move} RETURNING behind.id, behind.old_rank, behind.new_rank,"
            f" behind.launch_date, behind.sustainment_days) {record}",
            [stamp],
        )
        return cursor.rowcount
    # SQLite: the same rows, recorded from the phases as they stand, then moved (its rowcount says
    # nothing for a statement starting with WITH: changes() does).
    cursor.execute(f"WITH due AS ({behind}) {record} ON CONFLICT (challenge_id, to_phase) DO NOTHING", [stamp])
    cursor.execute("SELECT changes()")
    recorded = cursor.fetchone()[0]
    cursor.execute(move)
    return recorded


def refresh_status(
    *,
    accelerator: Accelerator,
    today: date,
    challenge_ids: list[int] | None = None,
    cohort_ids=None,
    due_cohorts_only: bool = False,
) -> int:
    """Recompute stored progress, expected progress, status and the stale flag, set-based.

    Used by the clock once a local day per cohort (``due_cohorts_only``: the cohorts whose
    ``statuses_refreshed_on`` is before ``today``) and by every change a status depends on (a
    check-in written or corrected, a goal edited) for the one challenge, so the rule lives in one
    place. Only rows whose values change are written, and a row refreshed for a later day (a
    delayed task, a clock set back) is never moved backwards.
    """
    day = _day_sql(today)
    filters = ""
    if challenge_ids is not None:
        filters += f" AND ch.id IN ({', '.join(str(int(i)) for i in challenge_ids) or 'NULL'})"
    if due_cohorts_only:
        # A cohort the clock has not run over yet (or whose dates or cadence an admin changed: its day
        # is cleared) has every row recomputed; otherwise only the rows nothing refreshed today.
        filters += (
            f" AND (co.statuses_refreshed_on IS NULL"
            f" OR (co.statuses_refreshed_on < {day} AND (ch.refreshed_on IS NULL OR ch.refreshed_on < {day})))"
        )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {CH} SET progress = fresh.progress, expected_progress = fresh.expected,
                status = fresh.status, is_stale = fresh.stale, refreshed_on = {day}
            FROM (
                SELECT calc.id, calc.progress, calc.expected, calc.stale, {_status_of("calc")} AS status
                FROM (
                    SELECT ch.id, {_fresh_columns(phase="ch.phase", today=day)}
                    FROM {CH} ch
                    JOIN {CO} co ON co.id = ch.cohort_id
                    JOIN {AC} ac ON ac.id = co.accelerator_id
                    WHERE {_on_the_clock(accelerator.id, cohort_ids)} {filters}
                ) calc
            ) fresh
            WHERE {CH}.id = fresh.id
              AND ({CH}.refreshed_on IS NULL OR {CH}.refreshed_on <= {day})
              AND ({CH}.status <> fresh.status OR {CH}.progress <> fresh.progress
                   OR {CH}.expected_progress <> fresh.expected OR {CH}.is_stale <> fresh.stale
                   OR {CH}.refreshed_on IS NULL OR {CH}.refreshed_on < {day})
            """
        )
        return cursor.rowcount


def _materialise_stations(cursor, accelerator_id: int, today: date, cohort_ids) -> int:
    """Give each challenge the stations of its accelerator's template, checking only where the answer
    can have changed: cohorts whose template changed since they were last synced (``stations_synced``
    cleared) and challenges that have no station yet. Every station is born pending: overdue is read
    from its due day (``Station.state_on``), never stored.
    """
    due_on = plus_days("CASE t.anchor WHEN 'launch' THEN co.launch_date ELSE co.design_start END", "t.day_offset")
    cursor.execute(
        f"""
        INSERT INTO {ST} (challenge_id, template_id, kind, name, due_on, state, done_on, done_by_id)
        SELECT ch.id, t.id, t.kind, t.name, {due_on}, 'pending', NULL, NULL
        FROM {CH} ch
        JOIN {CO} co ON co.id = ch.cohort_id
        JOIN {STT} t ON t.accelerator_id = co.accelerator_id
        WHERE {_on_the_clock(accelerator_id, cohort_ids)}
          AND (co.stations_synced = {false()} OR NOT EXISTS (SELECT 1 FROM {ST} s WHERE s.challenge_id = ch.id))
          AND NOT EXISTS (SELECT 1 FROM {ST} s WHERE s.challenge_id = ch.id AND s.template_id = t.id)
        ON CONFLICT (challenge_id, template_id) DO NOTHING
        """
    )
    return cursor.rowcount


def _mark_cohorts_done(cursor, accelerator_id: int, today: date, cohort_ids) -> None:
    """Record that the clock brought these cohorts up to ``today`` (never moving the day backwards)."""
    day = _day_sql(today)
    scope = f" AND id IN ({', '.join(str(int(i)) for i in cohort_ids)})" if cohort_ids else ""
    behind = f"statuses_refreshed_on IS NULL OR statuses_refreshed_on < {day}"
    cursor.execute(
        f"""
        UPDATE {CO} SET statuses_refreshed_on = CASE WHEN {behind} THEN {day} ELSE statuses_refreshed_on END,
            stations_synced = {true()}
        WHERE accelerator_id = {int(accelerator_id)} AND status = '{Cohort.Status.LAUNCHED.value}'
          AND ({behind} OR stations_synced = {false()}){scope}
        """
    )


def clock_tick(
    *,
    now: datetime | None = None,
    accelerator_ids: list[int] | None = None,
    cohort_ids: list[int] | None = None,
    notify: bool = True,
) -> TickResult:
    """Bring every challenge (of the given accelerators / cohorts) to its phase as of ``now``.

    Each accelerator is handled in its own transaction, on its own local date. Beyond moving the
    challenges that are due, a tick works only where something changed: a cohort's statuses once
    per local day (its ``statuses_refreshed_on``), its stations when the template changed or a
    challenge has none. Overdue stations need no work: overdue is read from the due day.
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
                recorded = _advance_phases(cursor, accelerator.id, today, now, cohort_ids)
                result.stations_created += _materialise_stations(cursor, accelerator.id, today, cohort_ids)
                result.statuses_changed += refresh_status(
                    accelerator=accelerator, today=today, cohort_ids=cohort_ids, due_cohorts_only=True
                )
                _mark_cohorts_done(cursor, accelerator.id, today, cohort_ids)
            if recorded:
                transitions = RecordedTransitions(accelerator.id, now)
                result.recorded.append(transitions)
                result.transitions_recorded += recorded
                events.phases_changed.send(
                    sender=PhaseTransition, accelerator_id=accelerator.id, transitions=transitions
                )
                if notify:
                    recording = [accelerator.id, now.isoformat()]
                    transaction.on_commit(lambda recording=recording: _queue_notifications(recording))
    return result


def _queue_notifications(recording: list) -> None:
    """[accelerator id, recorded_at in ISO form]: one task reads that run's transitions and fans them
    out in batches. Lost if the process dies first, which the sweep makes good."""
    enqueue("challenges.tasks.notify_phase_changes_recorded", *recording)
