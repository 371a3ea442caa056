"""A rejected import looks the same wherever it is shown, and never like a success."""

import re

import pytest
from django.urls import reverse

from program_admin.importing import Problem
from tests.factories import ImportJobFactory
from tests.program_admin.journey import build_journey

pytestmark = pytest.mark.django_db


def _rejection(html: str) -> str:
    """The rejection block: the alert and the problems table, with ids and numbers taken out."""
    start = html.rindex("<div", 0, html.index('data-testid="import-rejected"'))
    end = html.index("</table>", start)
    return re.sub(r"\s+", " ", html[start:end])


def test_the_small_file_and_the_background_job_show_a_rejection_in_one_look(client):
    journey = build_journey()
    client.force_login(journey.admin)
    small = client.post(
        reverse("manage_import", args=[journey.cohort.pk]),
        {"file": _upload(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64))},  # an old .xls
    )
    assert small.status_code == 422
    job = ImportJobFactory(
        cohort=journey.cohort,
        state="failed",
        total_rows=10,
        processed_rows=10,
        problems=[Problem("unreadable").as_json()],
    )
    background = client.get(reverse("manage_import_job", args=[job.pk])).content.decode()
    small_html = small.content.decode()
    assert 'role="alert"' in _rejection(small_html) and "alert-error" in _rejection(small_html)
    assert _rejection(small_html).split("<tbody>")[0] == _rejection(background).split("<tbody>")[0]


def test_a_rejected_job_never_shows_a_green_bar(client):
    journey = build_journey()
    client.force_login(journey.admin)
    job = ImportJobFactory(cohort=journey.cohort, state="failed", total_rows=4, processed_rows=4, problems=[])
    page = client.get(reverse("manage_import_job", args=[job.pk])).content.decode()
    bar = re.search(r'<div class="progress-bar[^"]*"', page).group(0)
    assert "is-failed" in bar and "is-complete" not in bar
    job.state, job.created_count = "succeeded", 4
    job.save()
    page = client.get(reverse("manage_import_job", args=[job.pk])).content.decode()
    assert "is-complete" in re.search(r'<div class="progress-bar[^"]*"', page).group(0)


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("list.csv", data, content_type="text/csv")
