"""Bounded label values, request ids and breaker state changes."""

from __future__ import annotations

import pytest

from gateway.observability.labels import (
    OTHER,
    BoundedLabels,
    incoming_request_id,
    operation_names,
    route_template,
)
from gateway.upstreams.breaker import CircuitBreaker


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("/api/v2/workflow_jobs/", "/api/v2/workflow_jobs/"),
        ("/api/v2/job_templates/17/launch/", "/api/v2/job_templates/{id}/launch/"),
        ("/operations-manager/jobs/65a1f0c2e4b0a1b2c3d4e5f6", "/operations-manager/jobs/{id}"),
        ("/jobs/v1/bson/0f8fad5b-d9cb-469f-a165-70867728950e", "/jobs/v1/bson/{id}"),
        ("/jobs/v1/Some%20Key", "/jobs/v1/{id}"),
        ("/jobs/v1/workflow/{id}", "/jobs/v1/workflow/{id}"),
        ("/jobs/v1/{clientJobId}", "/jobs/v1/{clientJobId}"),
    ],
)
def test_route_templates(path: str, template: str) -> None:
    assert route_template(path) == template


def test_bounded_labels_stop_at_their_limit() -> None:
    labels = BoundedLabels(2, lambda raw: raw)
    assert [labels("a"), labels("b"), labels("c"), labels("a")] == ["a", "b", OTHER, "a"]


def test_operation_names_must_be_plain_and_short() -> None:
    names = operation_names()
    assert names("RecentJobs") == "RecentJobs"
    assert names("x" * 65) == OTHER
    assert names("has space") == OTHER


@pytest.mark.parametrize(
    ("header", "kept"),
    [
        ("abc-123", True),
        ("a" * 128, True),
        ("a" * 129, False),
        ("", False),
        ("a b", False),
        ("<script>", False),
        (None, False),
    ],
)
def test_incoming_request_ids(header: str | None, kept: bool) -> None:
    assert incoming_request_id(header) == (header if kept else None)


def test_breaker_reports_each_state_change_once() -> None:
    now = [0.0]
    breaker = CircuitBreaker(threshold=2, cooldown=5, clock=lambda: now[0])
    seen: list[str] = []
    breaker.on_change = seen.append
    breaker.record_success()
    breaker.record_failure()
    breaker.record_failure()
    breaker.record_failure()
    assert not breaker.allow()
    now[0] = 6.0
    assert breaker.allow()
    breaker.record_failure()  # the trial failed
    now[0] = 12.0
    assert breaker.allow()
    breaker.record_success()
    assert seen == ["open", "half_open", "open", "half_open", "closed"]
