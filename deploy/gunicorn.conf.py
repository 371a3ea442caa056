"""gunicorn's settings in the image: its own log lines (start-up, worker restarts, timeouts) as JSON,
like the application's (accelerators/settings: LOG_FORMAT).

Requests are logged by the application itself (accelerators/request_id.py: one line per request
with its request id), so gunicorn's access log stays off.
"""

import os

_json = os.environ.get("LOG_FORMAT", "json").strip().lower() == "json"

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "error_console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if _json else "text",
            "stream": "ext://sys.stderr",
        },
    },
    # gunicorn merges this over its defaults one key deep: every logger and handler is named here.
    "root": {"level": "INFO", "handlers": ["error_console"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
    },
}
