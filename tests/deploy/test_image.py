"""The production image, built here and run as it would be deployed (slow tier).

Builds the image with `make image`'s script, then runs it as containers on the host network
against this machine's PostgreSQL (a database of its own) and Redis (a database number of its own):
`migrate` and `createsuperuser` as one-shot containers, then web (gunicorn), a Celery worker and
beat. Over plain HTTP, as a reverse proxy that terminated TLS would speak to gunicorn, it signs in,
posts a check-in, watches the worker run a clock tick and beat's first scheduled task, and reads
static files as WhiteNoise serves them (hashed names, far-future caching, compression).

Skipped unless podman, runc and debootstrap are installed, or REQUIRE_IMAGE=1 (CI) makes a missing
tool a failure. A warm run (base image cached) takes a few minutes.
"""

import json
import os
import re
import secrets
import socket
import time

import pytest

from tests.deploy.containers import Browser, Stack, build_image, csrf_token, podman_available

pytestmark = pytest.mark.slow

IMAGE = os.environ.get("TEST_IMAGE", "localhost/accelerators:test")
POSTGRES = os.environ.get("IMAGE_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DATABASE = "accelerators_image_test"
REDIS_URL = os.environ.get("IMAGE_TEST_REDIS_URL", "redis://127.0.0.1:6379/12")
ADMIN_EMAIL = "operator@image-test.example"


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def _require(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("REQUIRE_IMAGE") == "1":
        pytest.fail(f"REQUIRE_IMAGE=1 but {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(predicate, *, seconds: float, what: str, stack: Stack, role: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if not stack.is_running(role):
            break
        time.sleep(1)
    pytest.fail(f"{what} did not happen within {seconds:.0f} s; {role}'s log:\n{stack.logs(role)[-4000:]}")


@pytest.fixture(scope="module")
def image() -> str:
    _require(podman_available(), "no podman, runc and debootstrap (apt-get install podman runc debootstrap)")
    started = time.monotonic()
    result = build_image(IMAGE)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-6000:]
    print(f"image built in {time.monotonic() - started:.0f} s")
    return IMAGE


@pytest.fixture(scope="module")
def database_url() -> str:
    _require(_reachable("127.0.0.1", 5432), "no PostgreSQL on 127.0.0.1:5432")
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')
    yield f"{POSTGRES}/{DATABASE}"
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


@pytest.fixture(scope="module")
def redis_url() -> str:
    _require(_reachable("127.0.0.1", 6379), "no Redis on 127.0.0.1:6379")
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


@pytest.fixture(scope="module")
def stack(image, database_url, redis_url):
    port = _free_port()
    stack = Stack(
        image=image,
        environment={
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": "https://localhost",
            "VAR_DIR": "/tmp/var",
            "WEB_CONCURRENCY": "2",
        },
    )
    stack.port = port
    stack.password = secrets.token_urlsafe(18)
    try:
        stack.run("python", "manage.py", "migrate", "--noinput")
        stack.run("python", "manage.py", "seed_demo")
        stack.run(
            "python", "manage.py", "createsuperuser", "--noinput", "--email", ADMIN_EMAIL,
            DJANGO_SUPERUSER_PASSWORD=stack.password,
        )  # fmt: skip
        stack.start(
            "web", "gunicorn", "accelerators.wsgi", "--config", "deploy/gunicorn.conf.py",
            "--bind", f"127.0.0.1:{port}", "--workers", "2",
        )  # fmt: skip
        stack.start("worker", "celery", "-A", "accelerators", "worker", "--loglevel=INFO", "--concurrency=1")
        stack.start(
            "beat", "celery", "-A", "accelerators", "beat", "--loglevel=INFO", "--schedule", "/tmp/celerybeat-schedule"
        )
        browser = Browser(port)
        wait_for(lambda: _ready(browser), seconds=90, what="web answering 200 on /readyz", stack=stack, role="web")
        yield stack
    finally:
        stack.remove()


def _ready(browser: Browser) -> bool:
    try:
        response, _ = browser.get("/readyz", proxied=False)
    except OSError:
        return False
    return response.status == 200


def _acceleration_challenge(stack: Stack) -> dict:
    script = (
        "import json; from challenges.models import Challenge; "
        "c = Challenge.objects.filter(phase='acceleration').order_by('pk').first(); "
        "print(json.dumps({'id': c.pk, 'baseline': str(c.baseline_value)}))"
    )
    output = stack.run("python", "manage.py", "shell", "--verbosity", "0", "--command", script).stdout
    return json.loads(output.strip().splitlines()[-1])


def test_the_probes_answer_plain_http_and_everything_else_goes_to_https(stack):
    browser = Browser(stack.port)
    for path in ("/healthz", "/readyz"):
        response, body = browser.get(path, proxied=False)
        assert response.status == 200, (path, body)
        assert json.loads(body)["ok"] is True
    response, _ = browser.get("/accounts/login/", proxied=False)
    assert response.status == 301
    assert response.headers["Location"].startswith("https://")


def test_an_operator_signs_in_and_posts_a_check_in(stack):
    challenge = _acceleration_challenge(stack)
    browser = Browser(stack.port)
    response, page = browser.get("/accounts/login/")
    assert response.status == 200
    response, _ = browser.post(
        "/accounts/login/",
        {"csrfmiddlewaretoken": csrf_token(page), "username": ADMIN_EMAIL, "password": stack.password},
    )
    assert response.status == 302, "sign-in refused"
    assert "sessionid" in browser.cookies

    path = f"/challenges/{challenge['id']}/"
    response, page = browser.get(path)
    assert response.status == 200
    done = f"Image test check-in {secrets.token_hex(4)}"
    response, body = browser.post(
        f"{path}checkins/",
        {
            "csrfmiddlewaretoken": csrf_token(page),
            "value": challenge["baseline"],
            "done": done,
            "next_steps": "",
            "confidence": "4",
            "version": "",
        },
    )
    assert response.status == 302, body[-3000:]
    response, page = browser.get(path)
    assert done.encode() in page


def test_the_worker_runs_a_clock_tick_and_beat_schedules_work(stack):
    stack.run(
        "python", "manage.py", "shell", "--verbosity", "0", "--command",
        "from challenges.tasks import advance_clock; advance_clock.delay()",
    )  # fmt: skip
    succeeded = re.compile(r"Task challenges\.tasks\.advance_clock\[[^\]]+\] succeeded")
    worker_log = lambda: stack.logs("worker")  # noqa: E731
    wait_for(lambda: succeeded.search(worker_log()), seconds=60, what="a clock tick", stack=stack, role="worker")
    # Beat's every-minute task: sent by beat, run by the worker.
    resent = re.compile(r"Task core\.tasking\.resend_task_outbox\[[^\]]+\] succeeded")
    wait_for(lambda: resent.search(worker_log()), seconds=120, what="beat's first task", stack=stack, role="worker")
    assert "Sending due task resend-task-outbox" in stack.logs("beat")


def test_static_files_are_hashed_compressed_and_cached_for_a_year(stack):
    browser = Browser(stack.port)
    _, page = browser.get("/accounts/login/")
    match = re.search(rb'href="(/static/build/app\.[0-9a-f]{12}\.css)"', page)
    assert match, "the page does not link the hashed stylesheet"
    stylesheet = match.group(1).decode()
    for encoding in ("br", "gzip"):
        response, body = browser.get(stylesheet, headers={"Accept-Encoding": encoding})
        assert response.status == 200
        assert response.headers["Content-Encoding"] == encoding
        assert body
        cache_control = response.headers["Cache-Control"]
        assert "max-age=315360000" in cache_control and "immutable" in cache_control, cache_control
    response, _ = browser.get("/static/build/app.css")
    assert response.status == 200
    assert "immutable" not in response.headers.get("Cache-Control", "")


def json_records(log: str) -> list[dict]:
    return [json.loads(line) for line in log.splitlines() if line.startswith("{")]


def test_web_and_worker_log_json_lines_with_the_request_id(stack):
    browser = Browser(stack.port)
    response, _ = browser.get("/accounts/login/", headers={"X-Request-ID": "image-test-1"})
    assert response.headers["X-Request-ID"] == "image-test-1"
    web = stack.logs("web")
    # Everything the web container logs is a JSON line: gunicorn's own lines and the application's.
    assert all(line.startswith("{") for line in web.splitlines() if line.strip()), web[-3000:]
    requests = [r for r in json_records(web) if r.get("logger") == "accelerators.request"]
    assert {"request_id": "image-test-1", "path": "/accounts/login/", "status": 200} in [
        {key: r.get(key) for key in ("request_id", "path", "status")} for r in requests
    ]
    assert any(r.get("logger") == "gunicorn.error" for r in json_records(web))
    # The worker's task lines carry the task's name and id (its banner on stdout is not a log line).
    ticks = [r for r in json_records(stack.logs("worker")) if r.get("task_name") == "challenges.tasks.advance_clock"]
    assert ticks and all(r["task_id"] for r in ticks)
