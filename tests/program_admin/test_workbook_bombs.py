"""An XLSX upload cannot exhaust the process that reads it (issue 15, point 1).

What found it: a 6 KB workbook declaring ``A1:XFD1048576`` took a web worker from 225 MB to
3.7 GB and a SIGKILL; a 2.86 MB zip unpacking to 980 MB, sent three times at once, made
``/healthz`` time out for 30 s. The files here are built the same way (``bombs.py``).
"""

import io
import re
import resource
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from program_admin import importing, workbooks
from tests.hardening.test_db_connections import free_port, wait_until_up
from tests.processes import ROOT, project_env, stop
from tests.program_admin import bombs
from tests.program_admin.journey import build_journey, xlsx_bytes

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


@pytest.fixture(scope="module")
def unpack_bomb() -> bytes:
    return bombs.unpack_bomb()


@pytest.fixture(scope="module")
def dimension_bomb() -> bytes:
    return bombs.dimension_bomb()


def test_the_attackers_files_are_what_the_issue_describes(unpack_bomb, dimension_bomb):
    assert len(dimension_bomb) < 8 * 1024
    assert b"A1:XFD1048576" in bombs.members_of(dimension_bomb)[bombs.SHEET]
    assert len(unpack_bomb) < 4 * MB < settings.IMPORT_MAX_BYTES
    assert sum(member.file_size for member in zipfile.ZipFile(io.BytesIO(unpack_bomb)).infolist()) > 1000 * MB


def test_inspection_refuses_a_zip_that_unpacks_to_a_gigabyte_before_unpacking_it(unpack_bomb):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    refusal = workbooks.inspect(unpack_bomb, importing.xlsx_limits())
    assert refusal.code == "unpacks_too_large"
    assert refusal.params["size"] > 1000 * MB
    assert time.monotonic() - started < 1
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 20 * 1024  # KiB


def test_inspection_refuses_a_ratio_no_spreadsheet_has():
    small = bombs.unpack_bomb(unpacked=40 * MB)  # under the unpacked limit, 1:300 packed
    refusal = workbooks.inspect(small, importing.xlsx_limits())
    assert refusal.code == "compression_ratio"
    assert refusal.params["ratio"] > settings.IMPORT_XLSX_MAX_RATIO


def test_inspection_refuses_a_declared_dimension_past_the_caps(dimension_bomb):
    refusal = workbooks.inspect(dimension_bomb, importing.xlsx_limits())
    assert refusal.code == "declared_too_large"
    assert (refusal.params["rows"], refusal.params["columns"]) == (1_048_576, 16_384)


def test_a_real_workbook_passes_inspection():
    assert workbooks.inspect(bombs.good_workbook(), importing.xlsx_limits()) is None


def test_the_child_reads_the_dimension_bomb_with_caps_and_bounded_memory(dimension_bomb):
    """Past the inspection (as if it were not there), the caps alone keep the read small."""
    outcome = workbooks.read_in_child(dimension_bomb, importing.xlsx_limits())
    assert outcome.refusal is None
    assert [number for number, _cells in outcome.rows] == [1, 2, 3]
    assert all(len(cells) <= settings.IMPORT_MAX_COLUMNS for _number, cells in outcome.rows)
    print(f"child peak reading the dimension bomb: {outcome.peak_kib // 1024} MB")
    assert outcome.peak_kib < 300 * 1024


def test_the_childs_memory_limit_stops_the_unpack_bomb(unpack_bomb):
    """Past the inspection, the gigabyte cell needs more than the child's address space: the child
    fails (the unfixed reader held 2.1 GB for a minute), the caller's memory does not move."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    outcome = workbooks.read_in_child(unpack_bomb, importing.xlsx_limits())
    assert outcome.refusal.code == "workbook_too_big"
    print(f"child gave up on the unpack bomb after {time.monotonic() - started:.1f} s")
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 20 * 1024


def _rezipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def test_a_sheet_whose_dimension_is_too_small_is_still_read_whole():
    """The declared dimension is not trusted the other way either: rows past it are not dropped."""
    rows = [["title", "metric"]] + [[f"challenge {number}", "days"] for number in range(30)]
    members = bombs.members_of(xlsx_bytes(rows))
    members[bombs.SHEET] = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:B2"', members[bombs.SHEET])
    outcome = workbooks.read_rows(_rezipped(members), importing.xlsx_limits())
    assert len(outcome.rows) == 31


@override_settings(IMPORT_MAX_ROWS=10)
def test_rows_past_the_cap_are_refused_not_dropped():
    rows = [["title", "metric"]] + [[f"challenge {number}", "days"] for number in range(11)]
    members = bombs.members_of(xlsx_bytes(rows))
    members[bombs.SHEET] = re.sub(rb'<dimension ref="[^"]*"\s*/>', b"", members[bombs.SHEET])  # no declaration
    with pytest.raises(importing.ImportRejected) as rejected:
        importing.read_table(_rezipped(members))
    assert [problem.code for problem in rejected.value.problems] == ["too_many_rows"]
    assert "more than 10 challenge rows" in rejected.value.problems[0].message
    csv_data = "\n".join(",".join(row) for row in rows).encode()
    with pytest.raises(importing.ImportRejected) as rejected:
        importing.read_table(csv_data)
    assert "more than 10 challenge rows" in rejected.value.problems[0].message


def test_the_upload_page_names_the_problem(client, unpack_bomb, dimension_bomb):
    journey = build_journey()
    client.force_login(journey.admin)
    url = reverse("manage_import", args=[journey.cohort.pk])
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(url, {"file": SimpleUploadedFile("bomb.xlsx", unpack_bomb)})
    assert response.status_code == 422
    assert "The workbook unpacks to 1.0\xa0GB; at most 50.0\xa0MB are read." in response.content.decode()
    response = client.post(url, {"file": SimpleUploadedFile("bomb.xlsx", dimension_bomb)}, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 422
    assert [problem.code for problem in response.context["problems"]] == ["declared_too_large"]
    assert "A1:XFD1048576" in response.content.decode()
    assert not journey.cohort.challenges.exists()


def _peak_rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return int(next(line for line in status if line.startswith("VmHWM:")).split()[1])


def _limit_address_space():
    resource.setrlimit(resource.RLIMIT_AS, (1536 * MB, 1536 * MB))


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_three_bombs_at_once_leave_the_web_process_small_and_healthz_answering(client, unpack_bomb, dimension_bomb):
    """The threaded server, its address space capped at 1.5 GB (the unfixed reader needed 3.7 GB
    and died), gets three of each bomb at once while /healthz is asked every 100 ms."""
    journey = build_journey()
    client.force_login(journey.admin)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=project_env(LOG_LEVEL="WARNING"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=_limit_address_space,  # noqa: PLW1509 (a single-threaded fork of the test)
    )
    try:
        wait_until_up(base, server)
        session = requests.Session()
        session.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
        page = base + reverse("manage_import", args=[journey.cohort.pk])
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', session.get(page).text).group(1)
        idle = _peak_rss_kib(server.pid)

        def post(data: bytes) -> requests.Response:
            return session.post(
                page,
                data={"csrfmiddlewaretoken": token},
                files={"file": ("challenges.xlsx", data)},
                headers={"Referer": page},
                timeout=60,
            )

        latencies = []

        def probe() -> None:
            while len(latencies) < 1000 and not finished:
                started = time.monotonic()
                requests.get(base + "/healthz", timeout=30).raise_for_status()
                latencies.append(time.monotonic() - started)
                time.sleep(0.1)

        finished = False
        with ThreadPoolExecutor(7) as pool:
            prober = pool.submit(probe)
            responses = list(pool.map(post, [unpack_bomb] * 3 + [dimension_bomb] * 3))
            finished = True
            prober.result()
        peak = _peak_rss_kib(server.pid)
    finally:
        output = stop(server)
    print(
        f"web process peak RSS {idle // 1024} MB idle, {peak // 1024} MB after 6 bombs; "
        f"/healthz worst {max(latencies):.2f} s over {len(latencies)} probes"
    )
    assert [response.status_code for response in responses] == [422] * 6, output[-3000:]
    assert all("at most 50.0" in response.text for response in responses[:3])
    assert all("XFD1048576" in response.text for response in responses[3:])
    assert peak - idle < 64 * 1024, output[-3000:]
    assert latencies and max(latencies) < 2
