"""Scalars of the graph, and the parsing of ``DateTime``, which the gateway hardens.

``JSON`` is Strawberry's JSON scalar; for the type checker it is ``Any``,
because it carries raw upstream values of any shape. Its *input* values are
checked where they are used (:meth:`~schema.core.user_errors.UserErrors.json_value`).

:data:`SCALAR_OVERRIDES` replaces the parsing and the description (not the
serialising) of ``DateTime``: Strawberry's stock parser (``dateutil``'s ``isoparse``)
raises ``OverflowError``, not a coercion error, for ``9999-12-31T24:00:00Z``,
which escaped as an internal error; it is now an ordinary coercion error. A
parsed ``DateTime`` may still be outside what UTC holds
(``0001-01-01T00:00:00+14:00``): :func:`~gateway.input_checks.utc_instant`
answers that where the value is used.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.schema.types.base_scalars import DateTimeDefinition
from strawberry.types.scalar import ScalarDefinition

if TYPE_CHECKING:
    JSON = Any
else:
    from strawberry.scalars import JSON

MAX_DATETIME_TEXT = 64
"""No ISO 8601 date-time needs more characters (nanoseconds and an offset take 35)."""


def parse_datetime(value: object) -> datetime:
    """An ISO 8601 date-time, as Strawberry parses it; a coercion error for anything else."""
    if isinstance(value, str) and len(value) > MAX_DATETIME_TEXT:
        raise StrawberryInputCoercionError(
            f"Value cannot represent a DateTime: longer than {MAX_DATETIME_TEXT} characters."
        )
    stock_parse = DateTimeDefinition.parse_value
    assert stock_parse is not None, "Strawberry's DateTime has a parser"
    try:
        parsed = stock_parse(value)
    except OverflowError:
        raise StrawberryInputCoercionError(
            f"Value cannot represent a DateTime: {value!r}. The date is out of range."
        ) from None
    if not isinstance(parsed, datetime):  # pragma: no cover - the stock parser's contract
        raise StrawberryInputCoercionError(f"Value cannot represent a DateTime: {value!r}.")
    return parsed


DATETIME_DESCRIPTION = (
    "An instant, ISO 8601 with its UTC offset: `2021-10-01T12:48:13.800000+00:00`, or without "
    "a fraction when it has none (`2021-10-01T12:48:14+00:00`). Answers: an upstream time "
    "written with `Z`, without an offset, or as epoch milliseconds comes back in UTC "
    "(`+00:00`); one written with another offset keeps that offset, so compare instants, not "
    "text. Arguments and inputs: any ISO 8601 date-time; one without an offset is taken as UTC."
)

HardenedDateTime = replace(
    DateTimeDefinition,
    parse_value=parse_datetime,
    implementation=None,
    description=DATETIME_DESCRIPTION,
)

SCALAR_OVERRIDES: dict[object, ScalarDefinition] = {datetime: HardenedDateTime}
"""For ``strawberry.Schema(scalar_overrides=...)``."""

__all__ = ["JSON", "SCALAR_OVERRIDES", "parse_datetime"]
