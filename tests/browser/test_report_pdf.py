"""In Chromium: an official clicks the cohort report's visible "PDF" link, sees the page that waits
for it, and ends on the PDF once a real Celery worker has drawn it; the waiting page in Arabic at
375 px reads right to left without scrolling sideways."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from dashboards.models import RenderedReport
from members.models import AcceleratorRole
from tests.browser import screenshots
from tests.factories import ChallengeFactory, CheckInFactory, CohortFactory, GrantFactory
from tests.processes import start_worker, stop

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _cohort_and_official():
    cohort = CohortFactory()
    challenge = ChallengeFactory(cohort=cohort, title="Shorter queues at the service centres")
    for period in (1, 2):
        CheckInFactory(challenge=challenge, period=period)
    official = GrantFactory(accelerator=cohort.accelerator, role=AcceleratorRole.Role.OFFICIAL).user
    return cohort, official


def test_an_official_clicks_pdf_waits_and_gets_the_pdf(live_server, context, page, log_in, artifacts_dir, tmp_path):
    cohort, official = _cohort_and_official()
    log_in(official)
    page.goto(live_server.url + reverse("cohort_report", args=[cohort.pk]))
    page.get_by_role("link", name="Download as PDF").click()
    expect(page.get_by_role("heading", name="Preparing your PDF…")).to_be_visible()
    assert page.url == live_server.url + reverse("cohort_report_pdf", args=[cohort.pk])
    expect(page.get_by_role("link", name="Back to the report")).to_be_visible()
    screenshots.save(page, artifacts_dir / "report-pdf-waiting.png", full_page=False)
    assert RenderedReport.objects.get().state == RenderedReport.State.PENDING

    log = tmp_path / "worker.log"
    pdf_url = live_server.url + reverse("cohort_report_pdf", args=[cohort.pk])

    def is_the_pdf(response) -> bool:
        return response.url == pdf_url and response.headers.get("content-type") == "application/pdf"

    worker = start_worker("browser-pdf", log=log)
    try:
        # The page polls every 2 s; once the PDF is ready htmx sends the browser on to it.
        with page.expect_response(is_the_pdf, timeout=180_000) as response:
            pass
        served = response.value
    finally:
        stop(worker)
    assert served.headers["content-disposition"] == f'inline; filename="cohort-{cohort.pk}-en.pdf"'
    assert page.url == pdf_url
    # What the browser was sent (its PDF viewer holds the navigation's body), read again with its cookies.
    assert context.request.get(pdf_url).body().startswith(b"%PDF"), log.read_text()[-2000:]
    assert RenderedReport.objects.get().state == RenderedReport.State.READY


def test_the_waiting_page_in_arabic_at_375_px(live_server, browser, artifacts_dir):
    cohort, official = _cohort_and_official()
    context = browser.new_context(locale="ar", viewport={"width": 375, "height": 800})
    try:
        from django.test import Client

        client = Client()
        client.force_login(official)
        session = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies(
            [
                {"name": session.key, "value": session.value, "url": live_server.url},
                {"name": settings.LANGUAGE_COOKIE_NAME, "value": "ar", "url": live_server.url},
            ]
        )
        page = context.new_page()
        page.goto(live_server.url + reverse("cohort_report_pdf", args=[cohort.pk]))
        expect(page.get_by_role("heading", name="يجري إعداد ملف PDF…")).to_be_visible()
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        screenshots.save(page, artifacts_dir / "report-pdf-waiting-ar-375.png")
    finally:
        context.close()
