"""Issue 14, points 5, 7 and 13 and their leftovers, as the pages show them to an official.

A cohort launching in 41 days says so on every page; the official's breadcrumb from a challenge
leads back to the cohort board; a draft cohort's challenges are a 404 to officials with accelerator
grants; the cohort chart says how many challenges its latest point stands on; the overview chart
names its cohorts; check-in ages read as people say them.
"""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from challenges.models import Challenge
from cohorts.calendar import journey_day
from members.models import AcceleratorRole
from tests.dashboards.dashboard_data import LAUNCH, NOW, TODAY, build_cohort, official_of
from tests.factories import AcceleratorFactory, ChallengeFactory, CohortFactory, GrantFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def accelerator():
    return AcceleratorFactory(slug="uz", name="Uzbekistan Government Accelerators")


def test_a_cohort_launching_in_41_days_says_so_on_every_page(client, accelerator):
    build_cohort(3, accelerator=accelerator)
    upcoming = CohortFactory(accelerator=accelerator, launch_date=TODAY + timedelta(days=41), name="Autumn cohort")
    challenge = ChallengeFactory(cohort=upcoming, title="Shorter permit times")
    official = official_of(accelerator)
    MembershipFactory(challenge=challenge, user=official, role="member")
    client.force_login(official)
    pages = {
        "overview": reverse("accelerator_overview", args=[accelerator.slug]),
        "board": reverse("cohort_board", args=[upcoming.pk]),
        "briefing": reverse("cohort_briefing", args=[upcoming.pk]),
        "challenge": reverse("challenge_detail", args=[challenge.pk]),
        "my challenges": reverse("my_challenges"),
    }
    for name, url in pages.items():
        body = client.get(url).content.decode()
        assert "Launch in 41 days" in body, name
        assert "Day 0/100" not in body, name


@pytest.mark.parametrize(
    ("days_from_launch", "english"),
    [
        (-41, "Launch in 41 days"),
        (-1, "Launch in 1 day"),
        (0, "Day 0 (launch day)"),
        (37, "Day 37/100"),
        (100, "Day 100/100"),
        (112, "Sustainment day 12/90"),
        (190, "Sustainment day 90/90"),
        (191, "Sustainment ended on 7 September 2026"),
    ],
)
def test_the_journey_phrase_follows_the_calendar(days_from_launch, english):
    cohort = CohortFactory.build(launch_date=LAUNCH, sustainment_days=90)
    with translation.override("en"):
        assert journey_day(cohort, LAUNCH + timedelta(days=days_from_launch)) == english
        assert journey_day(cohort, LAUNCH, withdrawn=True) == "Withdrawn"


def test_an_officials_breadcrumb_leads_back_to_the_cohort_board(client, accelerator):
    cohort = build_cohort(2, accelerator=accelerator)
    challenge = Challenge.objects.filter(cohort=cohort).first()
    client.force_login(official_of(accelerator))
    body = client.get(reverse("challenge_detail", args=[challenge.pk])).content.decode()
    crumbs = body.split('aria-label="Breadcrumb"')[1].split("</nav>")[0]
    assert reverse("cohort_board", args=[cohort.pk]) in crumbs
    assert reverse("my_challenges") not in crumbs
    # A team member's leads to their own list.
    lead = challenge.memberships.get(role="team_lead").user
    client.force_login(lead)
    crumbs = client.get(reverse("challenge_detail", args=[challenge.pk])).content.decode().split("Breadcrumb")[1]
    assert reverse("my_challenges") in crumbs.split("</nav>")[0]


@pytest.mark.parametrize("role", [AcceleratorRole.Role.OFFICIAL, AcceleratorRole.Role.COACH, "cohort_official"])
def test_a_draft_cohorts_challenges_are_not_found_by_officials_with_grants(client, accelerator, role):
    draft = CohortFactory(accelerator=accelerator, draft=True)
    challenge = ChallengeFactory(cohort=draft)
    if role == "cohort_official":
        reader = GrantFactory(accelerator=accelerator, cohort=draft, role=AcceleratorRole.Role.OFFICIAL).user
    else:
        reader = GrantFactory(accelerator=accelerator, role=role).user
    client.force_login(reader)
    assert client.get(reverse("challenge_detail", args=[challenge.pk])).status_code == 404
    # The program admins and the team (designing it) still see it.
    client.force_login(GrantFactory(accelerator=accelerator, role=AcceleratorRole.Role.PROGRAM_ADMIN).user)
    assert client.get(reverse("challenge_detail", args=[challenge.pk])).status_code == 200
    client.force_login(MembershipFactory(challenge=challenge, role="team_lead").user)
    assert client.get(reverse("challenge_detail", args=[challenge.pk])).status_code == 200
    # Launched, the grant lets the reader in.
    draft.status, draft.launched_at = draft.Status.LAUNCHED, NOW
    draft.save(update_fields=["status", "launched_at"])
    client.force_login(reader)
    assert client.get(reverse("challenge_detail", args=[challenge.pk])).status_code == 200


def test_the_cohort_chart_says_how_many_challenges_its_latest_point_stands_on(client, accelerator):
    cohort = build_cohort(10, accelerator=accelerator, checkins=3)
    curve_total = Challenge.objects.filter(cohort=cohort).count()
    client.force_login(official_of(accelerator))
    response = client.get(reverse("cohort_board", args=[cohort.pk]))
    body = response.content.decode()
    latest = body.split('id="curve-latest">')[1].split("</p>")[0]
    assert f"of {curve_total} challenges" in latest and "Latest point, Day" in latest


def test_the_overview_chart_names_its_cohorts(client, accelerator):
    build_cohort(2, accelerator=accelerator, cohort=CohortFactory(accelerator=accelerator, name="Spring 2026 wave"))
    client.force_login(official_of(accelerator))
    body = client.get(reverse("accelerator_overview", args=[accelerator.slug])).content.decode()
    chart = body.split('aria-labelledby="results-chart-title')[1].split("</svg>")[0]
    assert "Spring 2026 wave" in chart
    assert ">#" not in chart


def test_check_in_ages_read_as_people_say_them(client, accelerator):
    cohort = build_cohort(3, accelerator=accelerator)
    Challenge.objects.filter(cohort=cohort).update(last_checkin_on=TODAY - timedelta(days=3579))
    client.force_login(official_of(accelerator))
    body = client.get(reverse("cohort_board", args=[cohort.pk])).content.decode()
    assert "3579 days ago" not in body and "9 years ago" in body
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    assert "منذ 9 سنوات" in client.get(reverse("cohort_board", args=[cohort.pk])).content.decode()
