"""Read settings from the environment, failing loudly on malformed values.

Every helper names the variable it read in its error, so a typo in a deployment's
environment stops the process at start-up instead of surfacing as a 500 later.
A variable ``NAME_FILE`` (a path) is read in place of ``NAME`` for secrets mounted as files.
"""

import os
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {file_path!r}: {exc}") from exc
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: list[str]) -> str:
    value = os.environ.get(name, default).strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def env_timezone(name: str, default: str) -> str:
    value = os.environ.get(name, default)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(f"{name} must be an IANA time zone, got {value!r}") from None
    return value


def database_from_url(name: str, url: str, *, conn_max_age: int = 60) -> dict:
    """Parse a ``postgres://`` or ``sqlite:///`` URL into a Django DATABASES entry."""
    import dj_database_url

    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        raise ImproperlyConfigured(f"{name} must start with postgres:// or sqlite:///, got scheme {parsed.scheme!r}")
    if parsed.scheme != "sqlite" and not parsed.hostname and not parsed.path.strip("/"):
        raise ImproperlyConfigured(f"{name} has no host or database name: {url!r}")
    try:
        config = dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is malformed: {exc}") from exc
    if parsed.scheme != "sqlite" and not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} names no database: {url!r}")
    return config


def replica_from_url(name: str, url: str, *, pool_max_size: int, timeout: int) -> dict:
    """A PostgreSQL replica's DATABASES entry: no connection kept per thread, psycopg's pool when
    ``pool_max_size``, and ``timeout`` seconds at most to connect or to wait for a pooled connection
    (a replica that does not answer is passed over for the primary, core/replica.py)."""
    config = database_from_url(name, url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(f"{name} must be a postgres:// URL, got {url!r}")
    config["CONN_MAX_AGE"] = 0
    config.setdefault("OPTIONS", {})["connect_timeout"] = timeout
    if pool_max_size:
        config["OPTIONS"]["pool"] = {"min_size": 0, "max_size": pool_max_size, "timeout": timeout}
    return config


def redis_url(name: str) -> str:
    url = os.environ.get(name, "").strip()
    if url and urlparse(url).scheme not in {"redis", "rediss"}:
        raise ImproperlyConfigured(f"{name} must start with redis:// or rediss://, got {url!r}")
    return url
