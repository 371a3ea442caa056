"""Journey 2 in Debian's Chromium at phone size: a team lead posts this week's check-in inline
and sees the chart, the status and the due badge change without a full page reload."""

from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from challenges.models import CheckIn
from tests.challenges.journey import make_team, on_day, tick

PHONE = {"width": 375, "height": 812}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_team_lead_posts_a_checkin_from_a_phone(browser, live_server):
    # Day 40 with nothing posted: 0 % against an expected 40 % is off track.
    with time_machine.travel(on_day(40), tick=True):
        team = make_team(direction="decrease", baseline="40", target="20")
        tick(team.challenge, on_day(40))
        context = browser.new_context(locale="en-GB", viewport=PHONE, is_mobile=True, has_touch=True)
        try:
            _sign_in(context, live_server, team.lead)
            page = context.new_page()
            page.set_default_timeout(15_000)
            page.goto(live_server.url + reverse("challenge_detail", args=[team.challenge.pk]))

            assert page.locator("#status-badge").inner_text() == "Off track"
            assert "overdue" in page.locator("#due-badge").inner_text()
            assert page.locator("#progress-chart circle[data-day]").count() == 1
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            page.evaluate("window.__sameDocument = true")

            page.get_by_label("Metric value").fill("30")
            page.get_by_label("What was done").fill("Opened a second counter at the main office")
            page.get_by_label("Next steps").fill("Train the evening shift")
            page.get_by_label("4 – high").check()
            page.get_by_role("button", name="Post check-in").click()

            page.locator("#checkin-notice").wait_for()
            assert "Check-in posted" in page.locator("#checkin-notice").inner_text()
            assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"
            assert page.locator("#status-badge").inner_text() == "On track"
            assert page.locator("#due-badge").inner_text() == "This period's check-in is in"
            assert page.locator("#progress-chart circle[data-day]").count() == 2
            assert page.locator("#progress-chart circle[data-day='40']").count() == 1
            assert "Opened a second counter" in page.locator("#checkin-history").inner_text()
            # The form now offers a correction of the check-in just posted.
            assert page.get_by_role("button", name="Save correction").is_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            box = page.locator("#progress-chart").bounding_box()
            assert box["width"] <= PHONE["width"]
            page.screenshot(path=str(_artifact("team-lead-checkin-375.png")), full_page=True)
        finally:
            context.close()
    checkin = CheckIn.objects.get(challenge=team.challenge)
    assert (checkin.value, checkin.confidence, checkin.author) == (Decimal("30"), 4, team.lead)


def _sign_in(context, live_server, user) -> None:
    """A real session cookie for ``user`` (no form round trip)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def _artifact(name: str) -> Path:
    folder = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name
