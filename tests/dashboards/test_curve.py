"""The cohort curve: every period to Day 100 (the last one, Days 99–100, included), each challenge's
latest value carried forward, and how many challenges each point stands on."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from dashboards.selectors import cohort_progress_curve
from tests.factories import AcceleratorFactory, ChallengeFactory, CheckInFactory, CohortFactory

pytestmark = pytest.mark.django_db
LAUNCH = date(2026, 3, 1)


def cohort_of(n: int):
    cohort = CohortFactory(accelerator=AcceleratorFactory(checkin_cadence_days=7), launch_date=LAUNCH)
    return cohort, [ChallengeFactory(cohort=cohort) for _ in range(n)]  # 40 → 20: 35 is 25 %


def report(challenge, period: int, value: str):
    CheckInFactory(challenge=challenge, period=period, value=Decimal(value), reported_on=LAUNCH + timedelta(period * 7))


def test_the_last_period_ends_the_curve_on_day_100():
    cohort, (challenge,) = cohort_of(1)
    for period in range(1, 16):  # 15 weekly periods: the 15th covers Days 99-100
        report(challenge, period, str(40 - period))
    curve = cohort_progress_curve(cohort=cohort, today=LAUNCH + timedelta(days=120))
    assert [p.day for p in curve.points] == [7 * n for n in range(1, 15)] + [100]
    assert curve.latest.day == 100 and curve.latest.mean_pct == 75


def test_a_challenge_counts_with_its_latest_value_when_it_missed_a_week():
    """Ten challenges report in week 1; one reports again in week 10: the week-10 point is the mean
    of all ten (nine carried forward), not that one challenge alone."""
    cohort, challenges = cohort_of(10)
    for challenge in challenges:
        report(challenge, 1, "35")  # 25 %
    report(challenges[0], 10, "20")  # 100 %
    curve = cohort_progress_curve(cohort=cohort, today=LAUNCH + timedelta(days=70))
    by_day = {point.day: point for point in curve.points}
    assert by_day[7].mean_pct == 25 and by_day[7].reported == 10
    assert by_day[70].mean_pct == round(100 * (9 * 0.25 + 1.0) / 10)  # 33, not 100
    assert by_day[70].reported == 10 and curve.total == 10
    assert len(curve.points) == 10, "one point per period up to today's, none in the future"


def test_before_day_1_there_is_no_curve():
    cohort, _ = cohort_of(2)
    assert cohort_progress_curve(cohort=cohort, today=LAUNCH).points == []


def test_a_challenge_that_never_reported_is_not_counted_but_is_in_the_total():
    cohort, challenges = cohort_of(3)
    report(challenges[0], 1, "30")  # 50 %
    curve = cohort_progress_curve(cohort=cohort, today=LAUNCH + timedelta(days=8))
    # Week 2 is still running on Day 8: its point is drawn at today, carrying week 1's value.
    assert [(p.day, p.mean_pct, p.reported) for p in curve.points] == [(7, 50, 1), (8, 50, 1)]
    assert curve.total == 3
