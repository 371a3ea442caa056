"""Stations: mark one done with the date it happened; not a future date; only the team lead and coach."""

import re
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from challenges.models import Station
from challenges.services import StaleEdit, station_mark_done
from tests.challenges.journey import make_team, on_day, tick
from tests.factories import StationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def station():
    team = make_team()
    tick(team.challenge, on_day(30))  # materialises the stations
    station = Station.objects.get(challenge=team.challenge, kind="sponsor_review")
    station.team = team
    return station


def test_a_missed_station_reads_overdue_on_its_page(client, station):
    assert station.state == Station.State.PENDING and station.state_on(date(2026, 3, 31)) == Station.State.OVERDUE
    client.force_login(station.team.lead)
    with time_machine.travel(on_day(30), tick=False):
        body = client.get(reverse("challenge_detail", args=[station.challenge_id])).content.decode()
    review = body.split(station.label)[1].split("</p>")[0]
    assert "status-off_track" in review and "Overdue" in review


def test_the_admin_shows_a_missed_station_overdue_beside_its_stored_state(client, station):
    """The admin edits the stored state (pending); beside it, what every page shows today (overdue)."""
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    with time_machine.travel(on_day(30), tick=False):
        response = client.get(reverse("admin:challenges_challenge_change", args=[station.challenge_id]))
    assert response.status_code == 200
    body = response.content.decode()
    rows = re.findall(r"<tr\b.*?</tr>", body, re.S)
    row = next(r for r in rows if re.search(rf'name="stations-\d+-id" value="{station.pk}"', r))
    assert re.search(r'field-shown_today">\s*<p>overdue</p>', row), row
    assert re.search(r"<option value=\"pending\" selected>", row), row


def test_it_marks_a_station_done_with_its_date(station):
    done = station_mark_done(station=station, by=station.team.lead, done_on=date(2026, 3, 29), now=on_day(30))
    assert (done.state, done.done_on, done.done_by) == (Station.State.DONE, date(2026, 3, 29), station.team.lead)


def test_marking_it_again_is_refused(station):
    station_mark_done(station=station, by=station.team.lead, done_on=date(2026, 3, 29), now=on_day(30))
    with pytest.raises(StaleEdit):
        station_mark_done(station=station, by=station.team.coach, done_on=date(2026, 3, 30), now=on_day(30))
    station.refresh_from_db()
    assert (station.done_on, station.done_by) == (date(2026, 3, 29), station.team.lead)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-04-01", "The date cannot be in the future."),  # Day 31; today is Day 30 (31 March)
        ("2025-12-01", "The date cannot be before the cohort&#x27;s design started."),
        ("yesterday", "Enter a date, such as 2026-05-31."),
        ("", "Enter the date it was done."),
    ],
)
def test_the_view_rejects_bad_dates_beside_the_field(client, station, value, message):
    client.force_login(station.team.lead)
    with time_machine.travel(on_day(30), tick=False):
        response = client.post(
            reverse("station_done", args=[station.challenge_id, station.pk]), {f"station-{station.pk}-done_on": value}
        )
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_station-{station.pk}-done_on_error"' in body and message in body
    station.refresh_from_db()
    assert station.state == Station.State.PENDING


def test_the_view_marks_it_done_and_redirects(client, station):
    client.force_login(station.team.coach)
    with time_machine.travel(on_day(30), tick=False):
        response = client.post(
            reverse("station_done", args=[station.challenge_id, station.pk]),
            {f"station-{station.pk}-done_on": "2026-03-31"},
        )
    assert response.status_code == 302 and response["Location"].endswith("#stations")
    station.refresh_from_db()
    assert station.state == Station.State.DONE


@pytest.mark.parametrize("who", ["member", "sponsor"])
def test_readers_may_not_tick_off_stations(client, station, who):
    client.force_login(getattr(station.team, who))
    response = client.post(
        reverse("station_done", args=[station.challenge_id, station.pk]),
        {f"station-{station.pk}-done_on": "2026-03-29"},
    )
    assert response.status_code == 403


def test_a_station_of_another_challenge_is_not_found(client, station):
    other = StationFactory()
    client.force_login(station.team.lead)
    response = client.post(
        reverse("station_done", args=[station.challenge_id, other.pk]), {f"station-{other.pk}-done_on": "2026-03-29"}
    )
    assert response.status_code == 404
