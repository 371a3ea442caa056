"""Journey 1 in a real browser: create a cohort, upload its list, seat a team lead, launch."""

import re
import time
from datetime import timedelta

import pytest

from cohorts.models import Cohort
from members.models import AcceleratorRole
from tests.factories import AcceleratorFactory, EntityFactory, GrantFactory, UserFactory
from tests.processes import start_worker, stop
from tests.program_admin.journey import HEADER, csv_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_creates_uploads_assigns_and_launches_a_cohort(live_server, page, log_in):
    accelerator = AcceleratorFactory(name="Uzbekistan Government Accelerators (example)", time_zone="Asia/Tashkent")
    admin = GrantFactory(accelerator=accelerator, role=AcceleratorRole.Role.PROGRAM_ADMIN).user
    health = EntityFactory(accelerator=accelerator, name="Sog'liqni saqlash vazirligi", acronym="SSV")
    for email, name in [
        ("dilnoza@example.org", "Dilnoza Karimova"),
        ("coach@example.org", "Aziz Rahimov"),
        ("sponsor@example.org", "Fatima Al Mansouri"),
    ]:
        UserFactory(email=email, full_name=name, entity=health)
    # Dates relative to the accelerator's own today, so the launch day is always ahead.
    today = accelerator.local_today()
    design_start, launch = today + timedelta(days=5), today + timedelta(days=30)
    log_in(admin)
    cohort = create_cohort(live_server, page, accelerator, design_start, launch)
    upload_list(live_server, page, cohort)
    seat_team_lead(page)
    launch_and_watch_the_clock(live_server, page, cohort, admin, launch)


def create_cohort(live_server, page, accelerator, design_start, launch):
    page.goto(f"{live_server.url}/manage/{accelerator.slug}/")
    page.get_by_role("link", name="New cohort").click()
    page.fill("#id_number", "3")
    page.fill("#id_name", "Cohort 3 (example)")
    page.fill("#id_design_start", design_start.isoformat())
    page.fill("#id_launch_date", launch.isoformat())
    day_one = launch + timedelta(days=1)
    # The calendar is derived as the admin types (htmx), in the accelerator's time zone.
    calendar = page.locator('#calendar [data-day="1"]')
    calendar.wait_for()
    assert calendar.inner_text() == f"{day_one.day} {day_one:%B %Y}"  # the locale's one date style
    assert "Asia/Tashkent" in page.locator("#calendar").inner_text()
    page.get_by_role("button", name="Create the draft cohort").click()
    page.wait_for_url(re.compile(r"/manage/cohorts/\d+/$"))
    return Cohort.objects.get(accelerator=accelerator, number=3)


def upload_list(live_server, page, cohort):
    page.get_by_role("link", name="Upload a challenge list").click()
    rows = [
        HEADER,
        [
            "Poliklinikada navbatni qisqartirish (misol)",
            "",
            "SSV",
            "",
            "Kutish vaqti",
            "daqiqa",
            "decrease",
            "45",
            "2025",
            "15",
            "",
            "coach@example.org",
            "sponsor@example.org",
            "",
        ],
    ]
    page.set_input_files(
        "#id_file", files=[{"name": "challenges.csv", "mimeType": "text/csv", "buffer": csv_bytes(rows)}]
    )
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url(re.compile(r"/manage/imports/\d+/preview/$"))
    assert "Read as Unicode (UTF-8), columns separated by commas." in page.inner_text("main")
    page.get_by_role("button", name="Check and import 1 row").click()
    page.wait_for_url(f"{live_server.url}/manage/cohorts/{cohort.pk}/")
    assert "1 challenge was imported from challenges.csv." in page.inner_text("main")
    assert "missing team lead" in page.inner_text("main")


def seat_team_lead(page):
    page.get_by_role("link", name="People").first.click()
    page.fill("#people-search", "dilnoza")
    result = page.locator("#people-results form").filter(has_text="Dilnoza Karimova")
    result.wait_for()
    result.locator("select").select_option("team_lead")
    result.get_by_role("button", name=re.compile("Add")).click()
    page.wait_for_url(re.compile(r"/people/$"))
    assert "Dilnoza Karimova" in page.locator("#team").inner_text()


def launch_and_watch_the_clock(live_server, page, cohort, admin, launch):
    worker = start_worker("admin-journey")  # the launch hands the cohort to the clock through Celery
    page.goto(f"{live_server.url}/manage/cohorts/{cohort.pk}/launch/")
    page.get_by_label("I have reviewed the cohort").check()
    page.get_by_role("button", name="Launch the cohort").click()
    page.wait_for_url(f"{live_server.url}/manage/cohorts/{cohort.pk}/")
    state = page.locator('[data-testid="cohort-state"]').inner_text()
    assert state == "Launched: scheduled"
    assert "The clock starts Day 1 on" in page.inner_text("main")

    cohort.refresh_from_db()
    assert cohort.is_launched and cohort.launched_by == admin
    challenge = cohort.challenges.get()
    assert challenge.memberships.get(role="team_lead").user.email == "dilnoza@example.org"
    try:
        deadline = time.monotonic() + 60
        while not challenge.stations.filter(kind="launch_workshop", due_on=launch).exists():
            assert time.monotonic() < deadline, "the clock took over (a worker ran advance_clock)"
            time.sleep(0.5)
    finally:
        stop(worker)
