"""A goal's kind of unit and valid range, and how progress past either end reads.

Built from what a team lead typed (issue 14): a waiting time of −5 minutes was accepted and the
challenge read "Achieved, 286% of the way" with its chart below the axis.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from challenges import charts, goals
from challenges.goals import Standing, UnitKind
from challenges.models import Challenge, CheckIn
from challenges.services import checkin_submit
from members.models import AcceleratorRole
from tests.challenges.journey import LAUNCH, make_team, on_day, tick
from tests.factories import CheckInFactory, GrantFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def waiting_time_team():
    """The challenge that found it: average waiting time, 40 minutes down to 20."""
    team = make_team(
        direction="decrease",
        baseline="40",
        target="20",
        metric="Average waiting time",
        unit="minutes",
        unit_kind=UnitKind.DURATION,
    )
    team.challenge = tick(team.challenge, on_day(10))
    return team


def percentage_team():
    team = make_team(
        direction="increase",
        baseline="40",
        target="80",
        metric="Share of services online",
        unit="%",
        unit_kind=UnitKind.PERCENTAGE,
    )
    team.challenge = tick(team.challenge, on_day(10))
    return team


def post_value(client, team, value, *, language="en"):
    client.force_login(team.lead)
    client.cookies["django_language"] = language
    payload = {"value": value, "done": "Counted the queue", "confidence": "3"}
    with time_machine.travel(on_day(10), tick=False):
        return client.post(reverse("checkin_post", args=[team.challenge.pk]), payload, headers=HTMX)


# --- The rule ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "low", "high", "inside", "outside"),
    [
        (UnitKind.DURATION, None, None, ["0", "20", "99999"], ["-5", "-0.0001"]),
        (UnitKind.COUNT, None, None, ["0", "12"], ["-1"]),
        (UnitKind.MONEY, None, None, ["0", "1000000"], ["-0.01"]),
        (UnitKind.PERCENTAGE, None, None, ["0", "55.5", "100"], ["-1", "100.01", "130"]),
        (UnitKind.PERCENTAGE, None, "250", ["130", "250"], ["251", "-1"]),
        (UnitKind.OTHER, "-50", None, ["-50", "-5", "1000"], ["-50.5"]),
        (UnitKind.RATE, "1", "5", ["1", "5"], ["0.5", "6"]),
    ],
)
def test_each_kind_has_its_range_and_explicit_bounds_replace_it(kind, low, high, inside, outside):
    valid = goals.valid_range(
        unit_kind=kind,
        lower_bound=None if low is None else Decimal(low),
        upper_bound=None if high is None else Decimal(high),
    )
    assert all(Decimal(v) in valid for v in inside)
    assert not any(Decimal(v) in valid for v in outside)


def test_the_refusal_says_the_allowed_range_in_the_readers_language():
    assert goals.valid_range(unit_kind=UnitKind.DURATION).message == "Enter a value of at least 0 for this goal."
    percentage = goals.valid_range(unit_kind=UnitKind.PERCENTAGE)
    assert percentage.message == "Enter a value from 0 to 100 for this goal."
    with translation.override("ru"):
        assert percentage.message == "Введите значение от 0 до 100 для этой цели."
    with translation.override("ar"):
        assert "100" in percentage.message and "Enter" not in percentage.message
    with translation.override("uz"):
        assert "100" in percentage.message and "Enter" not in percentage.message


def test_the_goal_itself_must_lie_in_the_range():
    assert (
        goals.goal_problem(
            direction="increase", baseline=Decimal("40"), target=Decimal("130"), unit_kind=UnitKind.PERCENTAGE
        )
        == goals.OUTSIDE_RANGE
    )
    assert goals.goal_problem(direction="decrease", baseline=Decimal("10"), target=Decimal("-5")) == goals.OUTSIDE_RANGE
    assert (
        goals.goal_problem(
            direction="decrease", baseline=Decimal("10"), target=Decimal("-5"), lower_bound=Decimal("-20")
        )
        is None
    )
    assert (
        goals.goal_problem(
            direction="", baseline=Decimal("1"), target=Decimal("2"), lower_bound=Decimal("5"), upper_bound=Decimal("5")
        )
        == goals.BOUNDS_CROSSED
    )


@pytest.mark.parametrize(
    ("progress", "standing", "text"),
    [
        (0.0, Standing.ON_THE_WAY, "0% of the way"),
        (0.45, Standing.ON_THE_WAY, "45% of the way"),
        (1.0, Standing.ON_THE_WAY, "100% of the way"),
        (1.0000000001, Standing.ON_THE_WAY, "100% of the way"),
        (1.3, Standing.BEYOND_TARGET, "beyond target (130%)"),
        (-0.25, Standing.BELOW_BASELINE, "below baseline (−25%)"),
    ],
)
def test_progress_past_either_end_says_where_it_stands(progress, standing, text):
    assert goals.standing(progress) == standing
    assert goals.progress_text(progress) == text


# --- The check-in: refused, nothing saved ----------------------------------------------------------


def test_a_negative_waiting_time_is_refused_by_the_form_with_the_range_and_nothing_is_saved(client):
    team = waiting_time_team()
    response = post_value(client, team, "-5")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_value_error"' in body
    assert "Enter a value of at least 0 for this goal." in body
    assert "Valid values: 0 or more." in body
    assert CheckIn.objects.count() == 0
    challenge = Challenge.objects.get(pk=team.challenge.pk)
    assert challenge.current_value is None and challenge.status == "on_track"
    assert "286%" not in body and "Achieved" not in body


def test_the_refusal_is_translated(client):
    team = waiting_time_team()
    body = post_value(client, team, "-5", language="ru").content.decode()
    assert "Введите значение не меньше 0 для этой цели." in body
    assert CheckIn.objects.count() == 0


def test_the_service_refuses_it_too_whoever_calls_it():
    team = waiting_time_team()
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        checkin_submit(
            challenge=team.challenge, by=team.lead, value=Decimal("-5"), done="Counted", confidence=3, now=on_day(10)
        )
    assert refused.value.message_dict == {"value": ["Enter a value of at least 0 for this goal."]}
    assert CheckIn.objects.count() == 0


def test_a_percentage_goal_refuses_130(client):
    team = percentage_team()
    body = post_value(client, team, "130").content.decode()
    assert "Enter a value from 0 to 100 for this goal." in body
    assert "Valid values: 0 to 100." in body  # the form says the range before anyone types
    assert CheckIn.objects.count() == 0
    assert post_value(client, team, "100").status_code == 200
    assert CheckIn.objects.get().value == Decimal("100")


def test_an_explicit_lower_bound_lets_a_metric_go_below_zero(client):
    team = make_team(direction="increase", baseline="-30", target="10", unit="MUSD", lower_bound=Decimal("-100"))
    team.challenge = tick(team.challenge, on_day(10))
    post_value(client, team, "-12")
    assert CheckIn.objects.get().value == Decimal("-12")
    body = post_value(client, team, "-101").content.decode()
    # (shown with a true minus sign, core.l10n.format_number; typed back, "−100" and "-100" both read)
    assert "Enter a value of at least −100 for this goal." in body


# --- Beyond the target, below the baseline: shown honestly ----------------------------------------


def test_a_value_beyond_the_target_reads_achieved_beyond_target(client):
    team = waiting_time_team()
    post_value(client, team, "14")  # 40 → 20 minutes, now 14: 130% of the way
    challenge = Challenge.objects.get(pk=team.challenge.pk)
    assert challenge.status == "achieved" and challenge.standing == Standing.BEYOND_TARGET
    with time_machine.travel(on_day(10), tick=False):
        page = client.get(reverse("challenge_detail", args=[challenge.pk])).content.decode()
    figures = page.split('id="progress-figures">')[1].split("</span>")[0]
    assert figures == "Achieved — beyond target (130%)"
    assert "130% of the way" not in page

    official = GrantFactory(accelerator=team.accelerator, role=AcceleratorRole.Role.OFFICIAL).user
    client.force_login(official)
    with time_machine.travel(on_day(10), tick=False):
        board = client.get(reverse("cohort_board", kwargs={"cohort_id": challenge.cohort_id})).content.decode()
    assert "Beyond target (130%)" in board
    assert 'aria-valuenow="100"' in board  # the bar is full, not 130% wide


def test_a_value_worse_than_the_baseline_reads_below_baseline(client):
    team = waiting_time_team()
    post_value(client, team, "45")  # longer than the 40 minutes it started from
    with time_machine.travel(on_day(10), tick=False):
        page = client.get(reverse("challenge_detail", args=[team.challenge.pk])).content.decode()
    figures = page.split('id="progress-figures">')[1].split("</span>")[0]
    assert figures.startswith("Below baseline (−25%);")


# --- The chart: every value inside the plot area ----------------------------------------------------


def test_every_point_stays_inside_the_plot_area_and_the_axis_does_not_run_below_zero():
    team = waiting_time_team()
    for period, day, value in [(1, 7, "48"), (2, 14, "14"), (3, 21, "0")]:
        CheckInFactory(
            challenge=team.challenge,
            author=team.lead,
            period=period,
            reported_on=LAUNCH + timedelta(days=day),
            value=Decimal(value),
        )
    chart = charts.trajectory_chart(
        challenge=team.challenge, checkins=team.challenge.checkins.all(), today=LAUNCH + timedelta(days=22)
    )
    for point in [*chart.actual, *chart.expected]:
        assert chart.plot_top <= point.y <= chart.plot_bottom, point
        assert chart.plot_left <= point.x <= chart.plot_right, point
    zero = next(p for p in chart.actual if p.value == 0)
    assert zero.y == chart.plot_bottom  # the axis starts at 0 minutes, not at −3.8
    assert [value for _y, value in chart.y_ticks] == [0.0, 20.0, 40.0, 48.0]
    assert all(chart.plot_top <= y <= chart.plot_bottom for y, _value in chart.y_ticks)
