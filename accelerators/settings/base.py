"""Settings for every environment; runs with no configuration at all (the embedded mode).

With no ``DATABASE_URL`` the platform uses SQLite, and with no ``REDIS_URL`` Celery uses
kombu's ``filesystem://`` transport, both under ``var/``: nothing to install. Production
hardening lives in ``production.py``, test speed-ups in ``test.py``.
"""

from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import (
    database_from_url,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    env_timezone,
    redis_url,
    replica_from_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var"))).resolve()

SECRET_KEY = env_str("SECRET_KEY", "dev-insecure-key-only-for-the-embedded-mode")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
DEMO_MODE = env_bool("DEMO_MODE", True)
# `make run` serves on WEB_PORT (8000 unless set): the links in e-mails and the sign-in banner follow it.
SITE_URL = env_str("SITE_URL", f"http://127.0.0.1:{env_str('WEB_PORT', '8000')}").rstrip("/")

# Telegram's Bot API (telegram_bot/): nothing Telegram is shown or sent without a token. The webhook
# secret is what Telegram sends back in X-Telegram-Bot-Api-Secret-Token (set it with setWebhook).
TELEGRAM_BOT_TOKEN = env_str("TELEGRAM_BOT_TOKEN", "")
TELEGRAM_WEBHOOK_SECRET = env_str("TELEGRAM_WEBHOOK_SECRET", "")
TELEGRAM_BOT_USERNAME = env_str("TELEGRAM_BOT_USERNAME", "")
TELEGRAM_API_URL = env_str("TELEGRAM_API_URL", "https://api.telegram.org")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "simple_history",
    "axes",
    "csp",
    "core",
    "cohorts",
    "members",
    "challenges",
    "journey",
    "program_admin",
    "dashboards",
    "audit",
    "telegram_bot",
    "api",
    # Single sign-on (identity/): django-allauth's social accounts, its OpenID Connect provider, and
    # the UAE PASS and OneID providers of ours. allauth's own account pages are not mounted.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "identity",
    "identity.uaepass",
    "identity.oneid",
    "tooling",
]

MIDDLEWARE = [
    "accelerators.request_id.RequestIdMiddleware",
    # Outermost but for the request id: it reads the primary's WAL position after everything else wrote.
    "core.replica.ReadYourWritesMiddleware",
    # Under /api/ every error is Problem Details, whatever answered it (api/problems.py).
    "api.problems.ProblemResponses",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accelerators.cache_control.PrivatePagesMiddleware",
    "members.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "accelerators.urls"
WSGI_APPLICATION = "accelerators.wsgi.application"
ASGI_APPLICATION = "accelerators.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accelerators.context_processors.ui",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
_database_url = env_str("DATABASE_URL").strip()
if _database_url:
    DATABASES = {"default": database_from_url("DATABASE_URL", _database_url)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "accelerators.sqlite3",
            # The worker, beat and web share one file: wait for locks instead of failing.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# SQLite builds the check-ins' newest-first index without its covering column (the challenge, there
# for PostgreSQL's index-only count; challenges.CheckIn), which is all the embedded mode needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"] if DATABASES["default"]["ENGINE"].endswith("sqlite3") else []
# PostgreSQL connections are bounded per process: psycopg's pool (Django's OPTIONS["pool"]) lends at
# most DATABASE_POOL_MAX_SIZE connections, and a request that finds none free waits up to
# DATABASE_POOL_TIMEOUT seconds. A connection per thread kept for CONN_MAX_AGE let the threaded
# development server, under a scan, fill the server's 100 for every database on it (issue 15,
# point 3). DATABASE_POOL_MAX_SIZE=0 turns the pool off: then each request opens and closes its own.
DATABASE_POOL_MAX_SIZE = env_int("DATABASE_POOL_MAX_SIZE", 4, minimum=0)
DATABASE_POOL_TIMEOUT = env_int("DATABASE_POOL_TIMEOUT", 10, minimum=1)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps connections, never a thread
    if DATABASE_POOL_MAX_SIZE:
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 0,
            "max_size": DATABASE_POOL_MAX_SIZE,
            "timeout": DATABASE_POOL_TIMEOUT,
        }

# A streaming replica (a hot standby of the primary) for the pages that only read: the dashboards'
# views and the JSON API opt in (core/replica.py); every write, everything in a transaction, and the
# reads of a person whose last write the replica has not replayed yet stay on the primary. A replica
# that does not answer within DATABASE_REPLICA_TIMEOUT seconds is passed over for the primary.
DATABASE_REPLICA_PIN_SECONDS = env_int("DATABASE_REPLICA_PIN_SECONDS", 300, minimum=1)
DATABASE_REPLICA_TIMEOUT = env_int("DATABASE_REPLICA_TIMEOUT", 2, minimum=1)
_replica_url = env_str("DATABASE_REPLICA_URL").strip()
if _replica_url:
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs DATABASE_URL to name the PostgreSQL primary")
    DATABASES["replica"] = replica_from_url(
        "DATABASE_REPLICA_URL", _replica_url, pool_max_size=DATABASE_POOL_MAX_SIZE, timeout=DATABASE_REPLICA_TIMEOUT
    )
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
# Prepared statements, for the one kind of statement whose parameters the server binds: the cached
# pages' digests (core.pagecache.digest), the same text for every challenge, cohort or accelerator,
# prepared after its fifth run on a connection and never planned again there (planning was two
# thirds of a challenge page's digest). Every other query binds its values in the client, as Django
# does by default, and is never prepared. DATABASE_PREPARED_STATEMENTS=false for a pooler in front
# of PostgreSQL that cannot keep them (PgBouncer in transaction mode before 1.21).
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)
for _alias in DATABASES:
    if DATABASE_PREPARED_STATEMENTS and DATABASES[_alias]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES[_alias].setdefault("OPTIONS", {})["prepare_threshold"] = 5

# --- Cache, broker ---------------------------------------------------------------------------
REDIS_URL = redis_url("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    # A shared cache on disk, so the web process and the workers never disagree.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }

CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 600, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 660, minimum=1)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The sweep after each tick (challenges/notifications.py): transitions recorded in the last this
# many hours that nobody was told about are notified; younger than the grace, their own task may
# still be on its way.
PHASE_NOTIFY_SWEEP_HOURS = env_int("PHASE_NOTIFY_SWEEP_HOURS", 48, minimum=1)
PHASE_NOTIFY_SWEEP_GRACE_SECONDS = env_int("PHASE_NOTIFY_SWEEP_GRACE_SECONDS", 120, minimum=0)
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "advance-the-clock": {
        "task": "challenges.tasks.advance_clock",
        "schedule": crontab(minute="*/15"),
    },
    "daily-reminders": {
        # Hourly: each accelerator is reminded once its own local time passes 09:00.
        "task": "challenges.tasks.send_due_reminders",
        "schedule": crontab(minute=5),
    },
    "journey-artifact-reminders": {
        # Hourly, like the check-in reminders: once per owner per station, after 09:00 local time.
        "task": "journey.tasks.send_artifact_reminders",
        "schedule": crontab(minute=10),
    },
    "escalate-overdue-blockers": {
        # Hourly: a blocker past its due date (in its accelerator's zone) is escalated to the sponsor once.
        "task": "challenges.tasks.escalate_overdue_blockers",
        "schedule": crontab(minute=35),
    },
    "weekly-sponsor-digest": {
        # Daily; the first run of each week (Monday, UTC) sends each sponsor one digest.
        "task": "challenges.tasks.send_sponsor_digest",
        "schedule": crontab(minute=20, hour=6),
    },
}
# Sends left in the outbox while the broker was down (core/tasking.py).
CELERY_IMPORTS = ["core.tasking", "members.passwords"]
CELERY_BEAT_SCHEDULE["resend-task-outbox"] = {"task": "core.tasking.resend_task_outbox", "schedule": 60.0}
# Telegram (telegram_bot): off unless a bot token is configured; then on per accelerator by its admins.
CELERY_BEAT_SCHEDULE["telegram-send"] = {"task": "telegram_bot.tasks.send_messages", "schedule": 30.0}
CELERY_BEAT_SCHEDULE["telegram-relay"] = {"task": "telegram_bot.tasks.relay_to_telegram", "schedule": 60.0}
# Reports' PDFs (dashboards/services.py): drawn on a queue of their own, so a 25-second WeasyPrint
# job never holds up the clock's notifications; the sweep re-queues a job a lost worker dropped and
# prunes the PDFs nobody asked for in a day.
REPORT_PDF_QUEUE = env_str("REPORT_PDF_QUEUE", "pdf")
REPORT_PDF_TIME_LIMIT = env_int("REPORT_PDF_TIME_LIMIT", 600, minimum=10)
REPORT_PDF_REQUEUE_SECONDS = env_int("REPORT_PDF_REQUEUE_SECONDS", 120, minimum=1)
REPORT_PDF_KEEP_HOURS = env_int("REPORT_PDF_KEEP_HOURS", 24, minimum=1)
CELERY_TASK_ROUTES = {"dashboards.tasks.render_report_pdf": {"queue": REPORT_PDF_QUEUE}}
CELERY_BEAT_SCHEDULE["report-pdf-sweep"] = {"task": "dashboards.tasks.sweep_report_pdfs", "schedule": 60.0}
# The cohorts' change stamps that the cached pages key on, merged so each cohort keeps a few.
CELERY_BEAT_SCHEDULE["compact-cohort-changes"] = {
    "task": "dashboards.tasks.compact_cohort_changes",
    "schedule": crontab(minute="7,22,37,52"),
}
CELERY_BEAT_SCHEDULE_FILENAME = env_str("CELERY_BEAT_SCHEDULE_FILENAME", str(VAR_DIR / "celerybeat-schedule"))

# --- Auth ------------------------------------------------------------------------------------
AUTH_USER_MODEL = "cohorts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = env_int("INVITATION_LIFETIME_SECONDS", 7 * 24 * 3600, minimum=60)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
# Per client address (from the trusted proxies), whatever the usernames, with a pause that doubles
# with each lockout: anyone could lock an account out per (username, proxy address) (members/lockout.py).
AXES_COOLOFF_TIME = "members.lockout.cool_off"
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_CLIENT_IP_CALLABLE = "core.proxies.client_ip"
AXES_USE_ATTEMPT_EXPIRATION = True  # each failure expires on its own (see record_lockout)
AXES_RESET_ON_SUCCESS = True
# The login form posts the e-mail as "username"; axes would otherwise look for USERNAME_FIELD ("email"),
# find nothing and count every failure against an empty username.
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"  # translated page, HTTP 429
AXES_VERBOSE = False  # no "AXES: BEGIN …" banner on every management command

# --- Single sign-on (identity/) -----------------------------------------------------------------
# Providers are allauth SocialApps in the database, tied to accelerators by identity.SignInSettings.
# allauth signs people in through our adapters (identity/adapters.py): no sign-up form, no local
# account pages of its own, no e-mail of its own; an identity is linked only to a person the
# accelerator knows (matched by a verified address) or, when the accelerator allows it, made for an
# address of an allowed domain.
ACCOUNT_ADAPTER = "identity.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "identity.adapters.SocialAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*"]
ACCOUNT_EMAIL_VERIFICATION = "none"  # only addresses the provider says it verified are ever matched
ACCOUNT_SESSION_REMEMBER = False  # the session ends with the browser, as for passwords
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # matching is ours (identity/rules.py), not allauth's
SOCIALACCOUNT_LOGIN_ON_GET = False  # a login starts only from a POST with a CSRF token
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = env_int("SOCIALACCOUNT_REQUESTS_TIMEOUT", 10, minimum=1)
SOCIALACCOUNT_PROVIDERS = {
    # allauth's OpenID Connect provider, with the ID token's signature always checked and a nonce
    # (identity/oidc.py); PKCE on unless a SocialApp's settings say "oauth_pkce_enabled": false.
    "openid_connect": {"provider_class": "identity.oidc.CheckedOpenIDConnectProvider", "OAUTH_PKCE_ENABLED": True},
    "uaepass": {"OAUTH_PKCE_ENABLED": False},
    "oneid": {"OAUTH_PKCE_ENABLED": False},
}

# --- Languages -------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("ar", _("Arabic")),
    ("uz", _("Uzbek")),
    ("ru", _("Russian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date style, one date-time style and one number style per language (core/l10n.py).
FORMAT_MODULE_PATH = ["core.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_timezone("TIME_ZONE", "UTC")
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600

# --- Static, media ---------------------------------------------------------------------------
STATIC_URL = "/static/"
# Only what pages load: the built CSS (with its fonts) and the scripts. static/src/ is the build's
# input; its @fontsource imports resolve only inside node_modules, so the manifest storage of
# collectstatic must never see it.
STATICFILES_DIRS = [
    ("build", BASE_DIR / "static" / "build"),
    ("js", BASE_DIR / "static" / "js"),
    ("css", BASE_DIR / "static" / "css"),  # the reports' print and PDF stylesheet
    ("icons", BASE_DIR / "static" / "icons"),  # the favicon, linked from base.html
]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
if not env_str("STATIC_ROOT"):
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # embedded mode: silences WhiteNoise's warning
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG  # pick up a rebuilt app.css without a restart while developing
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
# An XLSX workbook is a zip: what it may unpack to, and how much smaller than that it may be
# (a zip bomb is tiny and huge), checked before it is opened; then its rows are read in a child
# process with at most this address space and CPU time, and at most this many rows and columns
# (program_admin/workbooks.py).
IMPORT_XLSX_MAX_UNPACKED_BYTES = env_int("IMPORT_XLSX_MAX_UNPACKED_BYTES", 50 * 1024 * 1024, minimum=1024 * 1024)
IMPORT_XLSX_MAX_RATIO = env_int("IMPORT_XLSX_MAX_RATIO", 100, minimum=10)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 20_000, minimum=1)
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 100, minimum=20)
IMPORT_PARSE_MEMORY_BYTES = env_int("IMPORT_PARSE_MEMORY_BYTES", 768 * 1024 * 1024, minimum=256 * 1024 * 1024)
IMPORT_PARSE_SECONDS = env_int("IMPORT_PARSE_SECONDS", 30, minimum=1)
# How long a removed team seat (or a replaced team lead) can be restored with "Undo".
SEAT_UNDO_MINUTES = env_int("SEAT_UNDO_MINUTES", 10, minimum=1)

# --- Email -----------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "accelerators@localhost")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)

# --- Security (tightened further in production.py) -------------------------------------------
# How many reverse proxies stand in front of the app, each setting X-Forwarded-Proto and appending
# to X-Forwarded-For. 0 (the default): none, so those headers come from the client and mean nothing.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Logs go to stderr, one line per record: "text" for people at a terminal (the default here),
# "json" for log collectors (the default in production). Every record of a request, and of the
# tasks it queued, carries its request id (accelerators/request_id.py).
LOG_FORMAT = env_choice("LOG_FORMAT", "text", ["text", "json"])
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "accelerators.request_id.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
# Celery's worker replaces the root logger's handlers with its own text ones unless told not to.
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT == "text"

# --- The API (api/) ----------------------------------------------------------------------------
API_PATH_PREFIX = "/api/"
# Requests per token (or signed-in person) per window of API_RATE_WINDOW seconds, counted in the cache.
API_RATE_LIMIT = env_int("API_RATE_LIMIT", 120, minimum=1)
API_RATE_WINDOW = env_int("API_RATE_WINDOW", 60, minimum=1)
# Webhook retries: 30 s doubling up to an hour, 8 times (about 3 hours in all), then failed.
WEBHOOK_RETRY_FACTOR = env_int("WEBHOOK_RETRY_FACTOR", 30, minimum=0)
WEBHOOK_RETRY_MAX = env_int("WEBHOOK_RETRY_MAX", 3600, minimum=0)
