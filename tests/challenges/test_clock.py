"""The 100-day clock at every boundary, in three time zones, run for real against the database."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from challenges import clock
from challenges.models import Challenge, PhaseTransition, Station, Status
from challenges.status import gain_and_span, status_for
from cohorts.calendar import Phase, phase_on, phase_starts_on
from tests.factories import AcceleratorFactory, ChallengeFactory, CohortFactory

pytestmark = pytest.mark.django_db

LAUNCH = date(2026, 3, 8)  # the Sunday daylight saving starts in New York
ZONES = ["Asia/Tashkent", "Asia/Dubai", "America/New_York"]


def at_local(zone: str, day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def make_challenge(zone: str, *, launch: date = LAUNCH, sustainment: int = 90, **kwargs) -> Challenge:
    accelerator = AcceleratorFactory(time_zone=zone, sustainment_days=sustainment)
    cohort = CohortFactory(accelerator=accelerator, launch_date=launch, design_start=launch - timedelta(days=30))
    return ChallengeFactory(cohort=cohort, **kwargs)


def phase_after_tick(challenge: Challenge, now: datetime) -> str:
    clock.clock_tick(now=now, notify=False)
    challenge.refresh_from_db()
    return challenge.phase


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize(
    ("days_after_launch", "before", "after"),
    [
        (1, Phase.DESIGN, Phase.ACCELERATION),
        (101, Phase.ACCELERATION, Phase.SUSTAINMENT),
        (191, Phase.SUSTAINMENT, Phase.CLOSED),
    ],
)
def test_it_changes_phase_exactly_at_local_midnight(zone, days_after_launch, before, after):
    challenge = make_challenge(zone)
    boundary = LAUNCH + timedelta(days=days_after_launch)
    last_minute = at_local(zone, boundary - timedelta(days=1), 23, 59)
    first_minute = at_local(zone, boundary, 0, 0)

    assert phase_after_tick(challenge, last_minute) == before
    assert phase_after_tick(challenge, first_minute) == after
    transition = PhaseTransition.objects.get(challenge=challenge, to_phase=after)
    assert transition.effective_on == boundary
    challenge.refresh_from_db()
    assert challenge.phase_since == boundary


def test_day_zero_still_belongs_to_design():
    challenge = make_challenge("Asia/Tashkent")
    assert phase_after_tick(challenge, at_local("Asia/Tashkent", LAUNCH, 12)) == Phase.DESIGN


def test_it_uses_the_accelerators_zone_not_utc():
    # 20:30 UTC on launch day is already Day 1 (01:30) in Tashkent, still Day 0 in New York.
    tashkent = make_challenge("Asia/Tashkent")
    new_york = make_challenge("America/New_York")
    now = datetime.combine(LAUNCH, time(20, 30), tzinfo=UTC)
    clock.clock_tick(now=now, notify=False)
    tashkent.refresh_from_db()
    new_york.refresh_from_db()
    assert (tashkent.phase, new_york.phase) == (Phase.ACCELERATION, Phase.DESIGN)


def test_sustainment_length_comes_from_the_cohort():
    challenge = make_challenge("Asia/Dubai", sustainment=30)
    closes = LAUNCH + timedelta(days=131)
    assert phase_after_tick(challenge, at_local("Asia/Dubai", closes - timedelta(days=1), 23)) == Phase.SUSTAINMENT
    assert phase_after_tick(challenge, at_local("Asia/Dubai", closes)) == Phase.CLOSED


def test_a_long_outage_records_every_phase_passed_with_its_own_date():
    challenge = make_challenge("Asia/Tashkent", sustainment=20)
    clock.clock_tick(now=at_local("Asia/Tashkent", LAUNCH + timedelta(days=95)), notify=False)
    # The clock is down for 30 days, across Day 100 and the end of a 20-day sustainment.
    result = clock.clock_tick(now=at_local("Asia/Tashkent", LAUNCH + timedelta(days=125)), notify=False)

    assert [(t[2], t[3]) for t in sorted(result.transitions, key=lambda t: t[3])] == [
        (Phase.SUSTAINMENT, LAUNCH + timedelta(days=101)),
        (Phase.CLOSED, LAUNCH + timedelta(days=121)),
    ]
    rows = list(
        PhaseTransition.objects.filter(challenge=challenge)
        .order_by("effective_on")
        .values_list("from_phase", "to_phase")
    )
    assert rows == [("design", "acceleration"), ("acceleration", "sustainment"), ("sustainment", "closed")]
    challenge.refresh_from_db()
    assert (challenge.phase, challenge.phase_since) == (Phase.CLOSED, LAUNCH + timedelta(days=121))


def test_a_second_run_changes_nothing():
    challenge = make_challenge("Asia/Dubai")
    now = at_local("Asia/Dubai", LAUNCH + timedelta(days=150))
    first = clock.clock_tick(now=now, notify=False)
    snapshot = Challenge.objects.values().get(pk=challenge.pk)
    second = clock.clock_tick(now=now, notify=False)

    assert len(first.transitions) == 2
    assert second.transitions == []
    assert (second.stations_created, second.statuses_changed) == (0, 0)
    assert Challenge.objects.values().get(pk=challenge.pk) == snapshot
    assert PhaseTransition.objects.filter(challenge=challenge).count() == 2


def test_withdrawn_challenges_are_left_alone():
    challenge = make_challenge("Asia/Tashkent")
    Challenge.objects.filter(pk=challenge.pk).update(
        withdrawn_at=at_local("Asia/Tashkent", LAUNCH), withdrawn_reason="Merged", status=Status.WITHDRAWN
    )
    result = clock.clock_tick(now=at_local("Asia/Tashkent", LAUNCH + timedelta(days=300)), notify=False)
    challenge.refresh_from_db()
    assert (challenge.phase, challenge.status) == (Phase.DESIGN, Status.WITHDRAWN)
    assert result.transitions == []
    assert not Station.objects.filter(challenge=challenge).exists()


def test_draft_cohorts_are_not_on_the_clock():
    accelerator = AcceleratorFactory()
    challenge = ChallengeFactory(cohort=CohortFactory(accelerator=accelerator, draft=True, launch_date=LAUNCH))
    assert phase_after_tick(challenge, at_local("Asia/Tashkent", LAUNCH + timedelta(days=10))) == Phase.DESIGN


def test_it_materialises_stations_and_the_past_ones_read_overdue():
    challenge = make_challenge("Asia/Tashkent")
    clock.clock_tick(now=at_local("Asia/Tashkent", LAUNCH + timedelta(days=1)), notify=False)
    stations = {(s.kind, s.due_on): s for s in Station.objects.filter(challenge=challenge)}
    assert len(stations) == 11
    assert ("sponsor_review", LAUNCH + timedelta(days=28)) in stations
    assert ("design_workshop", LAUNCH - timedelta(days=30)) in stations
    assert {s.state for s in stations.values()} == {"pending"}, "overdue is never stored"
    today = challenge.cohort.accelerator.local_today(at_local("Asia/Tashkent", LAUNCH + timedelta(days=1)))
    overdue = {s.kind for s in stations.values() if s.state_on(today) == "overdue"}
    assert overdue == {"design_workshop", "challenge_note", "launch_workshop"}

    Station.objects.filter(challenge=challenge, kind="sponsor_review").update(
        state="done", done_on=LAUNCH + timedelta(days=27)
    )
    result = clock.clock_tick(now=at_local("Asia/Tashkent", LAUNCH + timedelta(days=30)), notify=False)
    assert result.stations_created == 0
    assert Station.objects.get(challenge=challenge, kind="sponsor_review").state == "done"


def test_it_computes_status_from_progress_and_the_expected_line():
    # Day 50 of a decrease metric 40 → 20: expected 50%.
    challenges = {
        name: make_challenge("Asia/Dubai", current_value=Decimal(value), title=name)
        for name, value in [
            ("ahead", "29"),
            ("slightly-behind", "32"),
            ("behind", "35"),
            ("far-behind", "38"),
            ("done", "19"),
        ]
    }
    clock.clock_tick(now=at_local("Asia/Dubai", LAUNCH + timedelta(days=50), 9), notify=False)
    status = {c.title: (c.status, round(c.progress, 2), c.expected_progress) for c in Challenge.objects.all()}
    assert status["ahead"] == (Status.ON_TRACK, 0.55, 0.5)
    assert status["slightly-behind"][0] == Status.ON_TRACK  # 40% ≥ 50% − 10 pts
    assert status["behind"][0] == Status.AT_RISK  # 25% ≥ 50% − 25 pts
    assert status["far-behind"][0] == Status.OFF_TRACK
    assert status["done"][0] == Status.ACHIEVED
    assert len(challenges) == 5


@pytest.mark.parametrize("direction,baseline,target", [("increase", "10", "30"), ("decrease", "30", "10")])
@pytest.mark.parametrize("share", [0, 0.2, 0.39, 0.4, 0.5, 0.74, 0.75, 1.0, 1.2])
def test_the_sql_status_rule_matches_the_python_one(direction, baseline, target, share):
    baseline_value, target_value = Decimal(baseline), Decimal(target)
    current = baseline_value + (target_value - baseline_value) * Decimal(str(share))
    challenge = make_challenge(
        "Asia/Dubai",
        direction=direction,
        baseline_value=baseline_value,
        target_value=target_value,
        current_value=current,
    )
    for day in (64, 150):  # acceleration (expected 64%) and sustainment
        clock.clock_tick(now=at_local("Asia/Dubai", LAUNCH + timedelta(days=day), 9), notify=False)
        challenge.refresh_from_db()
        gain, span = gain_and_span(value=current, baseline=baseline_value, target=target_value)
        expected = status_for(phase=challenge.phase, gain=gain, span=span, day=min(day, 100))
        assert challenge.status == expected, (day, share)


def test_stale_flag_after_cadence_plus_three_days():
    challenge = make_challenge("Asia/Dubai", last_checkin_on=LAUNCH + timedelta(days=7))
    clock.clock_tick(now=at_local("Asia/Dubai", LAUNCH + timedelta(days=17)), notify=False)
    challenge.refresh_from_db()
    assert challenge.is_stale is False
    clock.clock_tick(now=at_local("Asia/Dubai", LAUNCH + timedelta(days=18)), notify=False)
    challenge.refresh_from_db()
    assert challenge.is_stale is True


def test_phase_on_matches_the_clock():
    cohort = CohortFactory(launch_date=LAUNCH, sustainment_days=90)
    assert phase_on(cohort, LAUNCH) == Phase.DESIGN
    assert phase_on(cohort, LAUNCH + timedelta(days=1)) == Phase.ACCELERATION
    assert phase_on(cohort, LAUNCH + timedelta(days=100)) == Phase.ACCELERATION
    assert phase_on(cohort, LAUNCH + timedelta(days=101)) == Phase.SUSTAINMENT
    assert phase_on(cohort, LAUNCH + timedelta(days=190)) == Phase.SUSTAINMENT
    assert phase_on(cohort, LAUNCH + timedelta(days=191)) == Phase.CLOSED
    assert phase_starts_on(cohort, Phase.CLOSED) == LAUNCH + timedelta(days=191)


def test_it_runs_a_constant_number_of_statements_whatever_the_number_of_challenges(django_assert_max_num_queries):
    accelerator = AcceleratorFactory(time_zone="Asia/Dubai")
    cohort = CohortFactory(accelerator=accelerator, launch_date=LAUNCH)
    for _ in range(25):
        ChallengeFactory(cohort=cohort)
    with django_assert_max_num_queries(12):
        result = clock.clock_tick(now=at_local("Asia/Dubai", LAUNCH + timedelta(days=150)), notify=False)
    assert len(result.transitions) == 50
    assert connection.vendor in {"sqlite", "postgresql"}


def test_no_progress_on_a_decrease_metric_is_stored_as_plain_zero():
    challenge = make_challenge("Asia/Dubai")  # decrease 40 → 20, no check-in yet
    clock.clock_tick(now=at_local("Asia/Dubai", LAUNCH + timedelta(days=5)), notify=False)
    challenge.refresh_from_db()
    assert str(challenge.progress) == "0.0"


def test_stations_follow_the_template_whatever_the_clocks_history():
    """Found by an independent check of the clock: one tick at Day 191 recorded 3 transitions and no
    station, where ticks at Day 150 and then Day 200 made all of them."""
    from challenges.services import accelerator_install_default_stations

    late = make_challenge("Asia/Tashkent")
    accelerator_install_default_stations(accelerator=late.cohort.accelerator)
    clock.clock_tick(now=at_local("Asia/Tashkent", LAUNCH + timedelta(days=191), 9), notify=False)
    steady = make_challenge("Asia/Tashkent")
    accelerator_install_default_stations(accelerator=steady.cohort.accelerator)
    for day in (150, 200):
        clock.clock_tick(now=at_local("Asia/Tashkent", LAUNCH + timedelta(days=day), 9), notify=False)
    assert late.stations.count() == steady.stations.count() == 11


def test_a_draft_cohorts_challenges_are_left_alone_by_the_status_refresh():
    challenge = make_challenge("Asia/Dubai", current_value=Decimal("30"))
    challenge.cohort.status, challenge.cohort.launched_at = "draft", None
    challenge.cohort.save()
    clock.clock_tick(now=at_local("Asia/Dubai", LAUNCH + timedelta(days=50), 9), notify=False)
    challenge.refresh_from_db()
    assert (challenge.progress, challenge.expected_progress, challenge.phase) == (0.0, 0.0, Phase.DESIGN)


def test_a_tick_for_an_earlier_day_never_moves_stored_state_backwards():
    challenge = make_challenge("Asia/Dubai", current_value=Decimal("35"))
    clock.clock_tick(now=at_local("Asia/Dubai", LAUNCH + timedelta(days=60), 9), notify=False)
    challenge.refresh_from_db()
    later = (challenge.expected_progress, challenge.status, challenge.refreshed_on)
    clock.clock_tick(now=at_local("Asia/Dubai", LAUNCH + timedelta(days=50), 9), notify=False)
    challenge.refresh_from_db()
    assert (challenge.expected_progress, challenge.status, challenge.refreshed_on) == later
    assert later[0] == pytest.approx(0.6) and later[2] == LAUNCH + timedelta(days=60)
    clock.clock_tick(now=at_local("Asia/Dubai", LAUNCH + timedelta(days=61), 9), notify=False)
    challenge.refresh_from_db()
    assert challenge.expected_progress == pytest.approx(0.61)


# --- Working only where something changed (issue 20) ----------------------------------------------


def test_statuses_are_refreshed_once_per_local_day_and_at_once_on_a_checkin():
    from challenges.services import challenge_take_latest_checkin
    from tests.factories import CheckInFactory

    challenge = make_challenge("Asia/Dubai", current_value=Decimal("38"))  # decrease 40 → 20
    morning = at_local("Asia/Dubai", LAUNCH + timedelta(days=50), 9)
    clock.clock_tick(now=morning, notify=False)
    challenge.refresh_from_db()
    assert challenge.status == Status.OFF_TRACK
    assert challenge.cohort.__class__.objects.get(pk=challenge.cohort_id).statuses_refreshed_on == LAUNCH + timedelta(
        days=50
    )

    # A write that bypasses every service is not seen by the next 15-minute ticks of the same day:
    # they do not recompute the cohort's statuses.
    Challenge.objects.filter(pk=challenge.pk).update(current_value=Decimal("19"))
    later = clock.clock_tick(now=morning + timedelta(minutes=15), notify=False)
    challenge.refresh_from_db()
    assert (later.statuses_changed, challenge.status) == (0, Status.OFF_TRACK)

    # A check-in refreshes its challenge at once...
    CheckInFactory(challenge=challenge, value=Decimal("30"), period=7, reported_on=LAUNCH + timedelta(days=50))
    challenge_take_latest_checkin(challenge=challenge, today=LAUNCH + timedelta(days=50))
    challenge.refresh_from_db()
    assert challenge.status == Status.ON_TRACK  # 50% on Day 50

    # ...and the next local day's first tick refreshes the cohort (expected progress moves on).
    clock.clock_tick(now=at_local("Asia/Dubai", LAUNCH + timedelta(days=51), 0, 5), notify=False)
    challenge.refresh_from_db()
    assert challenge.expected_progress == pytest.approx(0.51)
    assert challenge.refreshed_on == LAUNCH + timedelta(days=51)


def test_a_changed_station_template_reaches_launched_cohorts_on_the_next_tick():
    from challenges.models import StationTemplate
    from challenges.services import accelerator_install_default_stations, station_templates_changed

    challenge = make_challenge("Asia/Tashkent")
    accelerator = challenge.cohort.accelerator
    accelerator_install_default_stations(accelerator=accelerator)
    clock.clock_tick(now=at_local("Asia/Tashkent", LAUNCH + timedelta(days=2), 9), notify=False)
    assert challenge.stations.count() == 11
    quiet = clock.clock_tick(now=at_local("Asia/Tashkent", LAUNCH + timedelta(days=2), 10), notify=False)
    assert quiet.stations_created == 0

    StationTemplate.objects.create(accelerator=accelerator, kind="other", name="Minister's visit", day_offset=40)
    station_templates_changed(accelerator_id=accelerator.pk)
    result = clock.clock_tick(now=at_local("Asia/Tashkent", LAUNCH + timedelta(days=2), 11), notify=False)
    assert result.stations_created == 1
    assert challenge.stations.get(name="Minister's visit").due_on == LAUNCH + timedelta(days=40)


def test_a_station_reads_overdue_from_its_day_in_the_accelerators_zone_whatever_the_clock_did():
    from challenges.services import accelerator_install_default_stations

    challenge = make_challenge("Asia/Tashkent")
    accelerator = challenge.cohort.accelerator
    accelerator_install_default_stations(accelerator=accelerator)
    clock.clock_tick(now=at_local("Asia/Tashkent", LAUNCH + timedelta(days=20), 9), notify=False)
    review = challenge.stations.get(kind="sponsor_review")  # Day 28
    assert review.state_on(LAUNCH + timedelta(days=28)) == "pending", "due today is not overdue yet"
    # The clock is down for two weeks: the review's day passed meanwhile, and it reads overdue all the
    # same, from the first minute of Day 29 in Tashkent (still Day 28 in UTC).
    day_29 = at_local("Asia/Tashkent", LAUNCH + timedelta(days=29), 0)
    assert day_29.astimezone(UTC).date() == LAUNCH + timedelta(days=28)
    assert review.state_on(accelerator.local_today(day_29)) == "overdue"
    assert (review.state, review.state_label_on(LAUNCH + timedelta(days=29))) == ("pending", "overdue")
    clock.clock_tick(now=at_local("Asia/Tashkent", LAUNCH + timedelta(days=34), 9), notify=False)
    review.refresh_from_db()
    assert review.state == "pending", "the clock writes no mark"
    # A tick for an earlier day (a delayed task) moves no day backwards.
    clock.clock_tick(now=at_local("Asia/Tashkent", LAUNCH + timedelta(days=25), 9), notify=False)
    assert challenge.cohort.__class__.objects.get(pk=challenge.cohort_id).statuses_refreshed_on == LAUNCH + timedelta(
        days=34
    )


def test_a_transition_is_keyed_by_its_challenge_and_phase():
    challenge = make_challenge("Asia/Dubai")
    clock.clock_tick(now=at_local("Asia/Dubai", LAUNCH + timedelta(days=150)), notify=False)
    transition = PhaseTransition.objects.get(pk=(challenge.pk, Phase.SUSTAINMENT))
    assert transition.key == (challenge.pk, "sustainment")
    assert PhaseTransition._meta.pk.name == "pk"
    found = PhaseTransition.objects.with_keys([(challenge.pk, "acceleration"), (challenge.pk, "closed")])
    assert [t.to_phase for t in found] == ["acceleration"]
