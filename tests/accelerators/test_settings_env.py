"""Malformed settings stop the process at start-up with a message naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from accelerators.settings import env

ROOT = Path(__file__).resolve().parents[2]


def start(**variables) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    environment.update(variables, DJANGO_SETTINGS_MODULE="accelerators.settings.base")
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("url", ["mysql://x@y/z", "postgres://", "not a url"])
def test_a_malformed_database_url_fails_clearly(url):
    result = start(DATABASE_URL=url)
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_a_malformed_redis_url_fails_clearly():
    result = start(REDIS_URL="http://127.0.0.1:6379")
    assert result.returncode != 0
    assert "REDIS_URL must start with redis://" in result.stderr


def test_no_configuration_at_all_starts(tmp_path):
    result = start(VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "broker" / "queue").is_dir()


def test_helpers_reject_bad_values(monkeypatch):
    monkeypatch.setenv("X_BOOL", "maybe")
    monkeypatch.setenv("X_INT", "ten")
    monkeypatch.setenv("X_TZ", "Mars/Olympus")
    with pytest.raises(ImproperlyConfigured, match="X_BOOL"):
        env.env_bool("X_BOOL")
    with pytest.raises(ImproperlyConfigured, match="X_INT"):
        env.env_int("X_INT", 1)
    with pytest.raises(ImproperlyConfigured, match="X_TZ"):
        env.env_timezone("X_TZ", "UTC")


def test_secrets_can_come_from_files(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert env.env_str("X_SECRET") == "from-a-file"
