"""Artifact reminders: each owner once per station, from 3 days before it is due; none once produced."""

import pytest

from challenges.models import Notification
from journey import reminders, services
from journey.models import JourneyReminder
from tests.challenges.journey import make_team, on_day, tick

pytestmark = pytest.mark.django_db


def _reminded(team, kind_word):
    return set(
        Notification.objects.filter(challenge=team.challenge, message__icontains=kind_word).values_list(
            "user", flat=True
        )
    )


def test_it_reminds_each_owner_once_from_three_days_before():
    team = make_team()
    tick(team.challenge, on_day(20))
    reminders.artifact_reminders_send(now=on_day(24, hour=10))
    assert _reminded(team, "sponsor review") == set()
    made = reminders.artifact_reminders_send(now=on_day(25, hour=10))
    assert _reminded(team, "sponsor review") == {team.sponsor.pk}
    assert made
    assert reminders.artifact_reminders_send(now=on_day(25, hour=11)) == []
    assert reminders.artifact_reminders_send(now=on_day(26, hour=10)) == []
    assert JourneyReminder.objects.filter(user=team.sponsor, station__kind="sponsor_review").count() == 1
    # The challenge note was due in design, more than a week ago: no reminder about it any more.
    assert not JourneyReminder.objects.filter(station__kind="challenge_note").exists()


def test_it_waits_for_nine_local_and_stops_once_the_artifact_is_written():
    team = make_team()
    challenge = tick(team.challenge, on_day(32))
    assert reminders.artifact_reminders_send(now=on_day(32, hour=8)) == []
    services.artifact_save(
        challenge=challenge, kind="pulse_check", by=team.coach, data={"team_health": "3", "note": "ok"}, now=on_day(32)
    )
    reminders.artifact_reminders_send(now=on_day(32, hour=10))
    assert _reminded(team, "pulse check") == set()
    assert _reminded(team, "sponsor review") == {team.sponsor.pk}
