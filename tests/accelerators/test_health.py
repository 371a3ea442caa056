"""Liveness (/healthz) and readiness (/readyz): what load balancers and orchestrators probe."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]
UNREACHABLE_REDIS = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
}

pytestmark = pytest.mark.django_db


def test_it_is_alive(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"ok": True}


def test_it_is_ready_when_the_database_and_the_cache_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "database": "ok", "cache": "ok"}


def test_it_is_not_ready_without_the_cache(client):
    with override_settings(CACHES=UNREACHABLE_REDIS):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"ok": False, "database": "ok", "cache": "unavailable"}


def test_it_is_not_ready_without_the_database(client):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("connection refused")):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"ok": False, "database": "unavailable", "cache": "ok"}


def test_readiness_only_answers_get(client):
    assert client.post("/readyz").status_code == 405


PROBE = """
import json, django
django.setup()
from django.test import Client
client = Client()
print(json.dumps({path: client.get(path).status_code for path in ("/healthz", "/readyz", "/", "/accounts/login/")}))
"""


def test_production_never_redirects_the_probes_to_https(tmp_path):
    ignored = {"DATABASE_URL", "REDIS_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in ignored}
    environment.update(
        DJANGO_SETTINGS_MODULE="accelerators.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="testserver",
        VAR_DIR=str(tmp_path),
        STATIC_ROOT=str(tmp_path / "static"),
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    statuses = json.loads(result.stdout.strip().splitlines()[-1])
    assert statuses == {"/healthz": 200, "/readyz": 200, "/": 301, "/accounts/login/": 301}
