"""Poll outcomes through JSON and back, as they travel between replicas (no Redis needed)."""

from __future__ import annotations

import json

from gateway.errors import BadUserInput, UpstreamRequest, UpstreamUnavailable
from gateway.filters import ViewFilter
from gateway.live.hub import Polled
from gateway.live.jobs import JobChangeKind, SeenStates, job_wire, page_wire
from gateway.live.redis_hub import decode_polled, encode_polled
from gateway.live.wire import RelayedError, RelayedFailure, RelayedUpstreamError
from gateway.states import JobSource, JobState
from gateway.upstream_names import Upstream
from gateway.view.pages import ViewPage
from gateway.view.warnings import JobWarning, JobWarningCode
from tests.unit.test_live_changes import awx, flow

DOWN = UpstreamUnavailable(
    "AWX is unavailable (HTTP 502)",
    request=UpstreamRequest(Upstream.AWX, "GET", "/api/v2/workflow_jobs/"),
    status=502,
)


def test_a_job_travels_as_its_document_and_its_facts_are_rebuilt() -> None:
    wire = job_wire(JobSource.JOB_STORE, "abc", None)
    job = flow("abc", "Paused")
    body = encode_polled(wire, Polled(value=job))
    assert json.loads(body) == {"value": ["JOB_STORE", job.doc]}
    back = decode_polled(wire, body).value
    assert back is not None
    assert back.doc == job.doc
    assert back.facts.state is JobState.PAUSED
    assert back.facts == job.facts
    assert decode_polled(wire, encode_polled(wire, Polled(value=None))) == Polled(value=None)


def test_names_are_equal_for_equal_polls_and_differ_otherwise() -> None:
    one = job_wire(JobSource.JOB_STORE, "abc", None).name
    assert one == job_wire(JobSource.JOB_STORE, "abc", None).name
    assert one != job_wire(JobSource.JOB_STORE, "abc", "digest-of-a-credential").name
    assert one != job_wire(JobSource.AWX, "abc", None).name
    everything = page_wire(ViewFilter(), None).name
    assert everything == page_wire(ViewFilter(), None).name
    assert everything != page_wire(ViewFilter(sources=(JobSource.AWX,)), None).name
    assert len(one) == 64  # a digest: no credential, no user input in a Redis key


def test_a_page_with_a_failed_source_round_trips_and_reports_the_same_changes() -> None:
    wire = page_wire(ViewFilter(), None)
    page = ViewPage(
        edges=[(flow("a", "InProgress"), "c0"), (awx(7, "successful"), "c1")],
        has_next=True,
        end_cursor="c1",
        warnings=[JobWarning(JobSource.OPERATIONS_MANAGER, JobWarningCode.SOURCE_FAILED, "x")],
        failures=[(JobSource.OPERATIONS_MANAGER, DOWN)],
        selected=3,
    )
    back = decode_polled(wire, encode_polled(wire, Polled(value=page))).value
    assert back is not None
    assert [(j.facts, c) for j, c in back.edges] == [(j.facts, c) for j, c in page.edges]
    assert (back.has_next, back.end_cursor, back.warnings, back.selected) == (
        True,
        "c1",
        page.warnings,
        3,
    )
    [(source, error)] = back.failures
    assert source is JobSource.OPERATIONS_MANAGER
    assert isinstance(error, RelayedUpstreamError)
    assert (error.message, error.extensions()) == (DOWN.message, DOWN.extensions())
    assert error.upstream is DOWN.upstream
    # a follower's subscriber computes the same changes from the rebuilt page
    mine, theirs = SeenStates(100), SeenStates(100)
    answered = {JobSource.JOB_STORE, JobSource.AWX}
    first = ViewPage([], False, None, [], [], 3)
    assert mine.changes(first, answered) == theirs.changes(first, answered) == []
    changes = [(c.kind, c.job.facts.key) for c in mine.changes(page, answered)]
    assert changes == [(c.kind, c.job.facts.key) for c in theirs.changes(back, answered)]
    assert changes == [(JobChangeKind.CREATED, "7"), (JobChangeKind.CREATED, "a")]


def test_errors_travel_as_what_the_client_is_shown() -> None:
    wire = job_wire(JobSource.AWX, 7, None)
    relayed = decode_polled(wire, encode_polled(wire, Polled(error=DOWN))).error
    assert isinstance(relayed, RelayedUpstreamError)
    assert relayed.code == "UPSTREAM_UNAVAILABLE"
    assert relayed.extensions() == {
        "code": "UPSTREAM_UNAVAILABLE",
        "upstream": "awx",
        "request": {"method": "GET", "path": "/api/v2/workflow_jobs/"},
        "response": {"status": 502},
    }
    bad = decode_polled(wire, encode_polled(wire, Polled(error=BadUserInput("no", argument="id"))))
    assert isinstance(bad.error, RelayedError)
    assert bad.error.extensions() == {"code": "BAD_USER_INPUT", "argument": "id"}
    bug = decode_polled(wire, encode_polled(wire, Polled(error=KeyError("secret-ish detail"))))
    assert isinstance(bug.error, RelayedFailure)
    assert "secret-ish" not in str(bug.error)  # only the type's name travels
    assert "KeyError" in str(bug.error)
