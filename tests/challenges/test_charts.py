"""The progress chart: the points it draws, its time axis, and its text alternative."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from challenges import charts
from challenges.charts import MARGIN_START, MARGIN_TOP, PLOT_H, PLOT_W
from tests.challenges.journey import LAUNCH, make_team, on_day, tick
from tests.factories import CheckInFactory

pytestmark = pytest.mark.django_db


def x(day, last=100):
    return round(MARGIN_START + PLOT_W * day / last, 1)


def y(value, low, high):
    return round(MARGIN_TOP + PLOT_H * (high - value) / (high - low), 1)


def test_it_places_actual_and_expected_points_on_the_acceleration_axis():
    team = make_team(direction="decrease", baseline="40", target="20")
    for period, day, value in [(1, 7, "38"), (2, 14, "35"), (3, 21, "33.5")]:
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
    # Values run 20..40; 8 % padding each side gives 18.4..41.6.
    low, high = 18.4, 41.6
    assert [(p.day, p.value) for p in chart.actual] == [(0, 40.0), (7, 38.0), (14, 35.0), (21, 33.5)]
    assert [(p.x, p.y) for p in chart.actual] == [
        (x(0), y(40, low, high)),
        (x(7), y(38, low, high)),
        (x(14), y(35, low, high)),
        (x(21), y(33.5, low, high)),
    ]
    assert [(p.day, p.value, p.x, p.y) for p in chart.expected] == [
        (0, 40.0, x(0), y(40, low, high)),
        (100, 20.0, x(100), y(20, low, high)),
    ]
    assert chart.today_x == x(22)
    assert chart.actual_points.split(" ")[1] == f"{x(7):g},{y(38, low, high):g}"
    assert [day for _x, day in chart.x_ticks] == [0, 25, 50, 75, 100]
    assert [(row.day, row.value, row.expected) for row in chart.rows] == [
        (7, Decimal("38"), 38.6),
        (14, Decimal("35"), 37.2),
        (21, Decimal("33.5"), 35.8),
    ]


def test_higher_values_sit_higher_for_an_increasing_metric():
    team = make_team(direction="increase", baseline="100", target="200")
    CheckInFactory(challenge=team.challenge, period=2, reported_on=LAUNCH + timedelta(days=10), value=Decimal("150"))
    chart = charts.trajectory_chart(
        challenge=team.challenge, checkins=team.challenge.checkins.all(), today=LAUNCH + timedelta(days=10)
    )
    baseline, latest = chart.actual
    assert latest.y < baseline.y  # SVG y grows downwards
    assert chart.target_y < chart.baseline_y


def test_in_sustainment_the_axis_runs_to_the_end_and_the_expected_line_holds_the_target():
    team = make_team(sustainment=90)
    CheckInFactory(challenge=team.challenge, period=16, reported_on=LAUNCH + timedelta(days=120), value=Decimal("19"))
    chart = charts.trajectory_chart(
        challenge=team.challenge, checkins=team.challenge.checkins.all(), today=LAUNCH + timedelta(days=125)
    )
    assert [(p.day, p.value) for p in chart.expected] == [(0, 40.0), (100, 20.0), (190, 20.0)]
    assert chart.actual[-1].x == x(120, last=190)
    # Day 150 would print over the last day's label (190) on a phone: the last day takes its place.
    assert [day for _x, day in chart.x_ticks] == [0, 50, 100, 190]


def test_it_handles_a_challenge_with_no_checkins():
    team = make_team()
    chart = charts.trajectory_chart(challenge=team.challenge, checkins=[], today=LAUNCH - timedelta(days=3))
    assert len(chart.actual) == 1 and chart.latest is None
    assert chart.today_x is None
    assert chart.rows == []


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_page_draws_the_svg_with_a_text_alternative_and_a_left_to_right_time_axis(client, language):
    team = make_team()
    team.challenge = tick(team.challenge, on_day(10))
    CheckInFactory(challenge=team.challenge, author=team.lead, period=1, reported_on=LAUNCH + timedelta(days=7))
    client.force_login(team.member)
    client.cookies["django_language"] = language
    with time_machine.travel(on_day(10), tick=False):
        body = client.get(reverse("challenge_detail", args=[team.challenge.pk]), HTTP_ACCEPT_LANGUAGE=language)
    html = body.content.decode()
    assert f'lang="{language}"' in html
    assert 'role="img" aria-labelledby="chart-title chart-desc" direction="ltr"' in html
    assert '<title id="chart-title">' in html and '<desc id="chart-desc">' in html
    assert 'class="sr-only print:not-sr-only"' in html
    assert "<script" not in html.split('id="progress"')[1].split("</section>")[0]
    assert html.count("data-day=") == 2
