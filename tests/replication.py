"""A throwaway PostgreSQL primary and its streaming replica, made on this machine for a test.

Both clusters live in a temporary directory, on free ports of 127.0.0.1, with this machine's own
PostgreSQL binaries (``initdb``, ``pg_ctl``, ``pg_basebackup -R``): the shared server on 5432 and its
configuration are never touched. PostgreSQL refuses to run as root, so as root the clusters run as
the ``postgres`` user.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's binaries (Debian: /usr/lib/postgresql/<major>/bin)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda path: int(Path(path).parent.name))
    candidates = [Path(found[-1])] if found else []
    if shutil.which("pg_ctl"):
        candidates.append(Path(shutil.which("pg_ctl")).parent)
    for directory in candidates:
        if all((directory / tool).exists() for tool in ("initdb", "pg_ctl", "pg_basebackup", "postgres")):
            return directory
    return None


def missing_reason() -> str | None:
    """Why the clusters cannot be made here, or None when they can."""
    if postgres_bin() is None:
        return "no PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup: apt-get install postgresql)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user to run the clusters as"
    return None


def _as_owner(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Cluster:
    data: Path
    port: int
    log: Path

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(self.url(database), autocommit=True, connect_timeout=5)

    def start(self) -> None:
        options = (
            f"-c port={self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.data}"
            " -c max_connections=30 -c shared_buffers=16MB -c fsync=off -c synchronous_commit=off"
            " -c full_page_writes=off -c wal_level=replica -c max_wal_senders=4 -c hot_standby=on"
        )
        _run(_as_owner([str(self._bin("pg_ctl")), "start", "-w", "-t", "60", "-D", str(self.data),
                        "-l", str(self.log), "-o", options]))  # fmt: skip

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            _run(_as_owner([str(self._bin("pg_ctl")), "stop", "-w", "-m", "immediate", "-D", str(self.data)]))

    @staticmethod
    def _bin(tool: str) -> Path:
        return postgres_bin() / tool


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")


class Replication:
    """``primary`` and ``replica`` (a hot standby streaming from it); ``close()`` removes both."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="accelerators-replication-"))
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self.root.chmod(0o700)
        self.primary = Cluster(self.root / "primary", free_port(), self.root / "primary.log")
        self.replica = Cluster(self.root / "replica", free_port(), self.root / "replica.log")

    def create(self) -> None:
        _run(_as_owner([str(Cluster._bin("initdb")), "-D", str(self.primary.data), "-U", "postgres",
                        "--auth=trust", "--no-sync", "--encoding=UTF8", "--locale=C"]))  # fmt: skip
        self.primary.start()
        _run(_as_owner([str(Cluster._bin("pg_basebackup")), "-h", "127.0.0.1", "-p", str(self.primary.port),
                        "-U", "postgres", "-D", str(self.replica.data), "-R", "--checkpoint=fast",
                        "--wal-method=stream", "--no-sync"]))  # fmt: skip
        self.replica.start()
        with self.replica.connect() as connection:
            assert connection.execute("SELECT pg_is_in_recovery()").fetchone()[0], "the replica is not a standby"

    def wait_for_replay(self, timeout: float = 30) -> None:
        """Until the replica has replayed everything the primary has written so far."""
        with self.primary.connect() as primary:
            target = primary.execute("SELECT pg_current_wal_insert_lsn()").fetchone()[0]
        deadline = time.monotonic() + timeout
        with self.replica.connect() as replica:
            while time.monotonic() < deadline:
                if replica.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]).fetchone()[0]:
                    return
                time.sleep(0.05)
        raise AssertionError(f"the replica did not replay up to {target} within {timeout} s")

    def pause_replay(self) -> None:
        with self.replica.connect() as replica:
            replica.execute("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        with self.replica.connect() as replica:
            replica.execute("SELECT pg_wal_replay_resume()")

    def close(self) -> None:
        for cluster in (self.replica, self.primary):
            try:
                cluster.stop()
            except RuntimeError:
                pass
        shutil.rmtree(self.root, ignore_errors=True)
