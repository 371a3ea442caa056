import contextlib
import os

import pytest
from django.db import connection

from tests.template_database import TEMPLATE_KEY, TemplateMigration, migrated_template


def pytest_report_header(config):
    from django.conf import settings

    db = settings.DATABASES["default"]
    return [f"database: {db['ENGINE'].rsplit('.', 1)[-1]} · broker: {settings.CELERY_BROKER_URL.split('@')[-1]}"]


DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_setup"}


# --- One migrated test database, cloned for each pytest-xdist process ----------------------------
# Running every migration takes about 20 s on a quiet machine (several times that under load), and
# each test process used to do it for its own database. Under pytest-xdist on PostgreSQL the
# controlling process migrates one template database while the test processes start and collect
# (about 12 s of CPU each); each process then creates its own test database from it (``CREATE
# DATABASE ... TEMPLATE``, Django's ``TEST TEMPLATE`` setting), where ``migrate`` finds nothing left
# to do, once the controller lets go of an advisory lock it holds while it migrates. Not with
# ``--reuse-db`` (the processes keep their own databases) nor on SQLite (a file per process, made as
# before). tests/core/test_migrations_keep_rows.py still runs the migrations themselves, forwards.
_template_key = pytest.StashKey[str]()
_migrating_key = pytest.StashKey[TemplateMigration]()


def _template_database(config) -> str | None:
    """The name of the template to make, in the controlling process of an xdist run on PostgreSQL."""
    if hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None):
        return None
    if config.option.reuse_db or config.option.collectonly or config.getvalue("nomigrations"):
        return None
    from django.db import connections

    if connections["default"].vendor != "postgresql":
        return None
    return f"{connections['default'].creation._get_test_db_name()}_template"


def pytest_sessionstart(session):
    template = _template_database(session.config)
    if template is None:
        return
    migration = TemplateMigration(session.config, template)
    migration.start()
    session.config.stash[_template_key] = template
    session.config.stash[_migrating_key] = migration


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """pytest-xdist: tell each test process the template to create its database from."""
    template = node.config.stash.get(_template_key, None)
    if template:
        node.workerinput[TEMPLATE_KEY] = template


def pytest_sessionfinish(session):
    template = session.config.stash.get(_template_key, None)
    if template is None:
        return
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    migration = session.config.stash[_migrating_key]
    migration.join()
    with session.config.stash[blocking_manager_key].unblock(), connections["default"]._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {connections['default'].ops.quote_name(template)} WITH (FORCE)")
    if migration.error is not None:
        session.exitstatus = pytest.ExitCode.INTERNAL_ERROR


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, request):
    """pytest-django's hook for the test database's settings: a test process of an xdist run on
    PostgreSQL creates its database from the controlling process's migrated template."""
    template = migrated_template(request.config)
    if template:
        from django.conf import settings

        settings.DATABASES["default"]["TEST"]["TEMPLATE"] = template


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist, slow tests that leave the test database alone (the minute-long load test,
    which brings its own database) go first; otherwise the order is pytest-django's, unchanged.

    Each process starts on its own share of the tests, in order, and takes half of another's rest
    once its own are done (``--dist worksteal``). pytest-django puts the tests without the database
    last, so the load test would start at the very end, with nothing left to run beside it.
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


@pytest.fixture(scope="module")
def _standard_world_of_the_module(django_db_setup, django_db_blocker):
    """tests/access_world.py's world, built once per test module in a test process rather than once
    per test: it is kept in a transaction rolled back after the module, and each test runs in a
    savepoint inside it (pytest-django's ``db``), so whatever a test writes is undone before the next."""
    from django.db import transaction

    from tests.access_world import build_world

    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def standard_world(_standard_world_of_the_module, db):
    """The module's standard world, as ``build_world()`` leaves it: its tokens used a moment ago, so a
    refused request records no use (tests/access_world.build_tokens)."""
    from django.utils import timezone

    from api.models import ApiToken

    ApiToken.objects.update(last_used_at=timezone.now())
    return _standard_world_of_the_module


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
