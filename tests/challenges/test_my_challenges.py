"""My challenges: every challenge the person leads, is a member of or coaches, with phase,
day n/100, status and what is due; a constant number of queries."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from challenges.models import Station
from challenges.services import checkin_submit
from members.models import Membership
from tests.challenges.journey import LAUNCH, make_team, on_day, tick
from tests.factories import ChallengeFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def page(client, user, day=10):
    client.force_login(user)
    with time_machine.travel(on_day(day), tick=False):
        response = client.get(reverse("my_challenges"))
    assert response.status_code == 200
    return response.content.decode()


def test_it_lists_every_challenge_the_person_leads_joins_or_coaches(client):
    person = UserFactory()
    led, joined, coached = make_team(), make_team(), make_team()
    for team, role in [(led, "team_lead"), (joined, "member"), (coached, "coach")]:
        Membership.objects.filter(challenge=team.challenge, role=role).update(user=person)
    elsewhere = ChallengeFactory(title="Someone else's challenge")
    body = page(client, person)
    for team in (led, joined, coached):
        assert team.challenge.title in body
        assert reverse("challenge_detail", args=[team.challenge.pk]) in body
    assert elsewhere.title not in body
    assert "your role: team lead" in body and "your role: member" in body and "your role: coach" in body


def test_it_shows_phase_day_status_and_what_is_due(client):
    team = make_team()
    tick(team.challenge, on_day(10))
    body = page(client, team.lead, day=10)
    assert "Acceleration" in body
    assert "Day 10/100" in body
    assert "Check-in overdue" in body  # nothing was posted for period 1 (due Day 7)
    # The design-phase stations nobody ticked off are counted as overdue, not offered as what comes next.
    today = team.accelerator.local_today(on_day(10))
    pending = Station.objects.filter(challenge=team.challenge, state=Station.State.PENDING)
    overdue = pending.filter(due_on__lt=today)
    upcoming = pending.filter(due_on__gte=today).order_by("due_on").first()
    assert overdue.exists()
    next_station = body.split("Next station")[1].split("</dd>")[0]
    assert upcoming.label in next_station
    assert all(station.label not in next_station for station in overdue)
    count = overdue.count()
    assert (f"{count} stations overdue" if count > 1 else "1 station overdue") in next_station

    checkin_submit(challenge=team.challenge, by=team.lead, value=37, done="Work", confidence=3, now=on_day(10))
    body = page(client, team.lead, day=10)
    assert "This period's check-in is in" in body
    assert "status-on_track" in body


def test_it_shows_launch_countdown_and_sustainment_days(client):
    upcoming = make_team(launch=LAUNCH + timedelta(days=20))
    sustaining = make_team(launch=LAUNCH - timedelta(days=110))
    person = UserFactory()
    MembershipFactory(challenge=upcoming.challenge, user=person, role="coach")
    MembershipFactory(challenge=sustaining.challenge, user=person, role="coach")
    tick(sustaining.challenge, on_day(10))
    body = page(client, person, day=10)
    assert "Launch in 10 days" in body
    assert "Sustainment day 20/90" in body


def test_a_person_with_no_seat_sees_an_empty_page(client):
    assert "You have no seat on any challenge yet." in page(client, UserFactory())


def test_it_needs_a_sign_in(client):
    response = client.get(reverse("my_challenges"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_runs_a_constant_number_of_queries(client):
    person = UserFactory()

    def queries() -> int:
        client.force_login(person)
        with time_machine.travel(on_day(30), tick=False), CaptureQueriesContext(connection) as ctx:
            client.get(reverse("my_challenges"))
        return len(ctx.captured_queries)

    def add_challenges(n):
        for _ in range(n):
            team = make_team()
            MembershipFactory(challenge=team.challenge, user=person, role="coach")
            tick(team.challenge, on_day(30))
            checkin_submit(challenge=team.challenge, by=team.lead, value=37, done="x", confidence=3, now=on_day(29))

    add_challenges(1)
    one = queries()
    add_challenges(6)
    assert Station.objects.count() > 7
    assert queries() == one
