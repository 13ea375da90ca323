"""A jobs-store job's times come from all its steps: read only when asked for, and once."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.facts import JobFacts, flow_job_facts
from gateway.states import JobState
from tests.reading_probes import CountingDoc, Tripwire


def job(started: Any) -> dict[str, Any]:
    return {
        "jobId": "j1",
        "metadata": {
            "status": "Completed",
            "jobTitle": "Pump Inspection",
            "created": "2026-05-05T01:47:00Z",
            "updated": "2026-05-05T01:49:00Z",
        },
        "completedSteps": [
            {"singleStep": {"uniqueStepId": "s1", "started": started, "completed": None}}
        ],
    }


def test_sorting_and_filtering_facts_do_not_read_the_steps() -> None:
    facts = flow_job_facts(job(Tripwire("2026-05-05T01:47:30Z")))
    assert (facts.key, facts.name, facts.state) == ("j1", "Pump Inspection", JobState.SUCCEEDED)
    assert facts.created_at is not None
    with pytest.raises(AssertionError, match="was converted"):
        _ = facts.started_at


def test_the_times_are_read_once() -> None:
    doc = CountingDoc(job("2026-05-05T01:47:30Z"))
    facts = flow_job_facts(doc)
    assert doc.reads.get("completedSteps") is None
    assert facts.elapsed_seconds == 90.0
    assert (facts.started_at, facts.finished_at) == (facts.started_at, facts.finished_at)
    assert facts.started_at is not None
    assert facts.started_at.isoformat() == "2026-05-05T01:47:30+00:00"
    assert doc.reads["completedSteps"] == 1


def test_facts_read_later_equal_the_same_facts_given_at_once() -> None:
    read = flow_job_facts(job("2026-05-05T01:47:30Z"))
    given = JobFacts(
        read.source,
        read.key,
        read.name,
        read.state,
        read.upstream_status,
        read.created_at,
        read.updated_at,
        read.started_at,
        read.finished_at,
        read.elapsed_seconds,
        read.owner,
    )
    assert flow_job_facts(job("2026-05-05T01:47:30Z")) == given
    with pytest.raises(AttributeError):
        _ = getattr(read, "startedAt")  # noqa: B009 - no such attribute, lazily or not
