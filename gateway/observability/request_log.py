"""Log formatting: JSON lines for machines, ``key=value`` text for a terminal.

Every record logged while a request is served carries its ``request_id``
(:class:`RequestIdFilter`). The per-request line is logged by
:func:`log_request` on the ``gateway.requests`` logger at INFO, with its
fields in the record's ``fields`` attribute, which both formatters print.
Nothing here logs headers, variables or upstream query strings: the fields
are the request id, operation name, outcome, status, duration, upstream call
counts and error codes, none of which can carry a credential.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson

from gateway.observability.observation import Observation, current_request_id

request_logger = logging.getLogger("gateway.requests")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` (or ``None``) to every record, from the request being served."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


def _base(record: logging.LogRecord) -> dict[str, Any]:
    return {
        "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
        "level": record.levelname.lower(),
        "logger": record.name,
        "message": record.getMessage(),
    }


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``ts``, ``level``, ``logger``, ``message``, then fields."""

    def format(self, record: logging.LogRecord) -> str:
        line = _base(record)
        request_id = getattr(record, "request_id", None)
        if request_id is not None:
            line["request_id"] = request_id
        fields: Mapping[str, Any] | None = getattr(record, "fields", None)
        if fields:
            line.update(fields)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


class TextFormatter(logging.Formatter):
    """``time level logger message key=value ...``, for people at a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        base = _base(record)
        parts = [base["ts"], base["level"].upper(), base["logger"], base["message"]]
        request_id = getattr(record, "request_id", None)
        if request_id is not None:
            parts.append(f"request_id={request_id}")
        fields: Mapping[str, Any] | None = getattr(record, "fields", None)
        for key, value in (fields or {}).items():
            shown = value if isinstance(value, str | int | float) else orjson.dumps(value).decode()
            parts.append(f"{key}={shown}")
        text = " ".join(str(p) for p in parts)
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


def resolve_format(setting: str, stream: Any = None) -> str:
    """``json`` or ``text``: ``auto`` is text on a terminal, JSON otherwise."""
    if setting != "auto":
        return setting
    stream = sys.stdout if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    return "text" if callable(isatty) and isatty() else "json"


def configure_logging(log_format: str, level: int = logging.WARNING) -> None:
    """Send every log record to stdout in ``log_format`` (``auto``, ``json`` or ``text``).

    The root logger stays at ``level``; the per-request lines are INFO on
    ``gateway.requests``, which is always let through.
    """
    # No formatter here writes a record's process: not looking it up saves a
    # ``getpid`` system call per record (one per request for the request log).
    logging.logProcesses = False
    logging.logMultiprocessing = False
    handler = logging.StreamHandler(sys.stdout)
    fmt = resolve_format(log_format)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    request_logger.setLevel(logging.INFO)


def log_request(observation: Observation, *, status: int | None, duration_ms: float) -> None:
    """The one line that sums up a GraphQL request."""
    if not request_logger.isEnabledFor(logging.INFO):
        return
    request_logger.info(
        "graphql request",
        extra={
            "request_id": observation.request_id,
            "fields": {
                "operation": observation.operation or "anonymous",
                "outcome": observation.outcome or "refused",
                "status": status,
                "duration_ms": round(duration_ms, 2),
                "upstream_calls": dict(observation.upstream_calls),
                "error_codes": sorted(set(observation.error_codes)),
            },
        },
    )
