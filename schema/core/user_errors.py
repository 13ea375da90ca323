"""``UserError``, the mutation payloads' list of what the caller can fix, and input checks.

Every mutation validates its whole input first and answers all the problems
at once as ``userErrors``, without calling any upstream: nothing malformed
ever leaves the gateway. ``field`` is a dotted path into the mutation's input
(``options.groups.1``, ``completedSteps.0.stepNumber``), or the name of a
top-level argument (``jobTemplateId``); it is null for a problem of the whole
request (AWX's ``__all__``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson
import strawberry

from gateway.coerce import iso_utc
from gateway.errors import UpstreamRejected
from gateway.input_checks import canonical_uuid, json_problem, unsafe_character, utc_instant


class Code:
    """The values of ``UserError.code``."""

    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    TOO_MANY = "TOO_MANY"
    INVALID_FORMAT = "INVALID_FORMAT"
    INVALID_TYPE = "INVALID_TYPE"
    INVALID_VALUE = "INVALID_VALUE"
    INVALID_CHOICE = "INVALID_CHOICE"
    DUPLICATE = "DUPLICATE"
    CONFLICT = "CONFLICT"
    UNKNOWN_FIELD = "UNKNOWN_FIELD"
    NOT_FOUND = "NOT_FOUND"
    UPSTREAM_REJECTED = "UPSTREAM_REJECTED"
    INVALID_STATE = "INVALID_STATE"
    FORBIDDEN = "FORBIDDEN"
    UNSUPPORTED = "UNSUPPORTED"
    OUTCOME_UNKNOWN = "OUTCOME_UNKNOWN"


@strawberry.type(description="A problem with a mutation's input that the caller can fix.")
class UserError:
    field: str | None = strawberry.field(
        description="Dotted path into the input (`options.groups.1`), or an argument's name; "
        "null when the problem is the request as a whole."
    )
    message: str = strawberry.field(
        description="What is wrong, in English, for people; branch on `code`, not on this text."
    )
    code: str = strawberry.field(
        description="REQUIRED, TOO_LONG, TOO_MANY, INVALID_FORMAT, INVALID_TYPE, INVALID_VALUE, "
        "INVALID_CHOICE, DUPLICATE, CONFLICT, UNKNOWN_FIELD, NOT_FOUND or UPSTREAM_REJECTED; "
        "for the job actions also INVALID_STATE (the job's state forbids the action), "
        "FORBIDDEN (the system refused the credential), UNSUPPORTED (the system has no such "
        "action) and OUTCOME_UNKNOWN (the answer was lost; the action was not resent)."
    )


MAX_ID_LENGTH = 200
MAX_JSON_BYTES = 256 * 1024


def path(*parts: str | int) -> str:
    """A dotted field path: ``path("completedSteps", 0, "stepId")``."""
    return ".".join(str(p) for p in parts)


class UserErrors:
    """Collects the problems of one input; each check returns the value to send, or ``None``."""

    def __init__(self) -> None:
        self.items: list[UserError] = []

    def __bool__(self) -> bool:
        return bool(self.items)

    def add(self, field: str | None, code: str, message: str) -> None:
        """Record one problem."""
        self.items.append(UserError(field=field, message=message, code=code))

    def text(
        self, field: str, value: str | None, *, max_length: int, required: bool = False
    ) -> str | None:
        """A string of at most ``max_length`` characters; non-blank when ``required``."""
        if value is None:
            if required:
                self.add(field, Code.REQUIRED, f"`{field}` is required")
            return None
        if required and not value.strip():
            self.add(field, Code.REQUIRED, f"`{field}` must not be empty or blank")
            return None
        if len(value) > max_length:
            self.add(
                field,
                Code.TOO_LONG,
                f"`{field}` must be at most {max_length} characters (got {len(value)})",
            )
            return None
        return value

    def identifier(self, field: str, value: str | None, *, required: bool = False) -> str | None:
        """An upstream id: non-empty, no whitespace or control characters, bounded length."""
        if value is None:
            if required:
                self.add(field, Code.REQUIRED, f"`{field}` is required")
            return None
        if not value or any(c.isspace() for c in value) or unsafe_character(value) is not None:
            self.add(
                field,
                Code.INVALID_FORMAT,
                f"`{field}` must be an id without spaces or control characters",
            )
            return None
        if len(value) > MAX_ID_LENGTH:
            self.add(field, Code.TOO_LONG, f"`{field}` must be at most {MAX_ID_LENGTH} characters")
            return None
        return value

    def uuid_text(self, field: str, value: str) -> str | None:
        """A UUID in its canonical form: lowercase, hyphenated, without surrounding spaces.

        So every spelling of one UUID (``ABC...``, ``abc...``, ``abc...\\n``)
        is one key: an idempotency key must not depend on its spelling.
        """
        canonical = canonical_uuid(value)
        if canonical is None:
            self.add(
                field,
                Code.INVALID_FORMAT,
                f"`{field}` must be a UUID like 'cb3dc8dc-4162-47c4-af05-3575034f99e5'",
            )
        return canonical

    def instant(self, field: str, value: datetime | None) -> str | None:
        """A date-time as the upstreams write it (UTC, milliseconds, ``Z``).

        A naive value is taken to be UTC. An instant outside year 1..9999 once
        in UTC (``0001-01-01T00:00:00+14:00``) is an ``INVALID_VALUE``.
        """
        if value is None:
            return None
        utc = utc_instant(value)
        if utc is None:
            self.add(
                field,
                Code.INVALID_VALUE,
                f"`{field}` is outside 0001-01-01T00:00:00Z..9999-12-31T23:59:59.999999Z "
                "once converted to UTC",
            )
            return None
        return iso_utc(utc)

    def positive_int(self, field: str, value: int | None) -> int | None:
        """A positive integer (ids of AWX objects, step numbers)."""
        if value is None:
            return None
        if value <= 0:
            self.add(field, Code.INVALID_VALUE, f"`{field}` must be a positive integer")
            return None
        return value

    def json_object(self, field: str, value: Any) -> dict[str, Any] | None:
        """A JSON object of bounded size whose values any upstream takes."""
        if value is None:
            return None
        if not isinstance(value, dict):
            self.add(field, Code.INVALID_TYPE, f"`{field}` must be a JSON object")
            return None
        return value if self.json_value(field, value) else None

    def json_value(self, field: str, value: Any) -> bool:
        """Whether ``value`` is JSON the upstreams take, in at most :data:`MAX_JSON_BYTES`.

        The first value out of range (an integer beyond signed 64 bits, ``inf``
        or ``nan``, nesting too deep) is reported at its own path:
        ``completedSteps.0.timeEvents.2021-10-01T12:48:13Z``.
        """
        problem = json_problem(value)
        if problem is not None:
            at, reason = problem
            where = path(field, *at)
            self.add(where, Code.INVALID_VALUE, f"`{where}` {reason}")
            return False
        try:
            size = len(orjson.dumps(value))
        except (TypeError, orjson.JSONEncodeError):
            self.add(field, Code.INVALID_VALUE, f"`{field}` is not encodable as JSON")
            return False
        if size > MAX_JSON_BYTES:
            self.add(field, Code.TOO_LONG, f"`{field}` must be at most {MAX_JSON_BYTES} bytes")
            return False
        return True


def rejection_errors(
    exc: UpstreamRejected, field_of: Callable[[str], str | None] = lambda name: name
) -> list[UserError]:
    """An upstream's 4xx rejection as ``userErrors``: one per field message where it gives them.

    ``field_of`` maps the upstream's field name to the input's (``None`` for a
    problem of the whole request).
    """
    if not exc.field_errors:
        return [UserError(field=None, message=exc.message, code=Code.UPSTREAM_REJECTED)]
    return [
        UserError(field=field_of(name), message=message, code=Code.UPSTREAM_REJECTED)
        for name, messages in exc.field_errors.items()
        for message in messages
    ]
