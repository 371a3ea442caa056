"""Status from check-ins, for metrics that go up and metrics that go down: the clock's rule,
recomputed by the check-in service for one challenge, then kept by the clock."""

from decimal import Decimal

import pytest

from challenges.models import Challenge, Status
from challenges.services import checkin_submit
from challenges.status import gain_and_span, status_for
from tests.challenges.journey import make_team, on_day, tick

pytestmark = pytest.mark.django_db

# Day 50: expected progress 50 %. on track ≥ 40 %, at risk ≥ 25 %, off track below; achieved at 100 %.
INCREASE = ("increase", "100", "200")
DECREASE = ("decrease", "40", "20")


def status_after(metric, value: str, day: int) -> Challenge:
    direction, baseline, target = metric
    team = make_team(direction=direction, baseline=baseline, target=target)
    tick(team.challenge, on_day(day))
    checkin_submit(
        challenge=team.challenge, by=team.lead, value=Decimal(value), done="Work", confidence=3, now=on_day(day)
    )
    return Challenge.objects.get(pk=team.challenge.pk)


@pytest.mark.parametrize(
    ("metric", "value", "progress", "status"),
    [
        (INCREASE, "150", 0.50, Status.ON_TRACK),
        (INCREASE, "140", 0.40, Status.ON_TRACK),
        (INCREASE, "139", 0.39, Status.AT_RISK),
        (INCREASE, "125", 0.25, Status.AT_RISK),
        (INCREASE, "124", 0.24, Status.OFF_TRACK),
        (INCREASE, "90", -0.10, Status.OFF_TRACK),
        (INCREASE, "200", 1.00, Status.ACHIEVED),
        (INCREASE, "230", 1.30, Status.ACHIEVED),
        (DECREASE, "30", 0.50, Status.ON_TRACK),
        (DECREASE, "32", 0.40, Status.ON_TRACK),
        (DECREASE, "32.2", 0.39, Status.AT_RISK),
        (DECREASE, "35", 0.25, Status.AT_RISK),
        (DECREASE, "35.2", 0.24, Status.OFF_TRACK),
        (DECREASE, "44", -0.20, Status.OFF_TRACK),
        (DECREASE, "20", 1.00, Status.ACHIEVED),
        (DECREASE, "12", 1.40, Status.ACHIEVED),
    ],
)
def test_it_computes_status_in_both_directions_during_acceleration(metric, value, progress, status):
    challenge = status_after(metric, value, day=50)
    assert challenge.progress == pytest.approx(progress)
    assert challenge.expected_progress == pytest.approx(0.5)
    assert challenge.status == status
    # The same rule as the clock's Python twin.
    gain, span = gain_and_span(
        value=challenge.current_value, baseline=challenge.baseline_value, target=challenge.target_value
    )
    assert status_for(phase="acceleration", gain=gain, span=span, day=50) == status


@pytest.mark.parametrize(
    ("metric", "value", "status"),
    [
        (INCREASE, "200", Status.SUSTAINED),
        (INCREASE, "215", Status.SUSTAINED),
        (INCREASE, "199", Status.SLIPPING),
        (DECREASE, "20", Status.SUSTAINED),
        (DECREASE, "18", Status.SUSTAINED),
        (DECREASE, "21", Status.SLIPPING),
    ],
)
def test_it_shows_sustained_or_slipping_during_sustainment(metric, value, status):
    assert status_after(metric, value, day=130).status == status


def test_the_clock_keeps_the_status_moving_as_expected_progress_rises():
    team = make_team(direction="increase", baseline="100", target="200")
    tick(team.challenge, on_day(20))
    checkin_submit(
        challenge=team.challenge, by=team.lead, value=Decimal("120"), done="Work", confidence=3, now=on_day(20)
    )
    assert Challenge.objects.get(pk=team.challenge.pk).status == Status.ON_TRACK
    # Nothing posted since; by Day 50 20 % is 30 points behind the expected 50 %.
    assert tick(team.challenge, on_day(50)).status == Status.OFF_TRACK


def test_a_challenge_goes_stale_after_cadence_plus_three_days_and_a_checkin_clears_it():
    team = make_team()
    tick(team.challenge, on_day(5))
    checkin_submit(
        challenge=team.challenge, by=team.lead, value=Decimal("38"), done="Work", confidence=3, now=on_day(5)
    )
    assert not tick(team.challenge, on_day(15)).is_stale  # 10 days = 7 + 3: not yet
    assert tick(team.challenge, on_day(16)).is_stale
    checkin_submit(
        challenge=team.challenge, by=team.lead, value=Decimal("36"), done="Work", confidence=3, now=on_day(16)
    )
    assert not Challenge.objects.get(pk=team.challenge.pk).is_stale
