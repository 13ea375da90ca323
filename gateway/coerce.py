"""Tolerant readers of upstream values.

Upstreams are messier than their documents (the operations manager's example
answer mixes numbers, ISO strings and objects in the same field). Each reader
returns the typed value or ``None`` when the value has another shape: one odd
field degrades to null, the object survives, and the raw value stays
reachable through the type's ``upstream`` field.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import orjson


def text(value: Any) -> str | None:
    """A string, or ``None``."""
    return value if isinstance(value, str) else None


def nonempty_text(value: Any) -> str | None:
    """A non-empty string, or ``None``."""
    return value if isinstance(value, str) and value else None


def integer(value: Any) -> int | None:
    """An int (not a bool, not a float with a fraction), or ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if -(2**31) <= value < 2**31 else None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**31:
        return int(value)
    return None


def number(value: Any) -> float | None:
    """A finite number (numeric strings too, as AWX writes decimals), or ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        result = float(value)
    elif isinstance(value, str):
        try:
            result = float(value)
        except ValueError:
            return None
    else:
        return None
    return result if math.isfinite(result) else None


def boolean(value: Any) -> bool | None:
    """A bool, or ``None``."""
    return value if isinstance(value, bool) else None


def mapping(value: Any) -> dict[str, Any] | None:
    """A JSON object, or ``None``."""
    return value if isinstance(value, dict) else None


def string_list(value: Any) -> list[str]:
    """The strings of a list (other items skipped); ``[]`` for anything else."""
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, str)]


def int_list(value: Any) -> list[int]:
    """The ints of a list (other items skipped); ``[]`` for anything else."""
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, int) and not isinstance(item, bool)]


# Epoch numbers below this many milliseconds (early 1973) are not plausible job
# times: they are filler, or durations mistaken for times, so they read as null.
_EARLIEST_MS = 100_000_000_000


def timestamp(value: Any) -> datetime | None:
    """An ISO 8601 string (any fraction precision, ``Z`` or an offset), or epoch ms.

    Epoch numbers are milliseconds, as the operations manager writes them;
    negative or implausibly early ones (its example's filler) give ``None``.
    A string without an offset is taken as UTC.
    """
    if type(value) is str:
        # The common case first: text ``datetime.fromisoformat`` takes as it is (since
        # Python 3.11 a trailing ``Z`` too), which then means what the long way means.
        try:
            parsed = _from_iso(value)
        except ValueError:
            return _timestamp_long_way(value)
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    if value is None:  # the next most common: a time not set yet
        return None
    return _timestamp_long_way(value)


_from_iso = datetime.fromisoformat


def _timestamp_long_way(value: Any) -> datetime | None:
    if isinstance(value, str):
        raw = value.strip()
        if not raw:
            return None
        if raw.endswith(("Z", "z")):
            raw = raw[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(raw)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value) or value < _EARLIEST_MS:
        return None
    try:
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def datetime_text(moment: datetime) -> str:
    """``moment.isoformat()`` (the ``DateTime`` scalar's text), at a third of its cost.

    ``isoformat`` costs several times what parsing does (about 0.9 µs against
    0.2 on the 2-core machine of the README's figures), and a page of jobs
    has thousands of timestamps. orjson writes a ``datetime`` as RFC 3339 in
    Rust: for an instant in UTC (every value :func:`timestamp` gives) that
    is exactly ``isoformat``'s text (``+00:00``, six fraction digits or
    none, four year digits), so its text is taken; any other offset (orjson
    rounds one with seconds to minutes) goes to ``isoformat``. The execution
    plans (:mod:`schema.core.plan_compile`) write the same expression inline.
    """
    if moment.tzinfo is UTC:
        return _dumps(moment)[1:-1].decode()
    return moment.isoformat()


_dumps = orjson.dumps


def seconds_between(start: datetime | None, end: datetime | None) -> float | None:
    """``end - start`` in seconds when both are known and in order."""
    if start is None or end is None:
        return None
    delta = (end - start).total_seconds()
    return round(delta, 3) if delta >= 0 else None


def iso_utc(moment: datetime) -> str:
    """A UTC timestamp with milliseconds and ``Z``, as the upstreams write them.

    A naive ``datetime`` is taken to be UTC already.
    """
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    text = aware.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")
