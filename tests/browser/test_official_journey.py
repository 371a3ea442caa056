"""Journey 3 in Debian's Chromium: an official narrows a cohort to "at risk", opens a challenge,
and downloads the board as XLSX. The table swaps with htmx (no page load) and the URL follows."""

from __future__ import annotations

import contextlib
import io
import re

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.browser import screenshots
from tests.dashboards.dashboard_data import NOW, build_cohort, official_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(context, live_server, user) -> None:
    """Give the browser a real session cookie for ``user`` (no login-form round trip)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=True):
        yield


def download_xlsx(page) -> tuple[str, list[str]]:
    """Click "Download XLSX": the file's name and its Status column."""
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download XLSX").click()
    download = download_info.value
    sheet = load_workbook(io.BytesIO(download.path().read_bytes())).active
    status_column = [cell.value for cell in sheet[1]].index("Status")
    return download.suggested_filename, [row[status_column].value for row in sheet.iter_rows(min_row=2)]


def test_an_official_filters_to_at_risk_opens_a_challenge_and_downloads_the_xlsx(live_server, context, page):
    cohort = build_cohort(8)
    login(context, live_server, official_of(cohort.accelerator))
    board = live_server.url + reverse("cohort_board", args=[cohort.pk])

    page.goto(board)
    rows = page.locator("#board tbody tr")
    expect(rows).to_have_count(8)
    page.evaluate("window.notReloaded = true")  # survives an htmx swap, not a page load

    page.get_by_label("Status").select_option("at_risk")
    expect(page).to_have_url(re.compile(r"status=at_risk"))
    expect(rows).to_have_count(2)
    expect(rows.locator(".status")).to_have_text(["at risk", "at risk"])
    assert page.evaluate("window.notReloaded") is True

    # Sorting keeps the filter, and the search box narrows further, all without a reload.
    page.locator("#board thead").get_by_role("link", name="Team lead").click()
    expect(page).to_have_url(re.compile(r"status=at_risk.*sort=lead|sort=lead.*status=at_risk"))
    expect(page.locator('#board th[aria-sort="ascending"]')).to_have_count(1)
    page.get_by_label("Search titles").fill("005")
    expect(rows).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=005"))
    assert "sort=lead" in page.url and "status=at_risk" in page.url
    assert page.evaluate("window.notReloaded") is True

    # The URL is the view: reopening it gives the same table, the form filled in.
    page.goto(page.url)
    expect(rows).to_have_count(1)
    expect(page.get_by_label("Status")).to_have_value("at_risk")
    page.get_by_label("Search titles").fill("")
    expect(page).not_to_have_url(re.compile(r"q=005"))  # the search box's own (debounced) request has landed
    page.get_by_role("button", name="Apply filters").click()
    expect(rows).to_have_count(2)
    # Until the board's last swap is done a click may land on a table being replaced (no download).
    expect(page.locator(".htmx-request")).to_have_count(0)

    filename, statuses = download_xlsx(page)
    assert filename == f"{cohort.accelerator.slug}-cohort-{cohort.number}.xlsx"
    assert statuses == ["at risk", "at risk"]

    first_title = rows.first.locator("th a").inner_text()
    rows.first.locator("th a").click()
    expect(page.locator("h1")).to_have_text(first_title)
    assert "/challenges/" in page.url


def test_a_slow_answer_to_an_earlier_filter_never_lands_over_a_later_one(live_server, context, page):
    """Found by a CI run: the search box's debounced request and a filter's could both be in flight, and
    whichever answered last filled the table, so it could show an earlier query's rows under the later
    query's URL. Here the server's answer to "at risk" is held back while the official searches "005";
    the newer request aborts it, and the table stays on the latest query."""
    cohort = build_cohort(8)
    login(context, live_server, official_of(cohort.accelerator))
    page.goto(live_server.url + reverse("cohort_board", args=[cohort.pk]))
    rows = page.locator("#board tbody tr")
    expect(rows).to_have_count(8)

    held = []

    def hold_the_at_risk_answer(route):
        if "status=at_risk" in route.request.url and "q=005" not in route.request.url:
            held.append(route)
        else:
            route.continue_()

    page.route(re.compile(r"/dashboards/cohorts/\d+/\?"), hold_the_at_risk_answer)
    with page.expect_request(lambda request: "status=at_risk" in request.url):
        page.get_by_label("Status").select_option("at_risk")
    with page.expect_event("requestfailed", lambda request: "q=005" not in request.url):
        page.get_by_label("Search titles").fill("005")
    expect(rows).to_have_count(1)
    assert len(held) == 1
    with contextlib.suppress(PlaywrightError):  # the page has given up on it
        held[0].continue_()
    expect(rows).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=005"))


def test_leaving_the_search_box_sends_no_second_request(live_server, context, page):
    """Found walking the board: the search box's ``change`` (as the official leaves it) bubbled to the
    form's own ``change`` trigger, so every search sent the same board request twice."""
    cohort = build_cohort(8)
    login(context, live_server, official_of(cohort.accelerator))
    page.goto(live_server.url + reverse("cohort_board", args=[cohort.pk]))
    board_requests = []
    page.on("request", lambda request: board_requests.append(request.url) if "q=005" in request.url else None)
    with page.expect_response(lambda response: "q=005" in response.url):
        page.get_by_label("Search titles").fill("005")
    expect(page.locator("#board tbody tr")).to_have_count(1)
    page.get_by_label("Search titles").press("Tab")  # leaves the box: its change event
    page.get_by_label("Status").select_option("at_risk")  # a filter still sends its request
    expect(page).to_have_url(re.compile(r"status=at_risk"))
    assert len(board_requests) == 2, board_requests  # the search, then the filter with it


def test_the_board_works_without_javascript(live_server, browser):
    cohort = build_cohort(8)
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    try:
        login(context, live_server, official_of(cohort.accelerator))
        page = context.new_page()
        page.goto(live_server.url + reverse("cohort_board", args=[cohort.pk]))
        page.get_by_label("Status").select_option("at_risk")
        page.get_by_role("button", name="Apply filters").click()
        expect(page).to_have_url(re.compile(r"status=at_risk"))
        expect(page.locator("#board tbody tr")).to_have_count(2)
        page.locator("#board thead").get_by_role("link", name="Progress vs expected").click()
        expect(page).to_have_url(re.compile(r"sort=progress"))
        expect(page.locator("#board tbody tr")).to_have_count(2)
    finally:
        context.close()


def test_an_official_searches_every_cohort_in_either_script_with_a_clean_console(live_server, context, page):
    """Issue 14, points 11, 12, 14: "солиқ" finds "soliq" in two cohorts from the dashboards; the
    board's htmx filter leaves no console error (no inline style refused by the CSP, no 404
    favicon); the "?" beside Status opens the glossary."""
    from tests.factories import CohortFactory

    first = build_cohort(3, titles=["Soliq to'lovlari onlayn", "Clinic queue", "Bus lanes"])
    second = build_cohort(
        2,
        accelerator=first.accelerator,
        cohort=CohortFactory(accelerator=first.accelerator, launch_date=first.launch_date),
        titles=["Солиқ имтиёзлари", "Roads"],
    )
    login(context, live_server, official_of(first.accelerator))
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    page.goto(live_server.url + reverse("dashboard_index"))
    page.get_by_label("Search challenges in every cohort").fill("солиқ")
    page.get_by_role("button", name="Search", exact=True).click()
    results = page.locator("#search-results li")
    expect(results).to_have_count(2)
    text = page.locator("#search-results").inner_text()
    assert "Soliq to'lovlari onlayn" in text and "Солиқ имтиёзлари" in text
    assert first.name in text and second.name in text
    screenshots.save(page, "test-artifacts/screenshots/search-across-cohorts.png")

    page.goto(live_server.url + reverse("cohort_board", args=[first.pk]))
    page.get_by_label("Search titles").fill("СОЛИҚ")
    expect(page.locator("#board tbody tr")).to_have_count(1)
    page.locator("#board thead .term-help").first.click()
    expect(page).to_have_url(re.compile(r"/glossary/#"))
    assert errors == [], errors
