"""A notification opens what it is about and is marked read; only its own reader may open it,
and where it leads comes from the row, never from the request."""

import pytest
from django.urls import reverse

from challenges.models import Notification
from challenges.services import blocker_raise
from tests.challenges.journey import make_team
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return make_team()


def open_(client, notification, **extra):
    return client.post(reverse("notification_open", args=[notification.pk]), extra)


def test_a_blocker_notification_opens_the_blocker_and_is_marked_read(client, team, monkeypatch):
    from challenges import tasks

    monkeypatch.setattr(tasks.send_notification_emails, "delay", lambda ids: None)
    blocker = blocker_raise(challenge=team.challenge, by=team.lead, description="No budget", severity="high")
    notification = Notification.objects.get(user=team.sponsor)
    client.force_login(team.sponsor)
    listing = client.get(reverse("notifications")).content.decode()
    assert f'action="{reverse("notification_open", args=[notification.pk])}"' in listing
    response = open_(client, notification)
    assert response.status_code == 302
    assert response["Location"] == f"/challenges/{team.challenge.pk}/#blocker-{blocker.pk}"
    notification.refresh_from_db()
    assert notification.read_at is not None
    page = client.get(response["Location"]).content.decode()
    assert f'id="blocker-{blocker.pk}"' in page


@pytest.mark.parametrize(
    ("kind", "anchor"),
    [
        (Notification.Kind.CHECKIN_REMINDER, "#progress"),
        (Notification.Kind.PHASE_CHANGE, "#phases-heading"),
        (Notification.Kind.OTHER, ""),
    ],
)
def test_each_kind_opens_its_place_on_the_challenge_page(client, team, kind, anchor):
    notification = Notification.objects.create(user=team.lead, challenge=team.challenge, kind=kind, message="m")
    client.force_login(team.lead)
    assert open_(client, notification)["Location"] == f"/challenges/{team.challenge.pk}/{anchor}"


def test_one_without_a_challenge_leads_back_to_the_list(client, team):
    notification = Notification.objects.create(user=team.lead, message="Welcome")
    client.force_login(team.lead)
    assert open_(client, notification)["Location"] == reverse("notifications")


def test_a_next_parameter_cannot_send_anyone_elsewhere(client, team):
    notification = Notification.objects.create(user=team.lead, challenge=team.challenge, message="m")
    client.force_login(team.lead)
    response = client.post(
        reverse("notification_open", args=[notification.pk]) + "?next=https://evil.example/",
        {"next": "//evil.example/"},
    )
    assert response["Location"] == f"/challenges/{team.challenge.pk}/"


def test_someone_elses_notification_is_not_found_and_stays_unread(client, team):
    notification = Notification.objects.create(user=team.lead, challenge=team.challenge, message="m")
    for person in (team.coach, UserFactory(is_superuser=True, is_staff=True)):
        client.force_login(person)
        assert open_(client, notification).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_opening_is_a_post(client, team):
    notification = Notification.objects.create(user=team.lead, challenge=team.challenge, message="m")
    client.force_login(team.lead)
    assert client.get(reverse("notification_open", args=[notification.pk])).status_code == 405
