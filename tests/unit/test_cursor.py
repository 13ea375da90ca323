"""The cross-system list's cursor (:mod:`gateway.view.merge`): round trip and rejection.

A cursor is ``base64url("jobs1:<fingerprint>:<js>:<ops>:<awx>")``; anything
else, or a cursor of another filter, must be a ``BAD_USER_INPUT`` on ``after``.
"""

from __future__ import annotations

import base64

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gateway.errors import BadUserInput
from gateway.filters import ViewFilter
from gateway.input_checks import MAX_OFFSET
from gateway.states import SOURCE_ORDER
from gateway.view.merge import Positions, decode_cursor, encode_cursor

JS, OPS, AWX = SOURCE_ORDER
FINGERPRINT = ViewFilter().fingerprint("newest-first")


def test_decode_cursor_rejects_another_fingerprint() -> None:
    cursor = encode_cursor(FINGERPRINT, {JS: 3, OPS: None, AWX: 0})
    other = ViewFilter(sources=(JS,)).fingerprint("newest-first")

    assert decode_cursor(cursor, FINGERPRINT) == {JS: 3, OPS: None, AWX: 0}
    with pytest.raises(BadUserInput) as raised:
        decode_cursor(cursor, other)
    assert raised.value.argument == "after"


def _b64(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@settings(max_examples=300)
@given(garbage=st.text(max_size=40))
@example(garbage="")
@example(garbage="!!!")
@example(garbage=_b64("jobs1:" + FINGERPRINT + ":1:2"))
@example(garbage=_b64("jobs2:" + FINGERPRINT + ":1:2:3"))
@example(garbage=_b64("jobs1:" + FINGERPRINT + ":1:-2:3"))
@example(garbage=_b64("jobs1:" + FINGERPRINT + ":1:2:1234567890123"))
@example(garbage=base64.urlsafe_b64encode(b"\xff\xfe:1").decode())
def test_decode_cursor_rejects_garbage(garbage: str) -> None:
    with pytest.raises(BadUserInput):
        decode_cursor(garbage, FINGERPRINT)


@settings(max_examples=300)
@given(parts=st.lists(st.text(max_size=4), min_size=3, max_size=3))
@example(parts=["\u00b2", "0", "0"])  # '²'.isdigit() is true, but int('²') fails
def test_decode_cursor_gives_positions_or_bad_user_input(parts: list[str]) -> None:
    cursor = _b64(":".join(["jobs1", FINGERPRINT, *parts]))
    try:
        positions = decode_cursor(cursor, FINGERPRINT)
    except BadUserInput:
        return
    assert all(p is None or p >= 0 for p in positions.values())
    assert decode_cursor(encode_cursor(FINGERPRINT, positions), FINGERPRINT) == positions


@settings(max_examples=200)
@given(
    positions=st.fixed_dictionaries(
        {
            s: st.one_of(st.none(), st.integers(min_value=0, max_value=MAX_OFFSET))
            for s in SOURCE_ORDER
        }
    )
)
def test_cursor_round_trips_and_is_url_safe(positions: Positions) -> None:
    cursor = encode_cursor(FINGERPRINT, positions)

    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert decode_cursor(cursor, FINGERPRINT) == positions


def test_a_position_past_the_largest_offset_is_refused() -> None:
    cursor = _b64(f"jobs1:{FINGERPRINT}:{MAX_OFFSET + 1}:0:0")

    with pytest.raises(BadUserInput) as raised:
        decode_cursor(cursor, FINGERPRINT)
    assert raised.value.argument == "after"
