"""The simulation, as a command and as a page: the real jobs, week by week, and nothing kept."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from challenges.models import Challenge, PhaseTransition
from challenges.simulation import Scenario, simulate, week_dates
from members.models import AcceleratorRole, Membership
from tests.factories import AcceleratorFactory, ChallengeFactory, CohortFactory, GrantFactory, MembershipFactory
from tests.members.test_access_matrix import changed_models, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    cohort = CohortFactory(
        accelerator=AcceleratorFactory(time_zone="Asia/Dubai", sustainment_days=30, slug="uae"),
        number=7,
        name="Batch 7",
        design_start=date(2026, 2, 20),
        launch_date=date(2026, 3, 1),
        sustainment_days=30,
        draft=True,
    )
    challenge = ChallengeFactory(cohort=cohort, title="Shorter visa wait")
    MembershipFactory(challenge=challenge, role=Membership.Role.TEAM_LEAD, user__full_name="Dilnoza Karimova")
    return cohort


def test_it_refuses_a_draft_unless_asked_to_pretend(draft):
    with pytest.raises(CommandError, match="Batch 7 is a draft.*--as-if-launched.*2026-03-01"):
        call_command("simulate", "7")


def test_it_runs_a_draft_as_if_launched_week_by_week_and_keeps_nothing(draft):
    before = snapshot()
    out = StringIO()
    call_command("simulate", "Batch 7", "--as-if-launched", stdout=out)
    text = out.getvalue()
    assert "DRAFT, simulated as if launched on 2026-03-01: nothing is kept." in text
    assert "2026-03-08  Day    7  check-ins due 1, posted 0, missing 1 · reminders 1" in text
    assert "2026-03-08  Day    7    design → acceleration (from 2026-03-02)  Shorter visa wait" in text
    assert "2026-03-08  Day    7    reminder to Dilnoza Karimova: Shorter visa wait" in text
    assert "acceleration → sustainment (from 2026-06-10)" in text
    assert "sustainment → closed (from 2026-07-10)" in text
    assert "station due: sponsor review (1 challenges)" in text
    assert "off_track=1" in text  # nobody posted: the status the real rule gives
    assert "final phases: closed=1" in text
    assert "rolled back" in text
    assert changed_models(before, snapshot()) == []
    assert PhaseTransition.objects.count() == 0 and Challenge.objects.get().phase == "design"


def test_teams_that_post_on_time_stay_on_track_and_get_no_reminder(draft):
    sim = simulate(cohort=draft, scenario=Scenario.ON_TRACK, as_if_launched=True)
    acceleration = [week for week in sim.weeks if 7 <= week.day <= 98]
    assert acceleration and all(week.count("on_track") == 1 and not week.reminders for week in acceleration)
    assert all(week.posted == week.due for week in acceleration)
    assert sim.total_reminders == 0
    assert not Challenge.objects.get().checkins.exists()  # rolled back


def test_it_takes_the_cohort_by_number_within_an_accelerator(draft):
    CohortFactory(number=7, name="Other 7")
    with pytest.raises(CommandError, match="names several cohorts.*--accelerator"):
        call_command("simulate", "7", "--as-if-launched")
    call_command("simulate", "7", "--accelerator", "uae", "--as-if-launched", stdout=StringIO())
    with pytest.raises(CommandError, match="No cohort is numbered or named '99'"):
        call_command("simulate", "99")


def test_commit_keeps_the_clock_result_of_a_launched_cohort_only(draft):
    with pytest.raises(CommandError, match="--commit"):
        call_command("simulate", "7", "--as-if-launched", "--commit")
    cohort = CohortFactory(launch_date=date(2026, 3, 1), design_start=date(2026, 3, 1), sustainment_days=10)
    ChallengeFactory(cohort=cohort)
    call_command(
        "simulate", str(cohort.number), "--accelerator", cohort.accelerator.slug, "--commit", stdout=StringIO()
    )
    assert PhaseTransition.objects.filter(challenge__cohort=cohort).count() == 3


def test_the_weeks_are_counted_from_day_0_and_end_when_the_challenges_close(draft):
    dates = week_dates(draft, starts_on=draft.design_start)
    assert dates[0] == date(2026, 2, 22) and (dates[1] - dates[0]).days == 7
    assert dates[-1] == date(2026, 7, 10)


# --- The page ------------------------------------------------------------------------------------


def test_the_page_steps_a_week_at_a_time_and_changes_no_row(client, draft):
    admin = GrantFactory(accelerator=draft.accelerator, role=AcceleratorRole.Role.PROGRAM_ADMIN).user
    client.force_login(admin)
    url = reverse("simulation_page", args=[draft.pk])
    before = snapshot()
    page = client.get(url).content.decode()
    assert "simulated as if launched on" in page
    assert page.count("<tr>") == 2  # the header and the first week
    step = client.get(url, {"scenario": "silent", "week": 3}, headers={"HX-Request": "true"})
    assert step.status_code == 200 and "<html" not in step.content.decode()
    assert step.content.decode().count("<tr>") == 4
    full = client.get(url, {"scenario": "mixed", "run": "all"}).content.decode()
    assert 'data-testid="finished"' in full and "Dilnoza Karimova" not in full  # mixed: the first team posts
    silent = client.get(url, {"run": "all"}).content.decode()
    assert "Dilnoza Karimova" in silent  # her reminders
    assert changed_models(before, snapshot()) == []


def test_coaches_of_a_launched_cohort_may_watch_it_officials_may_not(client):
    cohort = CohortFactory(launch_date=date(2026, 3, 1))
    challenge = ChallengeFactory(cohort=cohort)
    coach = MembershipFactory(challenge=challenge, role=Membership.Role.COACH).user
    granted_coach = GrantFactory(accelerator=cohort.accelerator, role=AcceleratorRole.Role.COACH).user
    official = GrantFactory(accelerator=cohort.accelerator, role=AcceleratorRole.Role.OFFICIAL).user
    draft = CohortFactory(accelerator=cohort.accelerator, draft=True)
    url = reverse("simulation_page", args=[cohort.pk])
    for person, expected in [(coach, 200), (granted_coach, 200), (official, 403)]:
        client.force_login(person)
        assert client.get(url).status_code == expected, person
    client.force_login(coach)
    assert client.get(reverse("simulation_page", args=[draft.pk])).status_code == 404  # drafts are the admins'
    index = client.get(reverse("simulation_index")).content.decode()
    assert cohort.name in index and draft.name not in index
