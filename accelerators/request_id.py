"""A request id on every log line of a request, and of the Celery tasks that request queued.

The id comes from the ``X-Request-ID`` header when a proxy in front set a sane one, otherwise it is
made here; the response carries it back, so a person reporting a problem can quote it. Tasks queued
while a request is handled carry it in a message header; the worker puts it on its own log lines
(with the task's name and id), so one grep finds the page view and the work it caused.
"""

import contextvars
import logging
import re
import time
import uuid

from celery import current_task
from celery.signals import before_task_publish, task_postrun, task_prerun

HEADER = "X-Request-ID"
# Anything else in the header (a log-injection attempt, a novel) is replaced by an id of our own.
_SANE = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# Load balancers' and orchestrators' probes, every few seconds: logged only at DEBUG.
_PROBES = {"/healthz", "/readyz"}

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
access_logger = logging.getLogger("accelerators.request")


def current_request_id() -> str | None:
    return _current.get()


class RequestIdMiddleware:
    """Outermost middleware: sets the request id, logs one line per request with its outcome."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(HEADER, "")
        request_id = incoming if _SANE.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = _current.set(request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            level = logging.DEBUG if request.path in _PROBES and response.status_code < 400 else logging.INFO
            access_logger.log(
                level,
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
            return response
        finally:
            _current.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` (and, in a worker, ``task_name`` and ``task_id``) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _current.get()
        task = current_task
        if task and getattr(task.request, "id", None):
            record.task_name = task.name
            record.task_id = task.request.id
        return True


@before_task_publish.connect
def _send_the_request_id_with_the_task(headers=None, **kwargs):
    request_id = _current.get()
    if request_id and headers is not None:
        headers.setdefault("request_id", request_id)


_task_tokens: dict[str, contextvars.Token] = {}


@task_prerun.connect
def _take_the_request_id_from_the_task(task_id=None, task=None, **kwargs):
    request_id = getattr(task.request, "request_id", None) if task else None
    _task_tokens[task_id] = _current.set(request_id if isinstance(request_id, str) else None)


@task_postrun.connect
def _forget_the_tasks_request_id(task_id=None, **kwargs):
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        _current.reset(token)
