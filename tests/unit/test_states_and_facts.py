"""``normalise`` (:mod:`gateway.states`) and each upstream's job facts (:mod:`gateway.facts`)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.facts import flow_job_facts, operations_job_facts, workflow_job_facts
from gateway.states import STATES_BY_UPSTREAM, JobSource, JobState, normalise
from gateway.upstream_names import Upstream

WORDS = [
    (up, word, state) for up, table in STATES_BY_UPSTREAM.items() for word, state in table.items()
]
blanks = st.text(alphabet=" \t\n\r\u00a0\u2003", max_size=3)


def _at(minute: int, second: int = 0) -> datetime:
    return datetime(2024, 5, 1, 10, minute, second, tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def test_every_word_of_each_map_normalises_to_its_state() -> None:
    for upstream, word, state in WORDS:
        assert word == word.strip().lower(), "the maps hold the normal spelling"
        assert normalise(upstream, word) is state


@settings(max_examples=300)
@given(
    entry=st.sampled_from([w for w in WORDS if w[0] is Upstream.JOBSTORE]),
    upper=st.lists(st.booleans(), min_size=12, max_size=12),
    before=blanks,
    after=blanks,
)
def test_case_and_blanks_do_not_matter_for_the_loosely_documented_jobs_store(
    entry: tuple[Upstream, str, JobState], upper: list[bool], before: str, after: str
) -> None:
    upstream, word, state = entry
    cased = "".join(c.upper() if u else c for c, u in zip(word, upper * 2, strict=False))

    assert normalise(upstream, f"{before}{cased}{after}") is state


@pytest.mark.parametrize("upstream", [Upstream.OPSMANAGER, Upstream.AWX])
def test_filtered_upstreams_match_exact_words_as_their_pushdowns_do(upstream: Upstream) -> None:
    for word in STATES_BY_UPSTREAM[upstream]:
        assert normalise(upstream, word.upper()) is JobState.UNKNOWN
        assert normalise(upstream, f" {word}") is JobState.UNKNOWN


@settings(max_examples=300)
@given(upstream=st.sampled_from(list(Upstream)), word=st.text(max_size=12))
def test_unknown_words_are_unknown(upstream: Upstream, word: str) -> None:
    key = word.strip().lower() if upstream is Upstream.JOBSTORE else word
    expected = STATES_BY_UPSTREAM[upstream].get(key, JobState.UNKNOWN)

    assert normalise(upstream, word) is expected
    assert normalise(upstream, f"x{word.strip()}y") is JobState.UNKNOWN


@given(
    upstream=st.sampled_from(list(Upstream)),
    value=st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.just(b"running"),
        st.just(["running"]),
        st.just({"status": "running"}),
    ),
)
def test_non_strings_are_unknown(upstream: Upstream, value: object) -> None:
    assert normalise(upstream, value) is JobState.UNKNOWN


def test_a_word_of_one_upstream_is_unknown_to_another() -> None:
    assert normalise(Upstream.AWX, "successful") is JobState.SUCCEEDED
    assert normalise(Upstream.OPSMANAGER, "successful") is JobState.UNKNOWN
    assert normalise(Upstream.JOBSTORE, "complete") is JobState.UNKNOWN


# --- jobs store ---------------------------------------------------------------------------


def _step(key: str | None, started: datetime | None, **ends: datetime) -> dict[str, object]:
    body: dict[str, object] = {"uniqueStepId": key} if key is not None else {}
    if started is not None:
        body["started"] = _iso(started)
    body |= {name: _iso(moment) for name, moment in ends.items()}
    return {"singleStep": body}


def test_a_final_jobstore_job_finishes_at_its_last_step_end() -> None:
    doc = {
        "jobId": "J-1",
        "completedSteps": [
            _step("a", _at(2), completed=_at(5)),
            _step("a", _at(0), completed=_at(59)),  # repeated uniqueStepId: counted once
            "not a step",
        ],
        "cancelledSteps": [_step("c", None, cancelled=_at(9))],
        "metadata": {
            "status": " Completed ",
            "created": _iso(_at(1)),
            "updated": _iso(_at(8)),
            "jobTitle": "Replace valve",
            "username": "ana",
            "currentStep": {"reportStep": {"uniqueStepId": "b", "started": _iso(_at(3))}},
        },
    }
    facts = flow_job_facts(doc)

    assert facts.source is JobSource.JOB_STORE
    assert (facts.key, facts.name, facts.owner) == ("J-1", "Replace valve", "ana")
    assert facts.state is JobState.SUCCEEDED
    assert facts.upstream_status == " Completed "
    assert facts.created_at == _at(1)
    assert facts.started_at == _at(2)
    assert facts.finished_at == _at(9)
    assert facts.elapsed_seconds == 7 * 60


def test_a_final_jobstore_job_without_steps_finishes_at_its_update() -> None:
    meta = {"status": "Aborted", "created": _iso(_at(1)), "updated": _iso(_at(4, 30))}
    facts = flow_job_facts({"jobId": "J-2", "metadata": meta})

    assert facts.state is JobState.CANCELED
    assert facts.started_at == _at(1)  # no step: it started when created
    assert facts.finished_at == _at(4, 30)
    assert facts.elapsed_seconds == 210


def test_an_update_after_the_last_step_is_the_finish() -> None:
    meta = {"status": "completed", "created": _iso(_at(0)), "updated": _iso(_at(20))}
    doc = {
        "jobId": "J-3",
        "metadata": meta,
        "completedSteps": [_step(None, _at(1), completed=_at(2))],
    }

    assert flow_job_facts(doc).finished_at == _at(20)


def test_a_running_jobstore_job_has_not_finished() -> None:
    meta = {"status": "In Progress", "created": _iso(_at(0)), "updated": _iso(_at(20))}
    doc = {
        "jobId": "J-4",
        "metadata": meta,
        "completedSteps": [_step("s", _at(1), completed=_at(2))],
    }
    facts = flow_job_facts(doc)

    assert facts.state is JobState.RUNNING
    assert facts.started_at == _at(1)
    assert facts.finished_at is None
    assert facts.elapsed_seconds is None


def test_a_jobstore_document_without_metadata() -> None:
    facts = flow_job_facts({"metadata": "odd"})

    assert facts.key == ""
    assert facts.state is JobState.UNKNOWN
    assert facts.upstream_status is None
    assert (facts.created_at, facts.started_at, facts.finished_at) == (None, None, None)


# --- operations manager -------------------------------------------------------------------


def test_operations_job_times_and_owner() -> None:
    start_ms = int(_at(0).timestamp() * 1000)
    doc = {
        "_id": "op-7",
        "name": "Deploy",
        "status": "complete",
        "created": _iso(_at(0)),
        "last_updated": 1,  # an implausible epoch: no time
        "metrics": {
            "start_time": start_ms,
            "end_time": _iso(_at(2, 15)),
            "user": {"username": "bo"},
        },
        "created_by": "someone-else",
    }
    facts = operations_job_facts(doc)

    assert facts.source is JobSource.OPERATIONS_MANAGER
    assert (facts.key, facts.name, facts.owner) == ("op-7", "Deploy", "bo")
    assert facts.state is JobState.SUCCEEDED
    assert facts.started_at == _at(0)
    assert facts.updated_at is None
    assert facts.elapsed_seconds == 135


def test_operations_job_owner_falls_back_and_reversed_times_have_no_elapsed() -> None:
    metrics = {"start_time": _iso(_at(5)), "end_time": _iso(_at(4)), "owner": 3}
    facts = operations_job_facts({"status": "mystery", "metrics": metrics, "created_by": "cy"})

    assert facts.owner == "cy"
    assert facts.state is JobState.UNKNOWN
    assert facts.upstream_status == "mystery"
    assert facts.elapsed_seconds is None


# --- AWX ----------------------------------------------------------------------------------


def test_awx_job_facts() -> None:
    doc = {
        "id": 42,
        "name": "Nightly",
        "status": "failed",
        "created": _iso(_at(0)),
        "started": _iso(_at(1)),
        "finished": _iso(_at(3)),
        "elapsed": "119.5",
        "launched_by": {"name": "dee"},
        "summary_fields": {"created_by": {"username": "ed"}},
    }
    facts = workflow_job_facts(doc)

    assert facts.source is JobSource.AWX
    assert (facts.key, facts.name, facts.owner) == ("42", "Nightly", "dee")
    assert facts.state is JobState.FAILED
    assert facts.finished_at == _at(3)
    assert facts.elapsed_seconds == 119.5


def test_awx_elapsed_is_dropped_when_negative_or_zero_before_a_start() -> None:
    owner = {"summary_fields": {"created_by": {"username": "ed"}}}

    assert workflow_job_facts({"id": 1, "elapsed": -3, **owner}).elapsed_seconds is None
    assert workflow_job_facts({"id": 1, "elapsed": 0}).elapsed_seconds is None
    started = workflow_job_facts({"id": 1, "elapsed": 0, "started": _iso(_at(1))})
    assert started.elapsed_seconds == 0.0
    assert workflow_job_facts({"id": 1, "elapsed": -3, **owner}).owner == "ed"
    assert workflow_job_facts({"id": "x"}).key == "0"
