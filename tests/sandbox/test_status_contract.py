"""Contract: the gateway's status maps against the words the sandbox upstreams answer.

The sandbox answers every documented status word and, on purpose, a few
undocumented ones. Every documented word must map to a real state, and only
the undocumented ones may fall to ``UNKNOWN``: a word added on either side
without the other fails here.
"""

from __future__ import annotations

import pytest

from gateway.states import JobState, normalise
from gateway.upstream_names import Upstream
from sandbox import awx_records, jobstore_data, opsmanager_data

UNDOCUMENTED = {
    Upstream.JOBSTORE: {"Archived", "PendingReview"},
    Upstream.OPSMANAGER: {"archived", "blocked"},
    Upstream.AWX: set(),
}

SANDBOX_WORDS = {
    Upstream.JOBSTORE: {w for w, _ in jobstore_data.STATUS_WEIGHTS},
    Upstream.OPSMANAGER: {w for w, _ in opsmanager_data.STATUS_WEIGHTS},
    Upstream.AWX: set(awx_records.STATUSES),
}


@pytest.mark.parametrize("upstream", list(Upstream))
def test_documented_words_map_and_only_undocumented_ones_are_unknown(upstream: Upstream) -> None:
    unknown = {w for w in SANDBOX_WORDS[upstream] if normalise(upstream, w) is JobState.UNKNOWN}

    assert unknown == UNDOCUMENTED[upstream]


def test_awx_words_are_exactly_the_gateways() -> None:
    from gateway.states import AWX_STATES

    assert set(awx_records.STATUSES) == set(AWX_STATES)


def test_final_jobs_store_words_are_final_states() -> None:
    states = {normalise(Upstream.JOBSTORE, w) for w in jobstore_data.FINAL_STATUSES}

    assert states == {JobState.SUCCEEDED, JobState.CANCELED}
