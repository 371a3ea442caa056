"""Run the production image with podman against this machine's PostgreSQL and Redis (host network).

Used by the slow tier (tests/deploy/test_image.py); nothing here runs unless podman is installed.
"""

import http.client
import os
import re
import shutil
import subprocess
import urllib.parse
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONTAINERS_CONF = ROOT / "deploy" / "containers.conf"


def podman_environment() -> dict[str, str]:
    return {**os.environ, "CONTAINERS_CONF": os.environ.get("CONTAINERS_CONF", str(CONTAINERS_CONF))}


def podman(*args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        ["podman", "--runtime", "runc", *args],
        env=podman_environment(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"podman {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def podman_available() -> bool:
    return bool(shutil.which("podman") and shutil.which("runc") and shutil.which("debootstrap"))


def build_image(tag: str, *options: str) -> subprocess.CompletedProcess:
    """`make image`'s script: the cached Debian base, then the Dockerfile on top of it."""
    return subprocess.run(
        ["bash", str(ROOT / "scripts" / "build_image.sh"), *options],
        cwd=ROOT,
        env={**podman_environment(), "IMAGE": tag},
        capture_output=True,
        text=True,
        timeout=1500,
    )


@dataclass
class Stack:
    """Containers of one image sharing an environment; every one of them is removed at the end."""

    image: str
    environment: dict[str, str]
    prefix: str = field(default_factory=lambda: f"accelerators-test-{uuid.uuid4().hex[:8]}")
    started: list[str] = field(default_factory=list)

    def _env_args(self, extra: dict[str, str]) -> list[str]:
        args = []
        for name, value in {**self.environment, **extra}.items():
            args += ["--env", f"{name}={value}"]
        return args

    def run(self, *command: str, timeout: float = 300, **extra_env: str) -> subprocess.CompletedProcess:
        """A one-shot container (migrate, createsuperuser, …); fails the test if it fails."""
        return podman(
            "run", "--rm", "--network", "host", *self._env_args(extra_env), self.image, *command, timeout=timeout
        )

    def start(self, role: str, *command: str, **extra_env: str) -> str:
        name = f"{self.prefix}-{role}"
        self.started.append(name)
        podman("run", "--detach", "--network", "host", "--name", name, *self._env_args(extra_env), self.image, *command)
        return name

    def logs(self, role: str) -> str:
        result = podman("logs", f"{self.prefix}-{role}", check=False)
        return result.stdout + result.stderr

    def is_running(self, role: str) -> bool:
        result = podman("inspect", "--format", "{{.State.Running}}", f"{self.prefix}-{role}", check=False)
        return result.stdout.strip() == "true"

    def remove(self) -> None:
        for name in reversed(self.started):
            podman("rm", "--force", "--time", "5", name, check=False, timeout=60)


class Browser:
    """Plain HTTP to gunicorn, as from a TLS-terminating proxy: X-Forwarded-Proto says https, so the
    Secure cookies are kept and sent back here by hand (an HTTP client would drop them). With
    ``scheme="http"`` and ``proxied=False``, a client of the compose stack's nginx on plain HTTP."""

    def __init__(self, port: int, *, scheme: str = "https"):
        self.port = port
        self.scheme = scheme
        self.host = f"127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, *, form: dict | None = None, headers: dict | None = None, proxied=True):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {"Host": self.host, **(headers or {})}
        if proxied:
            sent["X-Forwarded-Proto"] = "https"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            sent.update({"Content-Type": "application/x-www-form-urlencoded", "Origin": f"{self.scheme}://{self.host}"})
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response, content

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path: str, form: dict, **kwargs):
        return self.request("POST", path, form=form, **kwargs)


def csrf_token(page: bytes) -> str:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1).decode()
