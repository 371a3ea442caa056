"""The suite's migrated template database (PostgreSQL under pytest-xdist; tests/conftest.py): made by
the controlling process while the test processes start, cloned by each of them once it is ready."""

from __future__ import annotations

import threading
import traceback

import pytest

# The name of the template, as the controlling process hands it to each test process (workerinput).
TEMPLATE_KEY = "test_db_template"


class TemplateMigration(threading.Thread):
    """Migrates the template database in the controlling process, beside the test processes' start.

    Holds a session advisory lock named after the template from before the test processes start
    until the template is migrated and closed (or dropped, when migrating failed): a test process
    takes and drops the same lock before it clones the template (``wait_for_template``)."""

    def __init__(self, config, template: str):
        super().__init__(name="template-migration", daemon=True)
        self.config, self.template, self.error = config, template, None
        self.lock = _server_connection()  # held until run() ends
        self.lock.execute("SELECT pg_advisory_lock(hashtext(%s))", [template])

    def run(self) -> None:
        from django.conf import settings
        from django.db import connections
        from pytest_django.plugin import blocking_manager_key

        connection = connections["default"]  # this thread's own
        test_settings = connection.settings_dict["TEST"]
        server_name, test_name = connection.settings_dict["NAME"], test_settings.get("NAME")
        test_settings["NAME"] = self.template
        try:
            with self.config.stash[blocking_manager_key].unblock():
                connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        except BaseException as error:  # reported by the test processes and at the session's end
            self.error = error
            traceback.print_exc()
            self.lock.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(self.template)} WITH (FORCE)")
        finally:
            connection.close()
            connection.close_pool()  # a pooled connection (settings/base.py) would keep the template in use
            test_settings["NAME"] = test_name
            connection.settings_dict["NAME"] = settings.DATABASES["default"]["NAME"] = server_name
            self.lock.close()  # lets go of the advisory lock: the test processes may clone the template


def _server_connection():
    """A connection of its own to the PostgreSQL server of the test databases (its ``postgres``
    database, as Django's ``_nodb_cursor``), outside Django and its test-database guard."""
    import psycopg
    from django.db import connections

    server = connections["default"].settings_dict
    params = {name.lower(): server[name] for name in ("HOST", "PORT", "USER", "PASSWORD") if server.get(name)}
    return psycopg.connect(**params, dbname="postgres", autocommit=True)


def wait_for_template(template: str) -> None:
    """In a test process: wait until the controlling process has migrated ``template``."""
    with _server_connection() as server:
        server.execute("SELECT pg_advisory_lock(hashtext(%s))", [template])
        server.execute("SELECT pg_advisory_unlock(hashtext(%s))", [template])
        migrated = server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone()
    if migrated is None:
        pytest.exit(f"the controlling process could not migrate {template}: its traceback is above", returncode=3)


def migrated_template(config) -> str | None:
    """In a test process: the migrated template to clone a database from, once it is ready; None
    outside an xdist run on PostgreSQL."""
    template = getattr(config, "workerinput", {}).get(TEMPLATE_KEY)
    if template:
        wait_for_template(template)
    return template
