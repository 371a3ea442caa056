"""Production: everything in base, plus HTTPS-only cookies, HSTS and a required secret.

``manage.py check --deploy --fail-level WARNING`` is clean under these settings (a test runs it).
The Content-Security-Policy comes from base (no ``'unsafe-inline'``, ``frame-ancestors 'none'``);
here it also upgrades any stray ``http:`` sub-resource to HTTPS.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .env import env_bool, env_choice, env_int, env_str

SECRET_KEY = env_str("SECRET_KEY")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("dev-insecure"):
    raise ImproperlyConfigured("SECRET_KEY must be set to a random string of at least 50 characters")
DEBUG = False
DEMO_MODE = env_bool("DEMO_MODE", False)

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# Probes from load balancers and orchestrators speak plain HTTP to the process itself and count a
# redirect as a failure; neither says anything private.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# Anyone can send X-Forwarded-Proto; it says the request came over HTTPS only when a proxy of ours set
# it (TRUSTED_PROXY_COUNT in base). Without one, plain HTTP is plain HTTP, whatever the header claims.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXY_COUNT else None  # noqa: F405
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = True
# The CSRF token reaches htmx through <body hx-headers>, so no script needs to read the cookie.
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

CONTENT_SECURITY_POLICY = {
    **CONTENT_SECURITY_POLICY,  # noqa: F405
    "DIRECTIVES": {**CONTENT_SECURITY_POLICY["DIRECTIVES"], "upgrade-insecure-requests": True},  # noqa: F405
}

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False

# JSON lines for the log collector, from web and worker alike: the worker keeps Django's LOGGING
# instead of installing Celery's own text handler on the root logger.
LOG_FORMAT = env_choice("LOG_FORMAT", "json", ["text", "json"])
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT  # noqa: F405
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT == "text"
