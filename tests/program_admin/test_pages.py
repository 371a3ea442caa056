"""The program admin's pages: who may use them, the live calendar, intake, clone, people, query counts."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from challenges.models import Challenge
from cohorts.models import Cohort
from members.models import AcceleratorRole, Membership
from program_admin.models import CandidateChallenge
from tests.factories import (
    AcceleratorFactory,
    CandidateFactory,
    ChallengeFactory,
    CohortFactory,
    GrantFactory,
    MembershipFactory,
    UserFactory,
)
from tests.program_admin.journey import build_journey

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 20, 10, 0, tzinfo=ZoneInfo("Asia/Tashkent"))


@pytest.fixture
def journey():
    return build_journey()


def test_per_role_access_to_the_admin_home(client, journey):
    url = reverse("manage_home", args=[journey.accelerator.slug])
    challenge = ChallengeFactory(cohort=journey.cohort)
    outsider_admin = GrantFactory(role=AcceleratorRole.Role.PROGRAM_ADMIN).user
    cases = [
        (None, 302),
        (GrantFactory(accelerator=journey.accelerator, role=AcceleratorRole.Role.OFFICIAL).user, 403),
        (GrantFactory(accelerator=journey.accelerator, role=AcceleratorRole.Role.COACH).user, 403),
        (MembershipFactory(challenge=challenge, role=Membership.Role.TEAM_LEAD).user, 403),
        (outsider_admin, 404),
        (UserFactory(), 404),
        (journey.admin, 200),
        (UserFactory(is_superuser=True), 200),
    ]
    for user, expected in cases:
        client.logout()
        if user:
            client.force_login(user)
        assert client.get(url).status_code == expected, user


def test_an_official_cannot_launch_or_import(client, journey):
    official = GrantFactory(accelerator=journey.accelerator, role=AcceleratorRole.Role.OFFICIAL).user
    client.force_login(official)
    assert client.post(reverse("manage_launch", args=[journey.cohort.pk]), {"confirm": "on"}).status_code == 403
    assert client.post(reverse("manage_import", args=[journey.cohort.pk])).status_code == 403
    journey.cohort.refresh_from_db()
    assert not journey.cohort.is_launched


@time_machine.travel(NOW, tick=False)
def test_the_calendar_follows_the_dates_as_they_are_typed(client, journey):
    client.force_login(journey.admin)
    url = reverse("manage_cohort_create", args=[journey.accelerator.slug])
    response = client.get(url, {"design_start": "2026-09-01", "launch_date": "2026-10-01"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="calendar"'), "only the partial is sent"
    assert "Asia/Tashkent" in page
    assert 'data-day="1">2 October 2026' in page
    assert 'data-day="50">20 November 2026' in page
    assert 'data-day="100">9 January 2027' in page
    assert 'data-day="sustainment">9 April 2027' in page
    bad = client.get(url, {"design_start": "2026-11-01", "launch_date": "2026-10-01"}, HTTP_HX_REQUEST="true")
    assert "The design start must be on or before the launch day." in bad.content.decode()


@time_machine.travel(NOW, tick=False)
def test_without_javascript_the_calendar_is_a_preview_button(client, journey):
    client.force_login(journey.admin)
    url = reverse("manage_cohort_create", args=[journey.accelerator.slug])
    data = {"number": 7, "name": "Cohort 7", "design_start": "2026-09-01", "launch_date": "2026-10-01"}
    response = client.post(url, {**data, "preview": "1"})
    assert response.status_code == 200 and 'data-day="1">2 October 2026' in response.content.decode()
    assert not Cohort.objects.filter(number=7).exists()
    response = client.post(url, data)
    cohort = Cohort.objects.get(accelerator=journey.accelerator, number=7)
    assert response["Location"] == reverse("manage_cohort", args=[cohort.pk])
    assert cohort.status == Cohort.Status.DRAFT and cohort.sustainment_days == journey.accelerator.sustainment_days


def test_bad_cohort_dates_and_numbers_are_reported_beside_the_field(client, journey):
    client.force_login(journey.admin)
    url = reverse("manage_cohort_create", args=[journey.accelerator.slug])
    response = client.post(
        url,
        {"number": journey.cohort.number, "name": "X", "design_start": "2026-11-01", "launch_date": "2026-10-01"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "design_start": ["The design start must be on or before the launch day."],
        "number": ["This accelerator already has a cohort with this number."],
    }


def test_candidates_are_scored_and_picked_into_a_draft(client, journey):
    client.force_login(journey.admin)
    url = reverse("manage_candidates", args=[journey.accelerator.slug])
    response = client.post(
        url,
        {
            "title": "One login for seven agencies",
            "lead_entity": journey.entities["justice"].pk,
            "score_clear_goal": 5,
            "score_touches_lives": 4,
            "score_several_organisations": 5,
            "score_achievable": 3,
            "diagnosis_note": "Seven separate accounts today.",
            "metric": "Agencies on the single login",
            "direction": "increase",
            "baseline_value": "1",
            "target_value": "7",
        },
    )
    assert response.status_code == 302
    candidate = CandidateChallenge.objects.get(title="One login for seven agencies")
    assert candidate.total_score == 17
    unready = CandidateFactory(accelerator=journey.accelerator, title="Vague idea")

    pick = reverse("manage_candidates_pick", args=[journey.accelerator.slug])
    response = client.post(pick, {"candidates": [candidate.pk, unready.pk], "cohort": journey.cohort.pk}, follow=True)
    errors = [str(m) for m in response.context["messages"]][-1:]
    assert errors == ["“Vague idea” needs: lead entity, metric, baseline, a target different from the baseline."]
    assert journey.cohort.challenges.count() == 0, "all or none"

    response = client.post(pick, {"candidates": [candidate.pk], "cohort": journey.cohort.pk})
    assert response["Location"] == reverse("manage_cohort", args=[journey.cohort.pk])
    challenge = journey.cohort.challenges.get()
    assert (challenge.title, challenge.baseline_value, challenge.target_value) == (
        "One login for seven agencies",
        Decimal("1"),
        Decimal("7"),
    )
    candidate.refresh_from_db()
    assert candidate.challenge == challenge


@time_machine.travel(NOW, tick=False)
def test_cloning_carries_settings_and_unfinished_challenges_over_as_candidates(client, journey):
    past = CohortFactory(accelerator=journey.accelerator, number=1, sustainment_days=120)
    achieved = ChallengeFactory(cohort=past, title="Done", status="achieved")
    slipping = ChallengeFactory(cohort=past, title="Slipping", status="slipping")
    off = ChallengeFactory(cohort=past, title="Off track", status="off_track")
    client.force_login(journey.admin)
    response = client.post(
        reverse("manage_cohort_clone", args=[journey.accelerator.slug]),
        {"source": past.pk, "number": 9, "name": "Cohort 9", "design_start": "2026-07-01", "launch_date": "2026-08-01"},
    )
    assert response.status_code == 302
    draft = Cohort.objects.get(accelerator=journey.accelerator, number=9)
    assert draft.status == Cohort.Status.DRAFT and draft.sustainment_days == 120
    carried = {c.title: c.source_challenge for c in CandidateChallenge.objects.filter(cohort=draft)}
    assert carried == {"Slipping": slipping, "Off track": off}
    assert achieved not in carried.values()
    assert not Challenge.objects.filter(cohort=draft).exists()


def test_people_are_found_as_they_type_and_seated(client, journey):
    challenge = ChallengeFactory(cohort=journey.cohort, lead_entity=journey.entities["health"])
    stranger = UserFactory(full_name="Dilnoza Stranger")  # another government's account
    client.force_login(journey.admin)
    url = reverse("manage_challenge_people", args=[challenge.pk])
    partial = client.get(url, {"q": "dilnoza"}, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="people-results"')
    assert "Dilnoza Karimova" in partial and stranger.email not in partial
    # In either script: Uzbek Cyrillic finds the Latin name, and the Latin surname the Cyrillic one.
    cyrillic = client.get(url, {"q": "Дилноза"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Dilnoza Karimova" in cyrillic and stranger.email not in cyrillic
    response = client.post(url, {"action": "add", "person": journey.people["lead"].pk, "role": "team_lead"})
    assert response.status_code == 302
    second = {"action": "add", "person": journey.people["coach"].pk, "role": "team_lead"}
    response = client.post(url, second)
    assert response.status_code == 200 and "Replace the team lead?" in response.content.decode()
    assert challenge.memberships.get(role="team_lead").user == journey.people["lead"], "never replaced silently"
    response = client.post(url, {**second, "confirm": "1"})
    lead = challenge.memberships.get(role="team_lead")
    assert lead.user == journey.people["coach"], "once confirmed, the new team lead takes the old one's place"
    response = client.post(url, {"action": "add", "person": stranger.pk, "role": "member"})
    assert response.status_code == 200
    assert "Pick a person from the search results." in response.content.decode()


def test_page_queries_do_not_grow_with_the_cohort(client, journey, django_assert_max_num_queries):
    client.force_login(journey.admin)

    def fill(n):
        for _ in range(n):
            challenge = ChallengeFactory(cohort=journey.cohort)
            challenge.partner_entities.add(journey.entities["justice"])
            MembershipFactory(challenge=challenge, role="team_lead")
            MembershipFactory(challenge=challenge, role="coach")
            CandidateFactory(accelerator=journey.accelerator)

    pages = [
        reverse("manage_cohort", args=[journey.cohort.pk]),
        reverse("manage_candidates", args=[journey.accelerator.slug]),
        reverse("manage_home", args=[journey.accelerator.slug]),
        reverse("manage_launch", args=[journey.cohort.pk]),
    ]
    fill(2)
    counts = {}
    for url in pages:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[url] = len(queries)
    fill(15)
    for url in pages:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200


def test_a_challenge_is_added_one_by_one_with_checked_fields(client, journey):
    client.force_login(journey.admin)
    url = reverse("manage_challenge_create", args=[journey.cohort.pk])
    base = {
        "title": "Permits in five days",
        "lead_entity": journey.entities["justice"].pk,
        "partner_entities": [journey.entities["health"].pk],
        "metric": "Days to a building permit",
        "direction": "decrease",
        "baseline_value": "30",
    }
    response = client.post(url, {**base, "target_value": "30"})
    assert response.context["form"].errors == {"target_value": ["The target must differ from the baseline."]}
    response = client.post(url, {**base, "target_value": "40"})
    assert response.context["form"].errors == {
        "target_value": ["For a decrease, the target must be below the baseline."]
    }
    response = client.post(url, {**base, "target_value": "-5"})
    assert response.context["form"].errors == {"target_value": ["Enter a value of at least 0 for this goal."]}
    response = client.post(url, {**base, "unit": "%", "target_value": "130", "direction": "increase"})
    assert response.context["form"].errors == {"target_value": ["Enter a value from 0 to 100 for this goal."]}
    response = client.post(url, {**base, "lower_bound": "40", "upper_bound": "10", "target_value": "5"})
    assert response.context["form"].errors == {"upper_bound": ["The lower bound must be below the upper bound."]}
    response = client.post(url, {**base, "target_value": "5"})
    challenge = Challenge.objects.get(title="Permits in five days")
    assert response["Location"] == reverse("manage_challenge_people", args=[challenge.pk])
    assert list(challenge.partner_entities.all()) == [journey.entities["health"]]
    response = client.post(url, {**base, "target_value": "5"})
    assert response.context["form"].errors == {"title": ["The cohort already has a challenge with this title."]}


def test_the_index_lists_only_administered_accelerators(client, journey):
    other = AcceleratorFactory(name="Other government")
    client.force_login(journey.admin)
    page = client.get(reverse("manage_index")).content.decode()
    assert journey.accelerator.name in page and other.name not in page
