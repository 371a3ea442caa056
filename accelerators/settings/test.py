"""Test settings: fast hashing, mail kept in memory; the database is whatever DATABASE_URL says."""

import os
from pathlib import Path

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
AXES_ENABLED = False
DEMO_MODE = False
# WhiteNoise as in production: it serves what collectstatic left in STATIC_ROOT (nothing, here), not
# every file the finders know. With the finders it read all 200-odd static files each time a test
# client loaded the middleware, 10 ms for each test's client. The live server serves the static
# files itself (pytest-django's StaticFilesHandler); the production image's tests use its settings.
WHITENOISE_USE_FINDERS = False
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # A file, not memory, so a real worker process can share the test database; one per run,
    # so suites running side by side do not trample each other.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405
elif os.environ.get("TEST_DB_SUFFIX"):
    DATABASES["default"]["TEST"] = {"NAME": f"test_accelerators_{os.environ['TEST_DB_SUFFIX']}"}  # noqa: F405
if "replica" in DATABASES:  # noqa: F405
    # Tests write and read one database; the real replica is made by tests/replication.py.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # noqa: F405
# Under pytest-xdist, pytest-django appends the worker id (``_gw0``) to the test database's name, so
# each test process has its own; processes the tests start are given that name (tests/processes.py).

# The suite runs in several pytest-xdist processes (PYTEST_XDIST_WORKER=gw0, gw1, ...) that share one
# broker: each sends to, and starts its Celery workers on, a queue of its own, so a worker never runs
# another process's task against the wrong test database, nor one from a `make run` worker's queue.
# Inherited by worker processes the tests start, so they listen where their test process sends.
CELERY_TASK_DEFAULT_QUEUE = "-".join(
    filter(None, ["tests", os.environ.get("TEST_DB_SUFFIX"), os.environ.get("PYTEST_XDIST_WORKER")])
)
# The reports' PDFs go to this process's own PDF queue; tests/processes.py's workers consume both.
REPORT_PDF_QUEUE = f"{CELERY_TASK_DEFAULT_QUEUE}-pdf"
CELERY_TASK_ROUTES = {"dashboards.tasks.render_report_pdf": {"queue": REPORT_PDF_QUEUE}}

if CELERY_BROKER_URL == "filesystem://":  # noqa: F405
    # Keep test tasks away from a `make run` worker that may be running beside the suite.
    # Inherited by worker processes the tests start, so they listen where the tests send.
    _test_queue = Path(os.environ.setdefault("TEST_BROKER_DIR", str(VAR_DIR / f"test-broker-{os.getpid()}")))  # noqa: F405
    (_test_queue / "queue").mkdir(parents=True, exist_ok=True)
    (_test_queue / "processed").mkdir(parents=True, exist_ok=True)
    (_test_queue / "control").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_test_queue / "queue"),
        "data_folder_out": str(_test_queue / "queue"),
        "processed_folder": str(_test_queue / "processed"),
        "control_folder": str(_test_queue / "control"),
        "store_processed": False,
    }
