"""A 2,000-row challenge list goes through a real Celery worker; the job page shows its progress."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from challenges.models import Challenge
from members.models import Membership
from program_admin.importing import ASYNC_ROW_THRESHOLD, import_job_create, import_job_run
from program_admin.models import ImportJob
from tests.processes import start_worker, stop
from tests.program_admin.journey import HEADER, build_journey, csv_bytes

ROWS = 2000


def big_file(journey, rows=ROWS, *, bad_row: int | None = None) -> bytes:
    body = []
    for n in range(rows):
        entity = "MOI" if n % 2 else "Sog'liqni saqlash vazirligi"
        baseline = "ten" if n == bad_row else str(100 + n)
        body.append(
            [
                f"Challenge {n:04d} — تحدي {n}",
                "",
                entity,
                "MOJ",
                "Kutish vaqti",
                "kun",
                "decrease",
                baseline,
                "2025",
                str(50 + n),
                "lead@example.org",
                "coach@example.org",
                "sponsor@example.org",
                "",
            ]
        )
    return csv_bytes([HEADER, *body])


def upload_and_confirm_big(client, journey):
    """Upload the big file, read its preview, confirm it: the job is queued for a worker."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("manage_import", args=[journey.cohort.pk]),
        {"file": SimpleUploadedFile("big.csv", big_file(journey))},
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("manage_import_preview", args=[job.pk])
    assert job.state == ImportJob.State.AWAITING and job.total_rows == ROWS
    preview = client.get(response["Location"])
    assert "Read as Unicode (UTF-8), columns separated by commas." in preview.content.decode()
    response = client.post(
        response["Location"], {"action": "confirm", "encoding": "utf-8", "delimiter": "comma", "decimal_mark": "point"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("manage_import_job", args=[job.pk])
    job.refresh_from_db()
    assert job.state == ImportJob.State.QUEUED and job.total_rows == ROWS
    return response, job


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_it_imports_2000_rows_in_a_real_worker_while_the_page_polls_its_progress(client):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("the worker process needs a file-backed test database")
    journey = build_journey()
    client.force_login(journey.admin)
    response, job = upload_and_confirm_big(client, journey)
    page = client.get(response["Location"])
    assert 'hx-trigger="every 1s"' in page.content.decode(), "the page polls while the job runs"

    worker = start_worker("import-test")
    seen = []
    output = ""
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            # What the polling page receives: the progress partial.
            partial = client.get(reverse("manage_import_job", args=[job.pk]), HTTP_HX_REQUEST="true")
            job.refresh_from_db()
            seen.append((job.state, job.processed_rows))
            if job.is_finished:
                break
            time.sleep(0.05)
    finally:
        output = stop(worker)
    # The page as it polls once the job has ended (the last poll above may have run just before).
    partial = client.get(reverse("manage_import_job", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert job.state == ImportJob.State.SUCCEEDED, output[-3000:]
    assert job.created_count == ROWS and job.processed_rows == ROWS
    assert Challenge.objects.filter(cohort=journey.cohort).count() == ROWS
    assert Membership.objects.filter(challenge__cohort=journey.cohort).count() == 3 * ROWS
    assert job.payload in (b"", memoryview(b"")) or bytes(job.payload) == b"", "the file is not kept once imported"
    processed = [rows for _state, rows in seen]
    in_between = [
        (state, rows) for state, rows in seen if state in (ImportJob.State.VALIDATING, ImportJob.State.SAVING)
    ]
    assert in_between, f"the page never saw the job at work: {seen}"
    assert processed == sorted(processed), "progress only moves forward"
    assert "every 1s" not in partial.content.decode(), "polling stops once the job has finished"
    assert "2000 challenges were imported" in partial.content.decode()


@pytest.mark.django_db(transaction=True)
def test_it_records_progress_as_the_task_body_checks_rows():
    journey = build_journey()
    data = big_file(journey, rows=1000)
    job = import_job_create(cohort=journey.cohort, file_name="big.csv", data=data, total_rows=1000, by=journey.admin)
    with CaptureQueriesContext(connection) as queries:
        import_job_run(job_id=job.pk, progress_every=100)
    progress_updates = [q["sql"] for q in queries if "processed_rows" in q["sql"] and q["sql"].startswith("UPDATE")]
    # One reset, then one update per 100 rows checked.
    assert len(progress_updates) == 1 + 10
    job.refresh_from_db()
    assert job.state == ImportJob.State.SUCCEEDED and job.created_count == 1000
    assert job.percent == 100


@pytest.mark.django_db(transaction=True)
def test_it_rejects_a_large_file_whole_when_one_row_is_bad(client):
    journey = build_journey()
    job = import_job_create(
        cohort=journey.cohort,
        file_name="big.csv",
        data=big_file(journey, rows=600, bad_row=417),
        total_rows=600,
        by=journey.admin,
    )
    import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == ImportJob.State.FAILED
    assert job.problems == [{"code": "not_a_number", "row": 419, "column": "baseline", "params": {"value": "ten"}}]
    assert Challenge.objects.filter(cohort=journey.cohort).count() == 0
    client.force_login(journey.admin)
    page = client.get(reverse("manage_import_job", args=[job.pk])).content.decode()
    assert "“ten” is not a number." in page and "every 1s" not in page


@pytest.mark.django_db(transaction=True)
def test_it_runs_a_job_once_however_often_the_task_is_delivered():
    journey = build_journey()
    job = import_job_create(
        cohort=journey.cohort, file_name="big.csv", data=big_file(journey, rows=10), total_rows=10, by=journey.admin
    )
    assert import_job_run(job_id=job.pk) is not None
    assert import_job_run(job_id=job.pk) is None
    assert Challenge.objects.filter(cohort=journey.cohort).count() == 10


def test_the_threshold_sends_thousands_of_rows_to_the_worker():
    assert ASYNC_ROW_THRESHOLD < ROWS
