"""Canonical caller values (gateway.input_checks), and the cursor and pushdown that use them."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone

import pytest

from gateway.errors import BadUserInput
from gateway.filters import JobListFilter
from gateway.input_checks import (
    INT64_MAX,
    INT64_MIN,
    MAX_JSON_DEPTH,
    MAX_OFFSET,
    ascii_decimal,
    canonical_uuid,
    json_problem,
    unsafe_character,
    utc_instant,
)
from gateway.states import SOURCE_ORDER
from gateway.upstreams.awx import DIALECT as AWX
from gateway.upstreams.opsmanager import DIALECT as OPS
from gateway.upstreams.pushdown import conditions
from gateway.view.merge import decode_cursor, encode_cursor, start_positions

ARABIC_INDIC_123 = "\u0661\u0662\u0663"
PLUS_14 = timezone(timedelta(hours=14))
MINUS_14 = timezone(timedelta(hours=-14))


@pytest.mark.parametrize(
    ("text", "value"),
    [("0", 0), ("7", 7), ("123", 123), (str(INT64_MAX), INT64_MAX)],
)
def test_ascii_decimals(text: str, value: int) -> None:
    assert ascii_decimal(text) == value


@pytest.mark.parametrize(
    "text",
    [
        ARABIC_INDIC_123,
        "\u00b2",  # '²'.isdigit() is True, int('²') raises
        "\uff11",  # fullwidth one
        "",
        "007",
        "-1",
        "+1",
        " 1",
        "1 ",
        "1_000",
        str(INT64_MAX + 1),
        "9" * 10_000,
    ],
)
def test_anything_else_is_not_an_ascii_decimal(text: str) -> None:
    assert ascii_decimal(text) is None


def test_ascii_decimal_maximum() -> None:
    assert ascii_decimal(str(MAX_OFFSET), maximum=MAX_OFFSET) == MAX_OFFSET
    assert ascii_decimal(str(MAX_OFFSET + 1), maximum=MAX_OFFSET) is None


def test_utc_instants() -> None:
    assert utc_instant(datetime(2021, 6, 1, 12)) == datetime(2021, 6, 1, 12, tzinfo=UTC)
    assert utc_instant(datetime(2021, 6, 1, 14, tzinfo=timezone(timedelta(hours=2)))) == datetime(
        2021, 6, 1, 12, tzinfo=UTC
    )
    assert utc_instant(datetime(1, 1, 1, 14, tzinfo=PLUS_14)) == datetime(1, 1, 1, tzinfo=UTC)
    assert utc_instant(datetime(1, 1, 1, tzinfo=PLUS_14)) is None
    assert utc_instant(datetime(9999, 12, 31, 23, 59, 59, tzinfo=MINUS_14)) is None


def test_canonical_uuids() -> None:
    lower = "cb3dc8dc-4162-47c4-af05-3575034f99e5"
    for spelling in (lower, lower.upper(), f"{lower}\n", f"\t {lower} ", lower.replace("-", "")):
        assert canonical_uuid(spelling) == lower
    for other in ("", "nope", f"{{{lower}}}", f"urn:uuid:{lower}", lower[:-1], "\u0661" * 32):
        assert canonical_uuid(other) is None


def test_unsafe_characters() -> None:
    for char in ("\x00", "\n", "\x1f", "\x7f", "\x85", "\ud800"):
        assert unsafe_character(f"ab{char}cd") == char
    assert unsafe_character("h\u00e9llo w\u00f6rld, \u4e16\u754c") is None


def test_json_problems_name_their_path() -> None:
    assert json_problem({"a": [1, {"b": 10**23}]}) == (
        ("a", 1, "b"),
        "is an integer outside the signed 64-bit range",
    )
    assert json_problem([0.5, float("inf")]) == ((1,), "is not a finite number")
    assert json_problem({"x": float("nan")}) == (("x",), "is not a finite number")
    assert json_problem(2**64 - 1) == ((), "is an integer outside the signed 64-bit range")
    assert json_problem(INT64_MIN - 1) is not None
    assert json_problem(["\ud800"]) == ((0,), "holds a lone surrogate (not encodable as UTF-8)")
    assert json_problem({1: "x"}) == ((), "has a key that is not a text string")
    assert json_problem({"s": {1, 2}}) == (("s",), "is not a JSON value")


def test_json_depth_is_bounded_without_recursion() -> None:
    deep: object = 1
    for _ in range(10_000):
        deep = [deep]
    problem = json_problem(deep)
    assert problem is not None
    assert len(problem[0]) == MAX_JSON_DEPTH + 1


def test_json_within_range_has_no_problem() -> None:
    value = {"i": [INT64_MIN, INT64_MAX, 0], "f": 1.5e300, "b": True, "n": None, "s": "\u00e9"}
    assert json_problem(value) is None


# --- the cross-system cursor --------------------------------------------------------------------


def test_a_jobs_cursor_round_trips_padded_or_not() -> None:
    positions = {**start_positions(), SOURCE_ORDER[1]: 40, SOURCE_ORDER[2]: None}
    cursor = encode_cursor("abc", positions)
    assert decode_cursor(cursor, "abc") == positions
    assert decode_cursor(cursor + "=" * (-len(cursor) % 4), "abc") == positions


@pytest.mark.parametrize(
    "position",
    [ARABIC_INDIC_123, "\u00b2", "007", "-1", str(MAX_OFFSET + 1), "9" * 5000, ""],
)
def test_a_jobs_cursor_with_a_non_canonical_position_is_bad_user_input(position: str) -> None:
    raw = f"jobs1:abc:{position}:0:0"
    cursor = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    with pytest.raises(BadUserInput) as excinfo:
        decode_cursor(cursor, "abc")
    assert excinfo.value.argument == "after"


# --- pushdown of extreme bounds -----------------------------------------------------------------


def test_an_upper_bound_whose_millisecond_ceiling_is_past_9999_is_no_condition() -> None:
    last = datetime(9999, 12, 31, 23, 59, 59, 999_500, tzinfo=UTC)
    first = datetime(1, 1, 1, tzinfo=UTC)
    assert conditions(OPS, JobListFilter(created_before=last, created_after=first)) == [
        (OPS.created_after, "0001-01-01T00:00:00.000Z")
    ]
    assert conditions(AWX, JobListFilter(created_before=last)) == [
        (AWX.created_before, "9999-12-31T23:59:59.999500+00:00")
    ]


def test_an_upper_bound_just_below_the_last_millisecond_still_rounds_up() -> None:
    bound = datetime(9999, 12, 31, 23, 59, 59, 998_500, tzinfo=UTC)
    assert conditions(OPS, JobListFilter(created_before=bound)) == [
        (OPS.created_before, "9999-12-31T23:59:59.999Z")
    ]
