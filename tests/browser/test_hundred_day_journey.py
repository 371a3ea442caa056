"""The whole 100 journey of one challenge in Debian's Chromium: the challenge note in design, the
charter on Day 0, the refresh on Day 50 (the expected line re-drawn), the landing on Day 99, the
sustainability plan and the sponsor's pledge on Day 105, sustained; each artifact on its page, on
the challenge page, in the official's cohort report and in its PDF."""

import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from challenges.models import Challenge, Station, StationKind, Status
from dashboards.models import RenderedReport
from dashboards.services import rendered_report_draw
from journey.models import Artifact, Pledge
from members.models import AcceleratorRole
from tests.browser import screenshots
from tests.challenges.journey import make_team, on_day, tick
from tests.factories import GrantFactory

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def _person(browser, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def _open_journey(page, live_server, challenge):
    page.goto(live_server.url + reverse("journey", args=[challenge.pk]))


def _save(page, kind: str, fields: dict) -> None:
    form = page.locator(f"#{kind}-form")
    for label, value in fields.items():
        field = form.get_by_label(label)
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)
    form.get_by_role("button", name="Save").click()
    page.locator(f"#{kind} [data-artifact='{kind}']").wait_for()


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    screenshots.save(page, SHOTS / name)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_one_challenge_from_design_to_sustained(browser, live_server):
    team = make_team(direction="decrease", baseline="40", target="20", title="Cut the wait for a permit")
    challenge = team.challenge
    official = GrantFactory(accelerator=team.accelerator, role=AcceleratorRole.Role.OFFICIAL).user

    challenge = _design(browser, live_server, team, challenge, official)
    challenge = _day_0(browser, live_server, team, challenge, official)
    challenge = _refresh(browser, live_server, team, challenge, official)
    challenge = _landing(browser, live_server, team, challenge, official)
    challenge = _sustainment(browser, live_server, team, challenge, official)
    assert Artifact.objects.filter(challenge=challenge).count() == 5
    pledge = Pledge.objects.get(challenge=challenge)
    assert pledge.signer == team.sponsor


def _design(browser, live_server, team, challenge, official):
    # Design, Day -10: the sponsor writes the challenge note.
    with time_machine.travel(on_day(-10), tick=True):
        challenge = tick(challenge, on_day(-10))
        context, page = _person(browser, live_server, team.sponsor)
        _open_journey(page, live_server, challenge)
        _save(
            page,
            "challenge_note",
            {
                "Scope of the mission": "Building permits in the capital",
                "Why it matters": "40 days of waiting stop 3,000 families a year from building",
                "Clear and ambitious goal": "5",
                "Touches people's lives": "5",
                "Needs several organisations": "4",
                "Achievable in 100 days": "4",
            },
        )
        assert "Building permits in the capital" in page.locator("#challenge_note").inner_text()
        context.close()
    assert Station.objects.get(challenge=challenge, kind=StationKind.CHALLENGE_NOTE).state == "done"
    return challenge


def _day_0(browser, live_server, team, challenge, official):
    # Day 0, the launch workshop: the team's goal (target sharpened to 15), plan, agreement, lead.
    with time_machine.travel(on_day(0), tick=True):
        challenge = tick(challenge, on_day(0))
        context, page = _person(browser, live_server, team.lead)
        _open_journey(page, live_server, challenge)
        _save(
            page,
            "charter",
            {
                "The team's 100-day goal": "Permits in 15 days instead of 40 at the capital's one-stop shop",
                "Target on Day 100": "15",
                "The plan": "One-stop desk | Head of permits | week 1: map the steps; week 2: merge two\n"
                "Data | Analyst | week 1: daily counts",
                "Team agreement": "Every Sunday at 9; decisions by consensus",
            },
        )
        assert "Head of permits" in page.locator("#charter").inner_text()
        context.close()
    challenge.refresh_from_db()
    assert challenge.target_value == Decimal("15")
    return challenge


def _refresh(browser, live_server, team, challenge, official):
    # Day 50, the refresh: a revised plan, and the expected line re-drawn from 35 with a reason.
    with time_machine.travel(on_day(50), tick=True):
        challenge = tick(challenge, on_day(50))
        context, page = _person(browser, live_server, team.lead)
        _open_journey(page, live_server, challenge)
        _save(
            page,
            "refresh",
            {
                "Revised plan": "One-stop desk | Head of permits | week 8: second desk",
                "Re-draw the expected line": "35",
                "Why the expected line is re-drawn": "The new regulation took effect only on Day 40",
            },
        )
        assert page.locator("#journey-redrawn-line").count() == 1
        page.goto(live_server.url + reverse("challenge_detail", args=[challenge.pk]))
        assert page.locator("#redrawn-line").count() == 1
        assert page.locator("#progress-chart [data-series='expected']").count() == 1
        _shot(page, "journey-refresh-challenge-page.png")
        context.close()
    return challenge


def _landing(browser, live_server, team, challenge, official):
    # Day 99, the landing: the Day-100 value, the impact narrative with figures, lessons, decision.
    Challenge.objects.filter(pk=challenge.pk).update(current_value=Decimal("14"), last_checkin_on=on_day(98).date())
    with time_machine.travel(on_day(99), tick=True):
        challenge = tick(challenge, on_day(99))
        context, page = _person(browser, live_server, team.lead)
        _open_journey(page, live_server, challenge)
        _save(
            page,
            "landing",
            {
                "Value on Day 100": "14",
                "Impact narrative": "3,000 families a year get their permit 26 days sooner",
                "Lives": "3000",
                "Hours saved": "78000",
                "Lessons": "Merge the steps before digitising them",
                "Decision": "scale",
            },
        )
        context.close()
    return challenge


def _pdf_text(context, live_server, challenge) -> str:
    """The cohort report's PDF as the official gets it: the page that waits, then the PDF."""
    pdf_url = live_server.url + reverse("cohort_report_pdf", args=[challenge.cohort_id])
    assert "Preparing your PDF…" in context.request.get(pdf_url).text()
    # What the pdf queue's worker does (tests/browser/test_report_pdf.py runs a real one).
    (pending,) = RenderedReport.objects.filter(state=RenderedReport.State.PENDING)
    assert rendered_report_draw(report_id=pending.pk) == "ready"
    pdf = context.request.get(pdf_url)
    assert pdf.headers["content-type"] == "application/pdf"
    path = SHOTS / "journey-cohort-report.pdf"
    path.write_bytes(pdf.body())
    text = " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout.split())
    return text


def _sustainment(browser, live_server, team, challenge, official):
    # Day 105, sustainment: the plan, then the sponsor signs the pledge.
    with time_machine.travel(on_day(105), tick=True):
        challenge = tick(challenge, on_day(105))
        assert challenge.status == Status.SUSTAINED
        context, page = _person(browser, live_server, team.lead)
        _open_journey(page, live_server, challenge)
        _save(
            page,
            "sustainability_plan",
            {"Innovations made permanent": "One-stop desk | Director of permits | four clerks from the archive"},
        )
        context.close()

        context, page = _person(browser, live_server, team.sponsor)
        _open_journey(page, live_server, challenge)
        pledge_form = page.locator("#pledge-form")
        assert "Director of permits" in pledge_form.inner_text()
        pledge_form.get_by_label("I have read this pledge").check()
        pledge_form.get_by_role("button", name="Sign the pledge").click()
        page.locator("#pledge-list [data-pledge]").wait_for()
        assert page.locator("#pledge-form").count() == 0
        page.goto(live_server.url + reverse("challenge_detail", args=[challenge.pk]))
        summary = page.locator("#journey-summary").inner_text()
        assert "Director of permits" in summary and "Signed by" in summary
        assert summary.count("written") >= 5
        _shot(page, "journey-challenge-page-sustained.png")
        context.close()

        # The official's cohort report and its PDF carry the landing and the pledge.
        context, page = _person(browser, live_server, official)
        page.goto(live_server.url + reverse("cohort_board", args=[challenge.cohort_id]))
        page.locator("#cohort-report-link").click()
        report = page.locator("main").inner_text()
        assert "Day-100 report" in report
        assert "3,000 families a year get their permit 26 days sooner" in report
        assert "Director of permits" in report
        _shot(page, "journey-cohort-report.png")
        text = _pdf_text(context, live_server, challenge)
        assert "3,000 families a year get their permit 26 days sooner" in text
        assert "Director of permits" in text
        context.close()
    return challenge
