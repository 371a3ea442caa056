import contextlib
import os

import pytest
from django.db import connection


def pytest_report_header(config):
    from django.conf import settings

    db = settings.DATABASES["default"]
    return [f"database: {db['ENGINE'].rsplit('.', 1)[-1]} · broker: {settings.CELERY_BROKER_URL.split('@')[-1]}"]


DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_setup"}


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist, slow tests that leave the test database alone (the minute-long load test,
    which brings its own database) go first; otherwise the order is pytest-django's, unchanged.

    The processes take the tests in order, a chunk at a time. pytest-django puts the tests without
    the database last, so the load test would run at the very end while the other process sits idle.
    """
    if not hasattr(config, "workerinput"):
        return

    def slow_without_database(item) -> bool:
        return (
            item.get_closest_marker("slow") is not None
            and item.get_closest_marker("django_db") is None
            and not DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        )

    items.sort(key=lambda item: not slow_without_database(item))


@pytest.fixture(scope="session", autouse=True)
def _empty_tables_with_delete():
    """After a transactional test (live server, worker processes) Django empties every table. On
    PostgreSQL it does so with one TRUNCATE, which costs about 0.3 s for our 45 tables however few
    rows they hold; a DELETE per table in one transaction takes a few milliseconds. The foreign keys
    Django creates are deferrable, so the order of the DELETEs does not matter. Row triggers are
    off for that transaction (``session_replication_role``): a signed pledge refuses any DELETE
    (journey's migration 0002), and emptying the test database is the one delete that is right."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        deletes = [f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};" for table in tables]
        return ["SET CONSTRAINTS ALL DEFERRED;", "SET LOCAL session_replication_role = replica;", *deletes]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", sql_flush)
        yield


@pytest.fixture(scope="session", autouse=True)
def _no_tasks_left_from_an_earlier_run():
    """Tasks that tests send on commit and no worker takes stay on Redis after the run; the next run's
    first Celery worker would take them and run them against a new test database, whose ids start
    again from 1. Empty this test process's own queue (settings/test.py) before its first test."""
    from django.conf import settings

    if not settings.CELERY_BROKER_URL.startswith("redis"):
        return  # the embedded broker's folder is new for each run
    from kombu.exceptions import OperationalError

    from accelerators.celery import app

    with contextlib.suppress(OperationalError, OSError), app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1)
        broker.default_channel.queue_purge(app.conf.task_default_queue)


@pytest.fixture
def on_postgres():
    if connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail("REQUIRE_POSTGRES is set but the tests are not running on PostgreSQL")
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")


@pytest.fixture(autouse=True)
def _language_reset():
    """Each test starts in the default language: a request made by Django's test client leaves its
    language active in the thread, so the next test on the same process would read Arabic."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
