"""The opt-in public results page: nothing until published, then what each landed challenge set
out to do and achieved, with no one's name on it, in a fixed number of queries."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from challenges.models import Challenge, CheckIn
from cohorts.models import Accelerator
from dashboards import reports
from dashboards.reports import PUBLIC_PAGE_SIZE
from journey.models import Artifact
from tests.challenges.journey import LAUNCH, on_day
from tests.dashboards.test_reports import ARABIC_TITLE, _landed_team
from tests.factories import ChallengeFactory, CheckInFactory, UserFactory

pytestmark = pytest.mark.django_db


def _get(client, accelerator, **headers):
    with time_machine.travel(on_day(105), tick=False):
        return client.get(reverse("public_results", args=[accelerator.slug]), **headers)


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


def _more_landed(challenge, count: int) -> None:
    for n in range(count):
        more = ChallengeFactory(cohort=challenge.cohort, title=f"More {n:03d}", lead_entity=challenge.lead_entity)
        CheckInFactory(challenge=more, period=1, reported_on=LAUNCH + timedelta(days=7), value=more.baseline_value)


def test_its_queries_do_not_grow_with_the_challenges(client):
    team, challenge, official = _landed_team()
    Accelerator.objects.filter(pk=team.accelerator.pk).update(publishes_results=True)
    with CaptureQueriesContext(connection) as few:
        assert _get(client, team.accelerator).status_code == 200
    _more_landed(challenge, 60)  # past one page
    with CaptureQueriesContext(connection) as many:
        html = _get(client, team.accelerator).content.decode()
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert html.count("<section") == PUBLIC_PAGE_SIZE and "Page 1 of 2" in html


def test_it_pages_and_shows_each_value_on_day_100(client):
    team, challenge, official = _landed_team()
    Accelerator.objects.filter(pk=team.accelerator.pk).update(publishes_results=True)
    _more_landed(challenge, 55)
    with time_machine.travel(on_day(105), tick=False):
        page = reports.public_results(accelerator=team.accelerator, today=team.accelerator.local_today(), page=2)
    assert page.paginator.count == 56 and len(page.object_list) == 6
    with time_machine.travel(on_day(105), tick=False):
        second = client.get(reverse("public_results", args=[team.accelerator.slug]), {"page": 2}).content.decode()
    assert second.count("<section") == 6 and 'href="?page=1"' in second
    # The SQL's value on Day 100 is the Python rule's (``reports.value_on``), landing or not.
    checkins = list(CheckIn.objects.filter(challenge__cohort=challenge.cohort))
    with time_machine.travel(on_day(105), tick=False):
        rows = reports.public_results(accelerator=team.accelerator, today=team.accelerator.local_today()).object_list
    by_title = {c.title: c for c in Challenge.objects.filter(cohort=challenge.cohort)}
    for row in rows:
        mine = [c for c in checkins if c.challenge_id == by_title[row.title].pk]
        assert row.day_100_value == reports.value_on(mine, challenge.cohort.day_hundred) or row.title == ARABIC_TITLE
        assert row.met == reports.meets_target(by_title[row.title], row.day_100_value)


@pytest.fixture
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("empty_cache")
def test_it_is_drawn_once_per_state_of_its_data_and_language(client):
    team, challenge, official = _landed_team()
    Accelerator.objects.filter(pk=team.accelerator.pk).update(publishes_results=True)
    with CaptureQueriesContext(connection) as drawn:
        first = _get(client, team.accelerator)
    with CaptureQueriesContext(connection) as cached:
        again = _get(client, team.accelerator)
    assert "results" in first.context and "results" not in again.context  # drawn, then served from the cache
    assert again.context["results_html"] == first.context["results_html"]
    assert len(cached) == len(drawn) - 2  # neither the count nor the page: the accelerator and the digest
    arabic = _get(client, team.accelerator, HTTP_ACCEPT_LANGUAGE="ar")
    assert arabic.context["results_html"] != first.context["results_html"] and 'dir="rtl"' in arabic.content.decode()
    Artifact.objects.filter(challenge=challenge, kind="landing").update(
        content={"day_100_value": "18", "impact_narrative": "Now 13000 families."}
    )
    changed = _get(client, team.accelerator).content.decode()
    assert "Now 13000 families." in changed and "12000 families" not in changed
    # A check-in corrected in the admin moves the value on Day 100 (of a challenge whose landing does
    # not give one): it reaches the page through its challenge's row, which every check-in write
    # rewrites (the digest reads no check-in).
    _more_landed(challenge, 1)
    before = _get(client, team.accelerator).content.decode()
    checkin = CheckIn.objects.get(challenge__title="More 000")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:challenges_checkin_change", args=[checkin.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields} | {"value": "31.75", "next_steps": "corrected"}
    assert client.post(url, {k: v for k, v in data.items() if v is not None}).status_code == 302
    client.logout()
    corrected = _get(client, team.accelerator).content.decode()
    assert "31.75" in corrected and "31.75" not in before
    client.force_login(official)  # a signed-in reader gets the same content in their own page frame
    signed_in = _get(client, team.accelerator).content.decode()
    assert "Now 13000 families." in signed_in and official.get_full_name() in signed_in
    client.logout()
    assert official.get_full_name() not in _get(client, team.accelerator).content.decode()
