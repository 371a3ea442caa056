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
from tests.browser import screenshots
from tests.browser.axe import AXE, run_axe
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
            screenshots.save(page, _artifact("team-lead-checkin-375.png"))
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


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_team_leads_page_with_its_forms_is_accessible_at_phone_size(browser, live_server, language):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    with time_machine.travel(on_day(40), tick=True):
        team = make_team()
        tick(team.challenge, on_day(40))
        from challenges.services import blocker_raise, checkin_submit

        checkin_submit(challenge=team.challenge, by=team.lead, value=Decimal("37"), done="Work", confidence=3)
        checkin_submit(challenge=team.challenge, by=team.lead, value=Decimal("36"), done="Fixed", confidence=3)
        blocker_raise(challenge=team.challenge, by=team.lead, description="Budget not released", severity="high")
        # The CSP forbids inline scripts; bypassing it here only lets axe in.
        context = browser.new_context(locale="en-GB", viewport=PHONE, bypass_csp=True)
        try:
            _sign_in(context, live_server, team.lead)
            context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
            page = context.new_page()
            page.goto(live_server.url + reverse("challenge_detail", args=[team.challenge.pk]))
            assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
            # The chart keeps time running left to right in both directions (see challenges/charts.py).
            assert page.locator("#progress-chart").get_attribute("direction") == "ltr"
            ticks = page.locator("#progress-chart text[data-tick]").all()
            lefts = [tick_label.bounding_box()["x"] for tick_label in ticks]
            assert len(lefts) == 5 and lefts == sorted(lefts), "Day 0 should be at the left, Day 100 at the right"
            for details in page.locator("details").all():
                details.evaluate("el => el.open = true")
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            violations = [f"{v['id']}: {', '.join(n['target'] for n in v['nodes'][:3])}" for v in run_axe(page)]
            assert violations == []
            screenshots.save(page, _artifact(f"team-lead-forms-375-{language}.png"))
        finally:
            context.close()


def _collect_console_errors(page) -> list[str]:
    """Console errors and failed requests (a CSP refusal, a 404 favicon) for the test to assert on."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda reply: errors.append(f"{reply.status} {reply.url}") if reply.status >= 400 else None)
    return errors


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_blockers_notifications_glossary_and_a_clean_console(browser, live_server):
    """Issue 14, points 8, 10, 12, 14: a blocker raised with an owner and a due date, the sponsor
    opening the notification (marked read, at the blocker), the blocker resolved and kept folded
    with its note; no console error through htmx updates, the favicon served; "?" opens the glossary."""
    with time_machine.travel(on_day(40), tick=True):
        team = make_team(direction="decrease", baseline="40", target="20")
        tick(team.challenge, on_day(40))
        url = live_server.url + reverse("challenge_detail", args=[team.challenge.pk])
        blocker = _lead_raises_a_blocker(browser, live_server, team, url)
        _sponsor_opens_the_notification(browser, live_server, team, blocker)
        _coach_resolves_it(browser, live_server, team, url)


def _lead_raises_a_blocker(browser, live_server, team, url):
    from challenges.models import Blocker

    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    try:
        _sign_in(context, live_server, team.lead)
        page = context.new_page()
        page.set_default_timeout(15_000)
        errors = _collect_console_errors(page)
        page.goto(url)
        # An htmx update: the check-in posts inline.
        page.get_by_label("Metric value").fill("30")
        page.get_by_label("What was done").fill("Second counter")
        page.get_by_label("3 – medium").check()
        page.get_by_role("button", name="Post check-in").click()
        page.locator("#checkin-notice").wait_for()
        favicon = page.evaluate("document.querySelector('link[rel=icon]').href")
        assert page.request.get(favicon).status == 200
        # Raise a blocker owned by a member, due in a week.
        page.get_by_text("Raise a blocker").click()
        page.get_by_label("What is blocking the team").fill("The registry will not share data")
        page.get_by_label("Owner").select_option(label=team.member.get_full_name())
        page.get_by_label("Due date").fill((on_day(47)).date().isoformat())
        page.get_by_role("button", name="Raise blocker").click()
        page.wait_for_url("**#blockers")
        blocker = Blocker.objects.get()
        assert blocker.owner == team.member
        entry = page.locator(f"#blocker-{blocker.pk}")
        assert "owner: " + team.member.get_full_name() in entry.inner_text()
        # The "?" beside "Stations" opens the glossary at "Station".
        page.locator("#stations-heading .term-help").click()
        page.wait_for_url("**/glossary/#station")
        assert page.locator("#station").is_visible() and page.locator("dt:target").inner_text() == "Station"
        screenshots.save(page, _artifact("glossary-1280.png"), full_page=False)
        assert errors == [], errors
    finally:
        context.close()
    return blocker


def _sponsor_opens_the_notification(browser, live_server, team, blocker):
    from challenges.models import Notification

    context = browser.new_context(locale="en-GB", viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        _sign_in(context, live_server, team.sponsor)
        page = context.new_page()
        page.set_default_timeout(15_000)
        errors = _collect_console_errors(page)
        page.goto(live_server.url + reverse("notifications"))
        page.get_by_role("button", name="The registry will not share data").click()
        page.wait_for_url(f"**/challenges/{team.challenge.pk}/#blocker-{blocker.pk}")
        assert Notification.objects.get(user=team.sponsor).read_at is not None
        assert page.locator(f"#blocker-{blocker.pk}").is_visible()
        assert errors == [], errors
    finally:
        context.close()


def _coach_resolves_it(browser, live_server, team, url):
    context = browser.new_context(locale="en-GB", viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        _sign_in(context, live_server, team.coach)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(url + "#blockers")
        page.get_by_label("How was it resolved?").fill("The deputy minister signed the agreement")
        page.get_by_role("button", name="Resolve blocker").click()
        page.wait_for_url("**#blockers")
        folded = page.locator("#resolved-blockers")
        assert "1 resolved blocker" in folded.locator("summary").inner_text()
        assert not folded.locator("text=The deputy minister signed").is_visible()  # folded
        folded.locator("summary").click()
        text = folded.inner_text()
        assert "The deputy minister signed the agreement" in text
        assert f"Resolved by {team.coach.get_full_name()}" in text
        screenshots.save(page, _artifact("resolved-blocker-375.png"))
    finally:
        context.close()
