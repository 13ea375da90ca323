"""Canonical forms of what callers send, checked before anything reaches an upstream.

:mod:`gateway.coerce` reads *upstream* values tolerantly; this module is its
strict counterpart for *caller* values. Each function answers the canonical
value, or ``None`` (or a reason) when there is none, and raises nothing: the
GraphQL layer decides whether a refusal is a ``BAD_USER_INPUT`` or a
``userErrors`` entry, and names the argument.

Why each exists:

- Python's ``str.isdigit()`` and ``int()`` accept any Unicode digit
  (``int("١٢٣") == 123``, ``"²".isdigit()`` but ``int("²")`` raises), and
  ``int()`` is quadratic on long inputs: ids and cursors go through
  :func:`ascii_decimal` instead.
- ``datetime.astimezone`` and ``+ timedelta`` overflow near year 1 and 9999
  (``0001-01-01T00:00:00+14:00`` is a valid ISO string of an instant before
  year 1): :func:`utc_instant` converts once, at the boundary.
- ``orjson`` refuses integers outside 64 bits (the body of a create would fail
  while being sent), writes ``inf``/``nan`` as ``null``, and accepts unsigned
  64-bit integers the upstreams (``long``/``bigint``) do not:
  :func:`json_problem` finds the first such value of a JSON input.
- Control characters and lone surrogates in an id or a search word would
  travel, percent-encoded, into an upstream's path or query string (or make
  the UTF-8 encoding of a request fail): :func:`unsafe_character` finds them.
"""

from __future__ import annotations

import math
import re
import uuid
from datetime import UTC, datetime

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
MAX_OFFSET = 2**31 - 2
"""The largest position a cursor may hold: the upstreams take ``skip`` as a 32-bit int."""
MAX_JSON_DEPTH = 64
"""Nesting deeper than this in a JSON input is refused (orjson itself stops at 254)."""

_DECIMAL = re.compile(r"(?:0|[1-9][0-9]*)", re.ASCII)
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_UUID = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}",
    re.ASCII | re.IGNORECASE,
)


def ascii_decimal(text: str, *, maximum: int = INT64_MAX) -> int | None:
    """The value of a canonical non-negative ASCII decimal of at most ``maximum``.

    Canonical means digits ``0-9`` only, no sign, no spaces, no leading zero
    (so one number has one spelling). The length is checked before ``int()``
    runs, so a 10,000-digit text costs nothing.
    """
    if len(text) > len(str(maximum)) or not _DECIMAL.fullmatch(text):
        return None
    value = int(text)
    return value if value <= maximum else None


def utc_instant(moment: datetime) -> datetime | None:
    """The same instant in UTC; a naive ``datetime`` is taken to be UTC already.

    ``None`` when the instant is outside what ``datetime`` holds in UTC
    (``0001-01-01T00:00:00Z`` to ``9999-12-31T23:59:59.999999Z``).
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return None


def canonical_uuid(text: str) -> str | None:
    """The lowercase hyphenated form of a UUID, or ``None``.

    Surrounding whitespace is ignored; the 36-character form (any case) and
    the 32-hex-digit form are accepted, ASCII only.
    """
    stripped = text.strip()
    if not _UUID.fullmatch(stripped):
        return None
    return str(uuid.UUID(stripped))


def unsafe_character(text: str) -> str | None:
    """The first control character (C0, DEL, C1) or lone surrogate in ``text``, or ``None``."""
    found = _UNSAFE.search(text)
    return found.group() if found else None


def describe_character(char: str) -> str:
    """A character as a message can show it: ``U+0000``."""
    return f"U+{ord(char):04X}"


JsonPath = tuple[str | int, ...]


def json_problem(value: object) -> tuple[JsonPath, str] | None:
    """The first value of a JSON input no upstream would take: its path and why.

    Integers must fit in signed 64 bits, numbers must be finite, strings
    must not hold lone surrogates, keys must be strings, and nesting is at
    most :data:`MAX_JSON_DEPTH`. The walk is iterative, so depth is never a
    Python recursion problem.
    """
    stack: list[tuple[JsonPath, object]] = [((), value)]
    while stack:
        at, item = stack.pop()
        if len(at) > MAX_JSON_DEPTH:
            return at, f"is nested deeper than {MAX_JSON_DEPTH} levels"
        if item is None or isinstance(item, bool):
            continue
        if isinstance(item, int):
            if not INT64_MIN <= item <= INT64_MAX:
                return at, "is an integer outside the signed 64-bit range"
        elif isinstance(item, float):
            if not math.isfinite(item):
                return at, "is not a finite number"
        elif isinstance(item, str):
            if _has_surrogate(item):
                return at, "holds a lone surrogate (not encodable as UTF-8)"
        elif isinstance(item, list):
            stack.extend(((*at, i), v) for i, v in reversed(list(enumerate(item))))
        elif isinstance(item, dict):
            for key in item:
                if not isinstance(key, str) or _has_surrogate(key):
                    return at, "has a key that is not a text string"
            stack.extend(((*at, k), v) for k, v in reversed(list(item.items())))
        else:
            return at, "is not a JSON value"
    return None


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= c <= "\udfff" for c in text) if not text.isascii() else False
