"""A throwaway redis-server on a spare loopback port, and pointing the Celery app at it."""

import contextlib
import os
import shutil
import socket
import subprocess
import time

from kombu import pools

from accelerators.celery import app

PORTS_PER_PROCESS = 10


def free_port() -> int:
    """A spare port from this test process's own range: 6390-6399 for gw0 (and a run without
    pytest-xdist), 6400-6409 for gw1, ... A port is only probed, not held, and a test that stops its
    redis-server to see the broker down must not find another process's server there when it looks."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    start = 6390 + PORTS_PER_PROCESS * int(worker.removeprefix("gw") or 0)
    for port in range(start, start + PORTS_PER_PROCESS):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no spare port for a test redis-server")


class SpareRedis:
    def __init__(self, port: int):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"

    def start(self) -> None:
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
            ],
            check=True,
            capture_output=True,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.cli("ping").stdout.strip() == "PONG":
                return
            time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        self.cli("shutdown", "nosave")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.cli("ping").returncode == 0:
            time.sleep(0.1)

    def cli(self, *args) -> subprocess.CompletedProcess:
        return subprocess.run(["redis-cli", "-p", str(self.port), *args], capture_output=True, text=True)

    def queue_length(self, queue: str | None = None) -> int:
        """Messages waiting in ``queue``, by default the queue this test process sends to."""
        return int(self.cli("llen", queue or app.conf.task_default_queue).stdout.strip() or 0)


def redis_available() -> bool:
    return bool(shutil.which("redis-server") and shutil.which("redis-cli"))


@contextlib.contextmanager
def celery_broker(url: str):
    """Point this process's Celery app at ``url``, then put everything back."""
    conf = app.conf
    saved = conf.broker_url, conf.broker_transport_options

    def reset_pools():
        app._pool = None
        app.amqp._producer_pool = None
        with contextlib.suppress(Exception):
            pools.reset()  # kombu keeps pools per connection in a process-wide registry

    conf.broker_url, conf.broker_transport_options = url, {"visibility_timeout": 3600}
    reset_pools()
    try:
        yield
    finally:
        conf.broker_url, conf.broker_transport_options = saved
        reset_pools()
