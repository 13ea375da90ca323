"""Tolerant readers: the typed value, or None for any other shape."""

from __future__ import annotations

from datetime import UTC, datetime

from gateway import coerce
from gateway.states import JobState, normalise
from gateway.upstream_names import Upstream
from gateway.upstreams.pushdown import status_condition


def test_timestamps_of_every_precision() -> None:
    assert coerce.timestamp("2021-10-01T12:48:13.8Z") == datetime(
        2021, 10, 1, 12, 48, 13, 800000, tzinfo=UTC
    )
    assert coerce.timestamp("2021-10-01T12:48:14Z") == datetime(2021, 10, 1, 12, 48, 14, tzinfo=UTC)
    assert coerce.timestamp("2020-11-04T12:53:42.266Z") == datetime(
        2020, 11, 4, 12, 53, 42, 266000, tzinfo=UTC
    )
    assert coerce.timestamp("2026-01-05T10:11:12.123456Z") == datetime(
        2026, 1, 5, 10, 11, 12, 123456, tzinfo=UTC
    )
    assert coerce.timestamp(1627323002574) == datetime(2021, 7, 26, 18, 10, 2, 574000, tzinfo=UTC)


def test_odd_timestamps_are_none() -> None:
    for value in (
        -92908485.15662788,
        94325748.791531,
        "not a date",
        "",
        None,
        {"a": 1},
        [1],
        True,
        float("nan"),
    ):
        assert coerce.timestamp(value) is None, value


def test_numbers_and_ints() -> None:
    assert coerce.number("12.5") == 12.5
    assert coerce.number(3) == 3.0
    assert coerce.number(True) is None
    assert coerce.number("x") is None
    assert coerce.integer(4.0) == 4
    assert coerce.integer(4.5) is None
    assert coerce.integer(2**40) is None
    assert coerce.integer("4") is None


def test_lists_keep_only_their_type() -> None:
    assert coerce.string_list(["a", {"_id": "b"}, 3]) == ["a"]
    assert coerce.int_list([1, "2", True, 3]) == [1, 3]
    assert coerce.string_list("abc") == []


def test_seconds_between() -> None:
    a = datetime(2026, 1, 1, tzinfo=UTC)
    b = datetime(2026, 1, 1, 0, 1, 30, tzinfo=UTC)
    assert coerce.seconds_between(a, b) == 90.0
    assert coerce.seconds_between(b, a) is None
    assert coerce.seconds_between(None, b) is None


def test_state_mapping_table() -> None:
    assert normalise(Upstream.JOBSTORE, "Completed") is JobState.SUCCEEDED
    assert normalise(Upstream.JOBSTORE, "Aborted") is JobState.CANCELED
    assert normalise(Upstream.JOBSTORE, "Paused") is JobState.PAUSED
    assert normalise(Upstream.JOBSTORE, "InProgress") is JobState.RUNNING
    assert normalise(Upstream.JOBSTORE, "Archived") is JobState.UNKNOWN
    assert normalise(Upstream.OPSMANAGER, "incomplete") is JobState.FAILED
    assert normalise(Upstream.OPSMANAGER, "complete") is JobState.SUCCEEDED
    assert normalise(Upstream.AWX, "waiting") is JobState.QUEUED
    assert normalise(Upstream.AWX, "error") is JobState.FAILED
    assert normalise(Upstream.AWX, 42) is JobState.UNKNOWN


def test_status_pushdown() -> None:
    assert status_condition(Upstream.AWX, [JobState.QUEUED]) == (
        False,
        ["new", "pending", "waiting"],
    )
    # UNKNOWN has no word: "UNKNOWN or SUCCEEDED" is "none of the other states' words".
    negated, words = status_condition(Upstream.AWX, [JobState.UNKNOWN, JobState.SUCCEEDED]) or (
        False,
        [],
    )
    assert negated is True
    assert "successful" not in words
    assert {"failed", "running", "new"} <= set(words)
    assert status_condition(Upstream.AWX, None) is None
    assert status_condition(Upstream.AWX, [JobState.QUEUED], ["new", "odd"]) == (False, ["new"])
    assert status_condition(Upstream.AWX, [JobState.UNKNOWN], ["odd", "failed"]) == (
        False,
        ["odd"],
    )
