"""docker-compose.yml brought up whole with podman-compose, from the repository's own files (slow tier).

The images: the production image (`make image`'s script) and PostgreSQL, Redis and nginx built the
same way from Debian packages (``scripts/build_image.sh --services``), all cached in podman's
storage. The compose file is used as written, with its secrets as files in a scratch project
directory and the image names given through its variables; the stack's own network, the
``pgdata`` and ``redisdata`` volumes, healthchecks and the one-shot ``migrate`` are compose's.

Debian's podman 4.3 cannot wait for ``service_healthy`` (podman-compose says so and ignores the
condition), and without systemd it never runs healthchecks on its own. So the test starts the
services in the order the file's ``depends_on`` gives, itself enforcing each condition: it runs a
service's healthcheck (``podman healthcheck run``) until it passes before starting what needs it
healthy, and waits for ``migrate`` to exit 0 before starting what needs it completed. Through the
proxy it then checks the probes, the trusted-proxy settings, a sign-in and a page; then
``down -v`` removes containers, network and volumes.

Skipped unless podman, runc and debootstrap are installed, or REQUIRE_IMAGE=1 (CI).
"""

import json
import os
import secrets
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from tests.deploy.containers import ROOT, Browser, build_image, csrf_token, podman, podman_available, podman_environment

pytestmark = pytest.mark.slow

IMAGE = os.environ.get("TEST_IMAGE", "localhost/accelerators:test")
COMPOSE_VENV = Path(
    os.environ.get("COMPOSE_CHECK_VENV", Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")))
    / "accelerators"
    / "compose-check"
)
ADMIN_EMAIL = "operator@compose-test.example"


def _require(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("REQUIRE_IMAGE") == "1":
        pytest.fail(f"REQUIRE_IMAGE=1 but {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Compose:
    """podman-compose on one project directory, with the environment the compose file reads."""

    def __init__(self, directory: Path, environment: dict[str, str]):
        self.directory = directory
        self.project = f"accelerators-compose-{uuid.uuid4().hex[:6]}"
        self.environment = {**podman_environment(), **environment}
        self.spec = json.loads(
            subprocess.run(
                [str(COMPOSE_VENV / "bin" / "python"), "-c",
                 "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
                 str(directory / "docker-compose.yml")],
                capture_output=True, text=True, check=True,
            ).stdout
        )  # fmt: skip

    def __call__(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [str(COMPOSE_VENV / "bin" / "podman-compose"), "--podman-args=--runtime=runc", "-p", self.project, *args],
            cwd=self.directory,
            env=self.environment,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, (
            f"podman-compose {' '.join(args)}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
        return result

    def container(self, service: str) -> str:
        return f"{self.project}_{service}_1"

    def logs(self, service: str) -> str:
        result = podman("logs", self.container(service), check=False)
        return (result.stdout + result.stderr)[-4000:]

    def wait_healthy(self, service: str, seconds: float = 180) -> float:
        """Run the service's own healthcheck until it passes; how long that took."""
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            if podman("healthcheck", "run", self.container(service), check=False).returncode == 0:
                return time.monotonic() - started
            time.sleep(1)
        pytest.fail(f"{service} never became healthy; its log:\n{self.logs(service)}")

    def wait_completed(self, service: str, seconds: float = 300) -> None:
        code = podman("wait", self.container(service), timeout=seconds).stdout.strip()
        assert code == "0", f"{service} exited with {code}; its log:\n{self.logs(service)}"

    def up_in_dependency_order(self) -> list[str]:
        """``up --no-deps`` one service at a time once every ``depends_on`` condition holds."""
        services = self.spec["services"]
        started: list[str] = []
        while len(started) < len(services):
            ready = [
                name
                for name, service in services.items()
                if name not in started and all(dep in started for dep in service.get("depends_on", {}))
            ]
            assert ready, f"depends_on has a cycle among {set(services) - set(started)}"
            for name in ready:
                for dependency, rule in services[name].get("depends_on", {}).items():
                    condition = rule.get("condition", "service_started")
                    if condition == "service_healthy":
                        self.wait_healthy(dependency)
                    elif condition == "service_completed_successfully":
                        self.wait_completed(dependency)
                self("up", "-d", "--no-deps", name)
                started.append(name)
        return started


@pytest.fixture(scope="module")
def images() -> dict[str, str]:
    _require(podman_available(), "no podman, runc and debootstrap (apt-get install podman runc debootstrap)")
    check = subprocess.run(["bash", str(ROOT / "scripts" / "check_compose.sh")], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr  # also makes podman-compose's virtualenv
    result = build_image(IMAGE, "--services")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-6000:]
    tags = next(line for line in result.stdout.splitlines() if line.startswith("build_image: POSTGRES_IMAGE="))
    return {"APP_IMAGE": IMAGE, **dict(pair.split("=", 1) for pair in tags.removeprefix("build_image: ").split())}


@pytest.fixture(scope="module")
def stack(images, tmp_path_factory):
    directory = tmp_path_factory.mktemp("compose")
    shutil.copy(ROOT / "docker-compose.yml", directory)
    (directory / "deploy").mkdir()
    shutil.copy(ROOT / "deploy" / "nginx.conf", directory / "deploy")
    # As scripts/make_secrets.sh writes them (read by the containers' own users through bind mounts).
    (directory / "secrets").mkdir(mode=0o700)
    password = secrets.token_urlsafe(24)
    for name, value in {
        "secret_key": secrets.token_urlsafe(48),
        "postgres_password": password,
        "database_url": f"postgres://accelerators:{password}@postgres:5432/accelerators",
    }.items():
        (directory / "secrets" / name).write_text(value + "\n")
        (directory / "secrets" / name).chmod(0o644)
    port = _free_port()
    compose = Compose(
        directory,
        {
            **images,
            "PROXY_PORT": f"127.0.0.1:{port}",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{port}",
            "SITE_URL": f"http://127.0.0.1:{port}",
        },
    )
    compose.port = port
    started = time.monotonic()
    try:
        compose.order = compose.up_in_dependency_order()
        compose.wait_healthy("proxy")
        compose.up_seconds = time.monotonic() - started
        print(f"compose stack up in {compose.up_seconds:.0f} s: {' → '.join(compose.order)}")
        yield compose
    finally:
        compose("down", "-v", "--timeout", "5", timeout=180)


def test_the_stack_comes_up_in_dependency_order_with_every_healthcheck_passing(stack):
    assert stack.order.index("migrate") > stack.order.index("postgres")
    for service in ("web", "worker", "beat"):
        assert stack.order.index(service) > stack.order.index("migrate")
    assert stack.order[-1] == "proxy"
    state = podman("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", stack.container("migrate"))
    assert state.stdout.split() == ["exited", "0"]
    for service in ("postgres", "redis", "web", "worker", "proxy"):
        stack.wait_healthy(service, seconds=60)
    assert podman("inspect", "--format", "{{.State.Running}}", stack.container("beat")).stdout.strip() == "true"
    volumes = podman("volume", "ls", "--format", "{{.Name}}").stdout.split()
    assert f"{stack.project}_pgdata" in volumes and f"{stack.project}_redisdata" in volumes
    # PostgreSQL keeps its data in the volume, made on first start from the password file.
    data = podman("exec", stack.container("postgres"), "ls", "/var/lib/postgresql/data").stdout.split()
    assert "PG_VERSION" in data


def test_the_probes_answer_through_the_proxy_unredirected_and_a_forged_scheme_is_not_believed(stack):
    browser = Browser(stack.port, scheme="http")
    for path in ("/healthz", "/readyz"):
        response, body = browser.get(path, proxied=False)
        assert response.status == 200, (path, body)
        assert json.loads(body)["ok"] is True
        assert response.headers["Server"] == "nginx"
    # nginx overwrites X-Forwarded-Proto with the scheme it was reached by; the app trusts that one
    # hop (TRUSTED_PROXY_COUNT=1), so a client claiming https over plain HTTP gets no HSTS header.
    response, _ = browser.get("/accounts/login/", headers={"X-Forwarded-Proto": "https"}, proxied=False)
    assert response.status == 200
    assert "Strict-Transport-Security" not in response.headers
    assert response.headers["X-Request-ID"]


def test_an_operator_signs_in_through_the_proxy(stack):
    password = secrets.token_urlsafe(18)
    podman(
        "exec", "--env", f"DJANGO_SUPERUSER_PASSWORD={password}", stack.container("web"),
        "python", "manage.py", "createsuperuser", "--noinput", "--email", ADMIN_EMAIL, timeout=120,
    )  # fmt: skip
    browser = Browser(stack.port, scheme="http")
    response, page = browser.get("/accounts/login/", proxied=False)
    assert response.status == 200
    response, body = browser.post(
        "/accounts/login/",
        {"csrfmiddlewaretoken": csrf_token(page), "username": ADMIN_EMAIL, "password": password},
        proxied=False,
    )
    assert response.status == 302, body[-3000:]
    assert "sessionid" in browser.cookies
    response, _ = browser.get("/dashboards/", proxied=False)
    assert response.status == 200  # signed in: an anonymous reader is sent to the login page
    # nginx made the request id, gunicorn answered under it, and both logged it.
    request_id = response.headers["X-Request-ID"]
    deadline = time.monotonic() + 10
    while request_id not in stack.logs("proxy") and time.monotonic() < deadline:
        time.sleep(0.5)
    assert request_id in stack.logs("proxy")
    assert request_id in stack.logs("web")
