"""A withdrawn challenge takes no more blockers and no more station ticks (issue 15, point 4).

What found it: the hand probe of every role. After the program admin withdrew a challenge its
team lead's check-ins were refused, but the same team lead could still raise a blocker (which
notified the sponsor and the coach) and tick off a station, from the page or a replayed POST.
"""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from challenges import services
from challenges.models import Blocker, Notification, Station
from tests.access_world import build_world
from tests.factories import StationFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 4, 15)


@pytest.fixture
def withdrawn():
    with time_machine.travel(TODAY, tick=False):
        world = build_world()
        station = StationFactory(challenge=world.challenge)
        services.challenge_withdraw(challenge=world.challenge, by=world.people["admin"], reason="Merged into Y")
        yield world, station


def test_the_team_lead_cannot_raise_a_blocker_on_a_withdrawn_challenge(client, withdrawn):
    world, _station = withdrawn
    client.force_login(world.people["team_lead"])
    response = client.post(
        reverse("blocker_raise", args=[world.challenge.pk]),
        {
            "description": "The ministry has not signed the data-sharing letter",
            "severity": "high",
            "owner": world.people["team_lead"].pk,
            "decision_needed_by": (timezone.localdate() + timedelta(days=7)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "This challenge has been withdrawn; it takes no more blockers." in response.content.decode()
    assert not Blocker.objects.exists() and not Notification.objects.exists()


def test_the_team_lead_cannot_tick_a_station_of_a_withdrawn_challenge(client, withdrawn):
    world, station = withdrawn
    client.force_login(world.people["team_lead"])
    response = client.post(
        reverse("station_done", args=[world.challenge.pk, station.pk]),
        {f"station-{station.pk}-done_on": (TODAY - timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 200
    assert "This challenge has been withdrawn; its stations can no longer be ticked off." in response.content.decode()
    station.refresh_from_db()
    assert station.state != Station.State.DONE and station.done_on is None


def test_the_services_refuse_even_with_a_challenge_read_before_the_withdrawal(withdrawn):
    world, station = withdrawn
    stale = type(world.challenge).objects.get(pk=world.challenge.pk)
    stale.withdrawn_at = None  # as a view that loaded it a moment before the admin withdrew it
    with pytest.raises(ValidationError):
        services.blocker_raise(challenge=stale, by=world.people["team_lead"], description="x", severity="low")
    station.challenge = stale
    with pytest.raises(ValidationError):
        services.station_mark_done(station=station, by=world.people["team_lead"], done_on=TODAY)
    assert not Blocker.objects.exists()
