"""A report's PDF is drawn by a Celery worker: the waiting page, one job per key, the claim, lost
jobs queued again, failure and "Try again", the sweep; and a real worker process serving the PDF."""

import re
import shutil
import subprocess
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from dashboards import pdf, services
from dashboards.models import RenderedReport
from members.models import AcceleratorRole
from tests.factories import ChallengeFactory, CheckInFactory, CohortFactory, GrantFactory
from tests.processes import start_worker, stop

State = RenderedReport.State
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reports"


def _cohort_and_readers():
    """A running cohort with one charted challenge, an official and a program admin of it."""
    cohort = CohortFactory()
    challenge = ChallengeFactory(cohort=cohort, title="Shorter queues")
    for period in (1, 2):
        CheckInFactory(challenge=challenge, period=period)
    official = GrantFactory(accelerator=cohort.accelerator, role=AcceleratorRole.Role.OFFICIAL).user
    admin = GrantFactory(accelerator=cohort.accelerator, role=AcceleratorRole.Role.PROGRAM_ADMIN).user
    return cohort, official, admin


def _urls(cohort):
    return (
        reverse("cohort_report_pdf", args=[cohort.pk]),
        reverse("cohort_report_pdf_retry", args=[cohort.pk]),
        reverse("cohort_report", args=[cohort.pk]),
    )


@pytest.mark.django_db
def test_it_answers_the_first_reader_with_a_page_that_waits_for_the_pdf(client, django_capture_on_commit_callbacks):
    cohort, official, _admin = _cohort_and_readers()
    pdf_url, _retry, report_url = _urls(cohort)
    client.force_login(official)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.get(pdf_url)
    html = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "Preparing your PDF…" in html
    # It polls with htmx, reloads itself without JavaScript, and links back to the report.
    assert f'hx-get="{pdf_url}" hx-trigger="every 2s"' in html
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in html
    assert f'href="{pdf_url}"' in html and "Check again" in html and f'href="{report_url}"' in html
    assert "no-store" in response["Cache-Control"]
    assert {"Accept-Language", "Cookie", "HX-Request"} <= {v.strip() for v in response["Vary"].split(",")}
    (report,) = RenderedReport.objects.all()
    assert report.state == State.PENDING and "Shorter queues" in report.html and report.pdf is None
    assert len(queued) == 1, "the job is queued once the row is committed"


@pytest.mark.django_db
def test_the_waiting_page_speaks_arabic_right_to_left(client):
    cohort, official, _admin = _cohort_and_readers()
    client.force_login(official)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    html = client.get(_urls(cohort)[0]).content.decode()
    assert 'dir="rtl"' in html and 'lang="ar"' in html
    assert "يجري إعداد ملف PDF…" in html and "تحقّق مرة أخرى" in html and "العودة إلى التقرير" in html


@pytest.mark.django_db
def test_a_double_click_and_a_second_reader_make_one_row_and_one_job(client, django_capture_on_commit_callbacks):
    cohort, official, admin = _cohort_and_readers()
    pdf_url = _urls(cohort)[0]
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.force_login(official)
        client.get(pdf_url)
        client.get(pdf_url)
        client.force_login(admin)
        assert "Preparing your PDF…" in client.get(pdf_url).content.decode()
    assert RenderedReport.objects.count() == 1
    assert len(queued) == 1


@pytest.mark.django_db
def test_the_poll_gets_the_status_alone_then_is_sent_on_to_the_pdf(client):
    cohort, official, _admin = _cohort_and_readers()
    pdf_url = _urls(cohort)[0]
    client.force_login(official)
    client.get(pdf_url)
    poll = client.get(pdf_url, headers={"HX-Request": "true"})
    assert poll.status_code == 200 and poll.content.decode().lstrip().startswith('<div id="pdf-status"')
    assert "<html" not in poll.content.decode()
    report = RenderedReport.objects.get()
    assert services.rendered_report_draw(report_id=report.pk) == "ready"
    poll = client.get(pdf_url, headers={"HX-Request": "true"})
    assert poll["HX-Redirect"] == pdf_url
    served = client.get(pdf_url)
    assert served["Content-Type"] == "application/pdf" and served.content.startswith(b"%PDF")
    assert served["Content-Disposition"] == f'inline; filename="cohort-{cohort.pk}-en.pdf"'
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in served["Vary"].split(",")}


@pytest.mark.django_db
def test_a_change_of_the_data_asks_for_a_new_pdf(client):
    cohort, official, _admin = _cohort_and_readers()
    pdf_url = _urls(cohort)[0]
    client.force_login(official)
    client.get(pdf_url)
    services.rendered_report_draw(report_id=RenderedReport.objects.get().pk)
    ChallengeFactory(cohort=cohort, title="A second challenge")
    assert "Preparing your PDF…" in client.get(pdf_url).content.decode()
    assert RenderedReport.objects.filter(state=State.PENDING, html__contains="A second challenge").count() == 1


@pytest.mark.django_db
def test_a_task_delivered_twice_draws_once_and_ready_always_has_its_bytes(client):
    cohort, official, _admin = _cohort_and_readers()
    client.force_login(official)
    client.get(_urls(cohort)[0])
    report = RenderedReport.objects.get()
    assert services.rendered_report_draw(report_id=report.pk) == "ready"
    assert services.rendered_report_draw(report_id=report.pk) == "not claimed"
    report.refresh_from_db()
    assert report.attempts == 1 and bytes(report.pdf).startswith(b"%PDF") and report.html == ""
    with pytest.raises(IntegrityError), transaction.atomic():
        RenderedReport.objects.filter(pk=report.pk).update(pdf=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        RenderedReport.objects.create(key="x", state=State.READY, requested_at=timezone.now())


@pytest.mark.django_db
def test_a_failed_pdf_says_so_in_the_readers_language_and_try_again_draws_it(client, monkeypatch):
    cohort, official, _admin = _cohort_and_readers()
    pdf_url, retry_url, _report = _urls(cohort)
    client.force_login(official)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    client.get(pdf_url)
    report = RenderedReport.objects.get()

    def broken(html):
        raise RuntimeError("Pango ran out of memory")

    with monkeypatch.context() as patched:
        patched.setattr(pdf, "html_to_pdf", broken)
        assert services.rendered_report_draw(report_id=report.pk) == "failed"
    report.refresh_from_db()
    assert report.state == State.FAILED and "Pango ran out of memory" in report.error and report.html
    page = client.get(pdf_url)
    html = page.content.decode()
    assert page.status_code == 200 and "Не удалось создать PDF" in html
    assert "Pango" not in html, "the reader is told plainly, not given the error"
    assert "hx-trigger" not in html and "http-equiv" not in html, "a failed PDF is not polled"
    form = (
        rf'<form method="post" action="{re.escape(retry_url)}"[^>]*>\s*<input type="hidden" name="csrfmiddlewaretoken"'
    )
    assert re.search(form, html) and "Попробовать ещё раз" in html
    response = client.post(retry_url)
    assert response.status_code == 302 and response["Location"] == pdf_url
    report.refresh_from_db()
    assert (report.state, report.attempts, report.error) == (State.PENDING, 0, "")
    assert "PDF готовится…" in client.get(pdf_url).content.decode()
    assert services.rendered_report_draw(report_id=report.pk) == "ready"
    assert client.get(pdf_url)["Content-Type"] == "application/pdf"
    # "Try again" on a PDF that has not failed changes nothing.
    assert client.post(retry_url).status_code == 302
    report.refresh_from_db()
    assert report.state == State.READY and report.attempts == 1


@pytest.mark.django_db
def test_a_job_the_worker_lost_is_queued_again_by_the_next_request(client, django_capture_on_commit_callbacks):
    cohort, official, _admin = _cohort_and_readers()
    pdf_url = _urls(cohort)[0]
    client.force_login(official)
    client.get(pdf_url)
    report = RenderedReport.objects.get()
    fresh = timezone.now() - timedelta(seconds=settings.REPORT_PDF_REQUEUE_SECONDS - 30)
    RenderedReport.objects.filter(pk=report.pk).update(requested_at=fresh)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.get(pdf_url)
    assert queued == [], "a job queued a moment ago is still on its way"
    # Never claimed for minutes (the broker lost it): the next request queues it again, once.
    RenderedReport.objects.filter(pk=report.pk).update(requested_at=timezone.now() - timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.get(pdf_url)
        client.get(pdf_url)
    assert len(queued) == 1
    # Claimed by a worker killed mid-drawing: once the claim has outlived the time limit, again.
    expired = timezone.now() - services.claim_lease() - timedelta(seconds=1)
    RenderedReport.objects.filter(pk=report.pk).update(state=State.RENDERING, started_at=expired, attempts=1)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert "Preparing your PDF…" in client.get(pdf_url).content.decode()
    report.refresh_from_db()
    assert len(queued) == 1 and report.state == State.PENDING and report.started_at is None
    # Killed on every attempt: the reader is told it failed, and may try again.
    RenderedReport.objects.filter(pk=report.pk).update(
        state=State.RENDERING, started_at=expired, attempts=services.MAX_ATTEMPTS
    )
    assert "The PDF could not be made" in client.get(pdf_url).content.decode()
    assert RenderedReport.objects.get().state == State.FAILED


@pytest.mark.django_db
def test_the_sweep_prunes_old_pdfs_and_queues_lost_jobs_again(django_capture_on_commit_callbacks):
    now = timezone.now()
    old = now - timedelta(hours=settings.REPORT_PDF_KEEP_HOURS, minutes=1)
    RenderedReport.objects.create(key="old", state=State.READY, pdf=b"%PDF", requested_at=old)
    RenderedReport.objects.create(key="lost", html="<p>x</p>", requested_at=now - timedelta(minutes=10))
    RenderedReport.objects.create(key="queued", html="<p>x</p>", requested_at=now)
    RenderedReport.objects.create(key="ready", state=State.READY, pdf=b"%PDF", requested_at=now - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert services.rendered_reports_sweep(now=now) == {"pruned": 1, "requeued": 1}
    assert sorted(RenderedReport.objects.values_list("key", flat=True)) == ["lost", "queued", "ready"]
    assert len(queued) == 1 and RenderedReport.objects.get(key="lost").requested_at == now
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert services.rendered_reports_sweep(now=now) == {"pruned": 0, "requeued": 0}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_requests_racing_for_a_new_key_make_one_row_and_queue_one_job():
    if connection.vendor != "postgresql":
        pytest.skip("a race needs two connections at once: PostgreSQL")
    both_missed = threading.Barrier(2, timeout=10)
    results, errors = [], []

    def html() -> str:
        both_missed.wait()  # each has looked for the row and found none
        return "<p>report</p>"

    def ask() -> None:
        try:
            results.append(services.rendered_report_request(key="race", html=html)[1])
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert sorted(results) == [False, True], "one request created the row and queued its job"
    assert RenderedReport.objects.filter(key="race").count() == 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_draws_the_pdf_that_a_later_request_serves(client, tmp_path):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("the worker process needs a file-backed test database")
    cohort, official, admin = _cohort_and_readers()
    pdf_url = _urls(cohort)[0]
    # Two readers, one of them clicking twice, before any worker runs: one row, one job.
    client.force_login(official)
    assert "Preparing your PDF…" in client.get(pdf_url).content.decode()
    client.get(pdf_url)
    client.force_login(admin)
    client.get(pdf_url)
    assert RenderedReport.objects.count() == 1
    log = tmp_path / "worker.log"
    worker = start_worker("report-pdf", log=log)
    try:
        deadline = time.monotonic() + 180
        poll = None
        while time.monotonic() < deadline:
            poll = client.get(pdf_url, headers={"HX-Request": "true"})
            if poll.has_header("HX-Redirect"):
                break
            time.sleep(1)
        assert poll is not None and poll.has_header("HX-Redirect"), log.read_text()[-3000:]
        served = client.get(pdf_url)
    finally:
        stop(worker)
    assert served["Content-Type"] == "application/pdf" and served.content.startswith(b"%PDF")
    report = RenderedReport.objects.get()
    assert report.state == State.READY and report.attempts == 1
    # (Tasks other tests left on the queue name rows that are gone: they find nothing to claim.)
    drawn = re.findall(r"render_report_pdf\[[^]]+\] succeeded in [0-9.]+s: 'ready'", log.read_text())
    assert len(drawn) == 1, log.read_text()[-3000:]
    if shutil.which("pdftotext"):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "worker-cohort-report.pdf").write_bytes(served.content)
        text = subprocess.run(
            ["pdftotext", str(ARTIFACTS / "worker-cohort-report.pdf"), "-"], capture_output=True, text=True
        ).stdout
        assert "Shorter queues" in text


def test_the_pdf_task_has_a_queue_of_its_own_which_every_worker_command_consumes():
    from accelerators.celery import app

    root = Path(__file__).resolve().parents[2]
    assert app.amqp.router.route({}, "dashboards.tasks.render_report_pdf")["queue"].name == settings.REPORT_PDF_QUEUE
    assert settings.REPORT_PDF_QUEUE != settings.CELERY_TASK_DEFAULT_QUEUE
    procfile = (root / "Procfile").read_text()
    assert re.search(r"^pdf: celery -A accelerators worker .*-Q pdf\b", procfile, re.M)
    compose = (root / "docker-compose.yml").read_text()
    assert '"-Q", "pdf"' in compose


@pytest.mark.django_db
def test_only_the_reports_readers_may_ask_for_it_again(client):
    cohort, official, _admin = _cohort_and_readers()
    pdf_url, retry_url, _report = _urls(cohort)
    RenderedReport.objects.create(key="failed", state=State.FAILED, html="<p>x</p>", requested_at=timezone.now())
    stranger = GrantFactory(role=AcceleratorRole.Role.OFFICIAL).user  # an official of another accelerator
    assert client.post(retry_url).status_code == 302 and "/accounts/login/" in client.post(retry_url)["Location"]
    client.force_login(stranger)
    assert client.get(pdf_url).status_code == 404
    assert client.post(retry_url).status_code == 404
    client.force_login(official)
    assert client.get(retry_url).status_code == 405, "asking again is a POST"
    assert client.post(retry_url).status_code == 302
    assert RenderedReport.objects.get(key="failed").state == State.FAILED, "another key's row is left alone"
    accelerator_retry = reverse("accelerator_report_pdf_retry", args=[cohort.accelerator.slug])
    assert client.post(accelerator_retry)["Location"] == reverse(
        "accelerator_report_pdf", args=[cohort.accelerator.slug]
    )
