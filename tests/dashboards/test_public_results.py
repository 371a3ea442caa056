"""The opt-in public results page: nothing until published, then what each landed challenge set
out to do and achieved, with no one's name on it, in a fixed number of queries."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohorts.models import Accelerator
from tests.challenges.journey import on_day
from tests.dashboards.test_reports import ARABIC_TITLE, _landed_team
from tests.factories import ChallengeFactory

pytestmark = pytest.mark.django_db


def _get(client, accelerator):
    with time_machine.travel(on_day(105), tick=False):
        return client.get(reverse("public_results", args=[accelerator.slug]))


def test_it_is_not_there_until_the_program_team_publishes_it(client):
    team, challenge, official = _landed_team()
    assert _get(client, team.accelerator).status_code == 404
    client.force_login(official)
    assert _get(client, team.accelerator).status_code == 404


def test_it_shows_goals_and_results_without_personal_data(client):
    team, challenge, official = _landed_team()
    Accelerator.objects.filter(pk=team.accelerator.pk).update(publishes_results=True)
    html = _get(client, team.accelerator).content.decode()
    assert ARABIC_TITLE in html
    assert "12000 families waited 22 days less." in html
    assert "target met" in html
    for person in (team.lead, team.coach, team.sponsor, team.member):
        assert person.get_full_name() not in html
        assert person.email not in html
    assert "Triage first." not in html  # the team's lessons stay inside
    assert "Director of customer service" not in html  # nor the pledge and its signer


def test_its_queries_do_not_grow_with_the_challenges(client):
    team, challenge, official = _landed_team()
    Accelerator.objects.filter(pk=team.accelerator.pk).update(publishes_results=True)
    with CaptureQueriesContext(connection) as few:
        _get(client, team.accelerator)
    for n in range(5):
        ChallengeFactory(cohort=challenge.cohort, title=f"More {n}")
    with CaptureQueriesContext(connection) as many:
        _get(client, team.accelerator)
    assert len(many) == len(few)
