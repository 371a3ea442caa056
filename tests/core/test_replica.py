"""core/replica.py without a replica: settings, the write cookie, and a tree with no replica configured.

The real thing (a primary and a streaming replica) is tests/dashboards/test_replica.py.
"""

import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import RequestFactory

from accelerators.settings.env import replica_from_url
from core import replica
from tests.processes import ROOT


def test_it_builds_a_pooled_replica_entry_that_gives_up_quickly():
    config = replica_from_url("DATABASE_REPLICA_URL", "postgres://reader@10.0.0.2:5433/acc", pool_max_size=4, timeout=2)
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("10.0.0.2", 5433, "acc")
    assert config["CONN_MAX_AGE"] == 0
    assert config["OPTIONS"]["connect_timeout"] == 2
    assert config["OPTIONS"]["pool"] == {"min_size": 0, "max_size": 4, "timeout": 2}
    assert "pool" not in replica_from_url("X", "postgres://h/acc", pool_max_size=0, timeout=3)["OPTIONS"]


def test_it_refuses_a_replica_that_is_not_postgresql():
    with pytest.raises(ImproperlyConfigured, match="DATABASE_REPLICA_URL must be a postgres"):
        replica_from_url("DATABASE_REPLICA_URL", "sqlite:///var/x.sqlite3", pool_max_size=0, timeout=2)


def test_settings_refuse_a_replica_of_the_embedded_sqlite():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "accelerators.settings.base",
             "DATABASE_REPLICA_URL": "postgres://127.0.0.1:5433/acc", "VAR_DIR": str(ROOT / "var")},
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert result.returncode != 0
    assert "DATABASE_REPLICA_URL needs DATABASE_URL to name the PostgreSQL primary" in result.stderr


def test_without_a_replica_everything_reads_from_the_primary_and_no_cookie_is_set():
    request = RequestFactory().post("/anything/")
    response = replica.ReadYourWritesMiddleware(lambda request: HttpResponse("ok"))(request)
    assert replica.WRITE_COOKIE not in response.cookies
    with replica.replica_reads(request) as on_replica:
        assert on_replica is False
        assert replica.reading_alias() == "default"

    @replica.reads_from_replica
    def view(request):
        return HttpResponse(replica.reading_alias())

    assert view(RequestFactory().get("/")).content == b"default"


def test_a_write_cookie_counts_only_when_signed_by_us_and_well_formed():
    factory = RequestFactory()
    signed = HttpResponse()
    signed.set_signed_cookie(replica.WRITE_COOKIE, "0/35E26A0", salt=replica._COOKIE_SALT)
    good = factory.get("/", HTTP_COOKIE=f"{replica.WRITE_COOKIE}={signed.cookies[replica.WRITE_COOKIE].value}")
    assert replica.written_position(good) == "0/35E26A0"

    forged = factory.get("/", HTTP_COOKIE=f"{replica.WRITE_COOKIE}=FFFFFFFF/FFFFFFFF:forged:signature")
    assert replica.written_position(forged) is None
    odd = HttpResponse()
    odd.set_signed_cookie(replica.WRITE_COOKIE, "1; DROP TABLE x", salt=replica._COOKIE_SALT)
    malformed = factory.get("/", HTTP_COOKIE=f"{replica.WRITE_COOKIE}={odd.cookies[replica.WRITE_COOKIE].value}")
    assert replica.written_position(malformed) is None
    assert replica.written_position(factory.get("/")) is None
