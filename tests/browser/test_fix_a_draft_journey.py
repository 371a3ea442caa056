"""Issue 13 in a real browser, in English and Arabic: fix a draft (rename it, move its dates, delete a
candidate), launch it, correct a goal with a reason, and read it in the history and on the chart."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings

from challenges.models import Challenge
from cohorts.models import Cohort
from members.models import AcceleratorRole, Membership
from program_admin.models import CandidateChallenge
from tests.browser import screenshots
from tests.factories import (
    AcceleratorFactory,
    CandidateFactory,
    ChallengeFactory,
    CohortFactory,
    EntityFactory,
    GrantFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _draft():
    accelerator = AcceleratorFactory(name="Uzbekistan Government Accelerators (example)", time_zone="Asia/Tashkent")
    admin = GrantFactory(accelerator=accelerator, role=AcceleratorRole.Role.PROGRAM_ADMIN).user
    entity = EntityFactory(accelerator=accelerator, name="وزارة الداخلية")
    today = accelerator.local_today()
    cohort = CohortFactory(
        accelerator=accelerator,
        name="Cohort 3 (draft)",
        design_start=today + timedelta(days=2),
        launch_date=today + timedelta(days=20),
        draft=True,
    )
    challenge = ChallengeFactory(cohort=cohort, lead_entity=entity, title="تقليص زمن إصدار التأشيرة")
    for role, name in [("team_lead", "Dilnoza Karimova"), ("coach", "Aziz Rahimov"), ("sponsor", "Fatima Al Mansouri")]:
        MembershipFactory(challenge=challenge, role=role, user=UserFactory(full_name=name, entity=entity))
    candidate = CandidateFactory(accelerator=accelerator, title="Ошибочный кандидат", cohort=cohort)
    return accelerator, admin, cohort, challenge, candidate


@pytest.mark.parametrize("language", ["en", "ar"])
def test_an_admin_fixes_a_draft_launches_it_corrects_a_goal_and_reads_the_history(
    live_server, page, context, log_in, artifacts_dir, language
):
    accelerator, admin, cohort, challenge, candidate = _draft()
    log_in(admin)
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    shots = artifacts_dir / "screenshots" / language
    shots.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    fix_the_draft(page, base, accelerator, cohort, candidate, shots, language)
    launch(page, base, cohort)
    correct_the_goal(page, base, cohort, challenge, shots)
    read_the_history(page, base, cohort, challenge, admin, shots, language)


def fix_the_draft(page, base, accelerator, cohort, candidate, shots, language):
    """Rename the draft, move its launch a week later, delete a candidate."""
    page.goto(f"{base}/manage/cohorts/{cohort.pk}/")
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    page.click(f'a[href="/manage/cohorts/{cohort.pk}/edit/"]')
    new_launch = cohort.launch_date + timedelta(days=7)
    page.fill("#id_name", "الدفعة الثالثة")
    page.fill("#id_launch_date", new_launch.isoformat())
    screenshots.save(page, shots / "fix-draft-edit.png")
    page.click('main form.max-w-2xl button[type="submit"]')
    page.wait_for_url(f"{base}/manage/cohorts/{cohort.pk}/")
    assert page.locator("h1").inner_text() == "الدفعة الثالثة"
    assert Cohort.objects.get(pk=cohort.pk).launch_date == new_launch

    # The candidate goes through the confirm step (a plain form, no JavaScript needed).
    page.goto(f"{base}/manage/{accelerator.slug}/candidates/")
    page.click(f'a[href="/manage/{accelerator.slug}/candidates/{candidate.pk}/delete/"]')
    page.click('main form.max-w-2xl button[type="submit"]')  # not confirmed: nothing goes
    assert page.locator(".error-message").count() == 1
    assert CandidateChallenge.objects.filter(pk=candidate.pk).exists()
    page.check("#id_confirm")
    page.click('main form.max-w-2xl button[type="submit"]')
    page.wait_for_url(f"{base}/manage/{accelerator.slug}/candidates/")
    assert not CandidateChallenge.objects.filter(pk=candidate.pk).exists()


def launch(page, base, cohort):
    page.goto(f"{base}/manage/cohorts/{cohort.pk}/launch/")
    page.check("#id_confirm")
    page.click('[data-testid="launch"]')
    page.wait_for_url(f"{base}/manage/cohorts/{cohort.pk}/")
    assert Cohort.objects.get(pk=cohort.pk).is_launched


def correct_the_goal(page, base, cohort, challenge, shots):
    """Without a reason a moved target is refused; with one it is kept."""
    page.click(f'a[href="/manage/challenges/{challenge.pk}/correct/"]')
    page.fill("#id_target_value", "15")
    page.click('main form.max-w-2xl button[type="submit"]')
    assert page.locator("#id_reason_error").is_visible()
    assert Challenge.objects.get(pk=challenge.pk).target_value == Decimal("20")
    page.fill("#id_target_value", "15")
    page.fill("#id_reason", "رفعت الوزارة الطموح")
    screenshots.save(page, shots / "fix-draft-correct.png")
    page.click('main form.max-w-2xl button[type="submit"]')
    page.wait_for_url(f"{base}/manage/cohorts/{cohort.pk}/")
    assert Challenge.objects.get(pk=challenge.pk).target_value == Decimal("15")


def read_the_history(page, base, cohort, challenge, admin, shots, language):
    """The reason beside the change, the launch on the cohort's history, the mark on the chart."""
    page.goto(f"{base}/history/challenges/{challenge.pk}/")
    reason = page.locator('[data-testid="history-reason"]').first
    assert "رفعت الوزارة الطموح" in reason.inner_text()
    assert reason.locator("[dir=auto]").count() == 1
    screenshots.save(page, shots / "fix-draft-history.png")
    page.goto(f"{base}/history/cohorts/{cohort.pk}/")
    launch_row = page.locator("tr", has=page.locator("ins", has_text="launched" if language == "en" else "أُطلقت"))
    assert launch_row.count() >= 1
    assert "Person" in launch_row.first.inner_text() or admin.get_full_name() in launch_row.first.inner_text()

    page.goto(f"{base}/challenges/{challenge.pk}/")
    assert page.locator("[data-goal-change]").count() == 1
    assert "15" in page.locator('[data-testid="goal-changes"]').inner_text()
    screenshots.save(page, shots / "fix-draft-chart.png")
    assert Membership.objects.filter(challenge=challenge).count() == 3  # a correction left the team alone
