"""Structured logs: one JSON object per line, with the ids that tie a line to its cause.

Every record carries ``request_id`` while a web request is handled (taken from the caller's
``X-Request-ID`` when it is sane, generated otherwise) and ``job_id`` (plus ``event_id`` for an
event handler's job, whose id is derived from the outbox row) inside an RQ job. Set up once by
a process at start (app factory, worker), never at import.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import uuid
from datetime import UTC, datetime
from typing import Any

#: The request being handled by this thread (web), for log records.
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "doorstep_request_id", default=None
)
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_EVENT_JOB = re.compile(r"ev-(\d+)-")
_HANDLER_MARK = "_doorstep_handler"
# Attributes every LogRecord has; anything else was passed with ``extra=`` and is kept.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def request_id_from(header: str | None) -> str:
    """The caller's request id when it is a sane token, else a fresh one (never log junk)."""
    if header and _SANE_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


class ContextFilter(logging.Filter):
    """Adds request_id / job_id / event_id to each record from where it was logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = request_id_var.get()
        if request_id and not hasattr(record, "request_id"):
            record.request_id = request_id
        job_id = _current_job_id()
        if job_id and not hasattr(record, "job_id"):
            record.job_id = job_id
            match = _EVENT_JOB.match(job_id)
            if match:
                record.event_id = int(match.group(1))
        return True


def _current_job_id() -> str | None:
    try:
        from rq import get_current_job

        job = get_current_job()
    except Exception:  # no job context (web thread, CLI): nothing to add
        return None
    return job.id if job is not None else None


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time (test runners swap it per test)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "pid": record.process,
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, (int, float, bool, str)) else str(value)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(log_format: str, level: int = logging.INFO) -> None:
    """Install one stderr handler on the root logger (idempotent: a second call replaces it)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _HANDLER_MARK, False):
            root.removeHandler(handler)
    handler = _StderrHandler()
    setattr(handler, _HANDLER_MARK, True)
    handler.addFilter(ContextFilter())
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
