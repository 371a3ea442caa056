import os

import pytest
from django.db import connection


def pytest_report_header(config):
    from django.conf import settings

    db = settings.DATABASES["default"]
    return [f"database: {db['ENGINE'].rsplit('.', 1)[-1]} · broker: {settings.CELERY_BROKER_URL.split('@')[-1]}"]


@pytest.fixture
def on_postgres():
    if connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail("REQUIRE_POSTGRES is set but the tests are not running on PostgreSQL")
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
