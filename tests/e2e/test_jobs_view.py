"""The cross-system view (`jobs`, `jobCounts`) against the sandbox's seeded data.

Every expectation is computed here from the three sandbox APIs read directly
(Bearer ``sandbox-token``), not from the gateway; request costs are counted
exactly with ``/_sandbox/stats``.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from gateway import coerce
from gateway.states import FINAL_STATES, JobState, normalise
from gateway.upstream_names import Upstream
from sandbox.server import SandboxThread
from schema.core.ids import to_global_id
from tests.conftest import TOKEN, sandbox_reset
from tests.e2e.conftest import (
    GatewayClient,
    GatewayFactory,
    reset_counts,
    set_faults,
    upstream_requests,
)

AUTH = {"Authorization": f"Bearer {TOKEN}"}
SOURCES = ("JOB_STORE", "OPERATIONS_MANAGER", "AWX")
UPSTREAM_OF = {"JOB_STORE": "jobstore", "OPERATIONS_MANAGER": "opsmanager", "AWX": "awx"}
LIST_ROUTE = {
    "JOB_STORE": "GET /jobs/v1/",
    "OPERATIONS_MANAGER": "GET /operations-manager/jobs",
    "AWX": "GET /api/v2/workflow_jobs/",
}
EARLIEST = datetime.min.replace(tzinfo=UTC)

JOBS = """
query($filter: JobFilter, $first: Int, $after: String) {
  jobs(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id source state name owner createdAt } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    scanLimited
    warnings { source code message }
  }
}"""

COUNTS = """
query($filter: JobFilter) {
  jobCounts(filter: $filter) {
    bySource { source state count }
    durations { source count mean p50 p95 }
    complete
    warnings { source code message }
  }
}"""


@dataclass(frozen=True)
class SeededJob:
    """A job as read straight from its sandbox API."""

    source: str
    global_id: str
    position: int
    created: datetime | None
    state: JobState
    name: str
    elapsed: float | None


def _get(url: str, **params: Any) -> Any:
    response = httpx.get(url, params=params, headers=AUTH, timeout=30)
    response.raise_for_status()
    return response.json()


def _elapsed(start: datetime | None, end: datetime | None) -> float | None:
    return coerce.seconds_between(start, end)


def seeded_jobs(sandbox: SandboxThread) -> list[SeededJob]:
    """Every job of the three sandboxes, each list in its own newest-first order."""
    jobs: list[SeededJob] = []
    store = _get(f"{sandbox.url('jobstore')}/jobs/v1/", skip=0, limit=100_000)
    for i, doc in enumerate(store):
        meta = doc["metadata"]
        # elapsed as FlowJob computes it: first step start (or created) to last step end
        jobs.append(
            SeededJob(
                "JOB_STORE",
                to_global_id("FlowJob", doc["jobId"]),
                i,
                coerce.timestamp(meta.get("created")),
                normalise(Upstream.JOBSTORE, meta.get("status")),
                meta.get("jobTitle") or "",
                _flow_elapsed(doc),
            )
        )
    ops: list[dict[str, Any]] = []
    while True:
        page = _get(
            f"{sandbox.url('opsmanager')}/operations-manager/jobs",
            skip=len(ops),
            limit=100,
            sort="created",
            order=-1,
        )
        ops.extend(page["data"])
        if len(ops) >= page["metadata"]["total"]:
            break
    for i, doc in enumerate(ops):
        metrics = coerce.mapping(doc.get("metrics")) or {}
        jobs.append(
            SeededJob(
                "OPERATIONS_MANAGER",
                to_global_id("OperationsJob", doc["_id"]),
                i,
                coerce.timestamp(doc.get("created")),
                normalise(Upstream.OPSMANAGER, doc.get("status")),
                doc.get("name") or "",
                _elapsed(
                    coerce.timestamp(metrics.get("start_time")),
                    coerce.timestamp(metrics.get("end_time")),
                ),
            )
        )
    awx: list[dict[str, Any]] = []
    page_number = 1
    while True:
        page = _get(
            f"{sandbox.url('awx')}/api/v2/workflow_jobs/",
            page=page_number,
            page_size=200,
            order_by="-created",
        )
        awx.extend(page["results"])
        if not page["next"]:
            break
        page_number += 1
    for i, doc in enumerate(awx):
        elapsed = coerce.number(doc.get("elapsed"))
        if elapsed is not None and (elapsed < 0 or (elapsed == 0 and not doc.get("started"))):
            elapsed = None
        jobs.append(
            SeededJob(
                "AWX",
                to_global_id("WorkflowJob", doc["id"]),
                i,
                coerce.timestamp(doc.get("created")),
                normalise(Upstream.AWX, doc.get("status")),
                doc.get("name") or "",
                elapsed,
            )
        )
    return jobs


def _flow_elapsed(doc: dict[str, Any]) -> float | None:
    """The jobs store's elapsed time, as documented on ``FlowJob``."""
    meta = doc["metadata"]
    if normalise(Upstream.JOBSTORE, meta.get("status")) not in FINAL_STATES:
        return None
    entries = [
        e
        for group in (
            doc.get("completedSteps"),
            [meta.get("currentStep")],
            doc.get("cancelledSteps"),
        )
        if isinstance(group, list)
        for e in group
        if isinstance(e, dict)
    ]
    steps = [e.get("singleStep") or e.get("reportStep") or {} for e in entries]
    starts = [t for s in steps if (t := coerce.timestamp(s.get("started"))) is not None]
    created = coerce.timestamp(meta.get("created"))
    started = min(starts) if starts else created
    ends = [
        t
        for s in steps
        for key in ("completed", "cancelled")
        if (t := coerce.timestamp(s.get(key))) is not None
    ]
    updated = coerce.timestamp(meta.get("updated"))
    finished = max([*ends, *([updated] if updated else [])], default=None)
    return _elapsed(started, finished)


def newest_first(jobs: list[SeededJob]) -> list[SeededJob]:
    """The view's order: createdAt descending, then source, then the source's own order."""
    return sorted(
        jobs,
        key=lambda j: (
            -(j.created or EARLIEST).timestamp(),
            SOURCES.index(j.source),
            j.position,
        ),
    )


@pytest.fixture
def seeded(sandbox: SandboxThread) -> list[SeededJob]:
    """Pristine seeded data (other tests create jobs), read directly."""
    sandbox_reset(sandbox, data=True)
    return seeded_jobs(sandbox)


@dataclass
class Paged:
    ids: list[str]
    pages: list[dict[str, Any]]
    requests: list[dict[str, int]]  # per page: list requests per source
    before: list[set[str]]  # per page: the ids emitted before it


def page_all(
    gateway: GatewayClient,
    sandbox: SandboxThread,
    flt: dict[str, Any] | None = None,
    first: int = 25,
) -> Paged:
    """Follow `endCursor` to the end, counting each page's upstream requests."""
    paged = Paged([], [], [], [])
    after: str | None = None
    for _ in range(2000):
        reset_counts(sandbox)
        data = gateway.data(JOBS, {"filter": flt, "first": first, "after": after})["jobs"]
        paged.requests.append(
            {s: sum(upstream_requests(sandbox, UPSTREAM_OF[s]).values()) for s in SOURCES}
        )
        paged.before.append(set(paged.ids))
        paged.pages.append(data)
        paged.ids.extend(e["node"]["id"] for e in data["edges"])
        assert len(data["edges"]) <= first
        if not data["pageInfo"]["hasNextPage"]:
            return paged
        after = data["pageInfo"]["endCursor"]
        assert after is not None
    raise AssertionError("paging did not end")


def assert_one_request_per_active_source(
    paged: Paged, expected: list[SeededJob], sources: tuple[str, ...] = SOURCES
) -> None:
    """Each page asks each source exactly once while that source has jobs left, else never."""
    for number, (requests, before) in enumerate(zip(paged.requests, paged.before, strict=True)):
        for source in sources:
            left = any(j.global_id not in before for j in expected if j.source == source)
            assert requests[source] == (1 if left or number == 0 else 0), (number, source)


def test_paging_visits_every_seeded_job_once_newest_first(
    sandbox: SandboxThread, gateway: GatewayClient, seeded: list[SeededJob]
) -> None:
    expected = newest_first(seeded)
    assert len(expected) == 850
    paged = page_all(gateway, sandbox)
    assert paged.ids == [j.global_id for j in expected]
    assert len(set(paged.ids)) == len(paged.ids)
    assert all(len(p["edges"]) == 25 for p in paged.pages[:-1])
    assert not any(p["scanLimited"] or p["warnings"] for p in paged.pages)
    assert_one_request_per_active_source(paged, expected)
    first_page = paged.pages[0]["edges"]
    created = [e["node"]["createdAt"] for e in first_page]
    assert created == sorted(created, reverse=True)
    # each edge's cursor resumes right after it
    middle = paged.pages[3]["edges"][10]
    resumed = gateway.data(JOBS, {"first": 5, "after": middle["cursor"]})["jobs"]["edges"]
    at = paged.ids.index(middle["node"]["id"])
    assert [e["node"]["id"] for e in resumed] == paged.ids[at + 1 : at + 6]


def test_a_page_costs_one_request_per_source(
    sandbox: SandboxThread, gateway: GatewayClient, seeded: list[SeededJob]
) -> None:
    for first in (1, 25, 99, 200):
        reset_counts(sandbox)
        data = gateway.data(JOBS, {"first": first})["jobs"]
        assert len(data["edges"]) == first
        for source in SOURCES:
            # the operations manager caps a search at 100 jobs
            n = 2 if source == "OPERATIONS_MANAGER" and first > 100 else 1
            assert upstream_requests(sandbox, UPSTREAM_OF[source]) == {LIST_ROUTE[source]: n}


@pytest.mark.parametrize(
    "states",
    [["FAILED"], ["RUNNING", "QUEUED"], ["UNKNOWN"], ["SUCCEEDED", "UNKNOWN", "PAUSED"]],
)
def test_state_filter_pages_through_every_match_in_order(
    sandbox: SandboxThread, gateway: GatewayClient, seeded: list[SeededJob], states: list[str]
) -> None:
    expected = newest_first([j for j in seeded if j.state.value in states])
    assert expected, "the seeded data should have such jobs"
    paged = page_all(gateway, sandbox, {"states": states})
    assert paged.ids == [j.global_id for j in expected]
    assert_one_request_per_active_source(paged, expected, ("OPERATIONS_MANAGER", "AWX"))
    for requests in paged.requests:
        # the jobs store is filtered at the gateway: chunks of >= 100 of its 300 jobs,
        # and one more request to learn that the list ended
        assert requests["JOB_STORE"] <= 4
    if states[0] == "FAILED":  # the jobs store has no failed state: one scan, then never again
        assert [r["JOB_STORE"] for r in paged.requests] == [4] + [0] * (len(paged.requests) - 1)
    for page in paged.pages:
        assert {e["node"]["state"] for e in page["edges"]} <= set(states)


def test_date_range_and_search_pages_through_every_match(
    sandbox: SandboxThread, gateway: GatewayClient, seeded: list[SeededJob]
) -> None:
    after = datetime(2026, 6, 1, tzinfo=UTC)
    before = datetime(2026, 9, 1, tzinfo=UTC)
    expected = newest_first(
        [j for j in seeded if j.created is not None and after < j.created < before]
    )
    assert {j.source for j in expected} == set(SOURCES)
    flt = {"createdAfter": after.isoformat(), "createdBefore": before.isoformat()}
    paged = page_all(gateway, sandbox, flt)
    assert paged.ids == [j.global_id for j in expected]
    assert_one_request_per_active_source(paged, expected, ("OPERATIONS_MANAGER", "AWX"))

    word = "backup"
    expected = newest_first([j for j in seeded if word in j.name.lower()])
    assert expected
    paged = page_all(gateway, sandbox, {"search": "BackUp"}, first=10)
    assert paged.ids == [j.global_id for j in expected]


def test_sources_restricted(
    sandbox: SandboxThread, gateway: GatewayClient, seeded: list[SeededJob]
) -> None:
    wanted = ("OPERATIONS_MANAGER", "AWX")
    expected = newest_first([j for j in seeded if j.source in wanted])
    paged = page_all(gateway, sandbox, {"sources": list(wanted)}, first=50)
    assert paged.ids == [j.global_id for j in expected]
    assert all(r["JOB_STORE"] == 0 for r in paged.requests)
    assert_one_request_per_active_source(paged, expected, wanted)

    expected = newest_first(
        [j for j in seeded if j.source == "JOB_STORE" and j.state.value == "FAILED"]
    )
    data = gateway.data(JOBS, {"filter": {"sources": ["JOB_STORE"], "states": ["FAILED"]}})
    assert data["jobs"]["edges"] == []
    assert expected == []
    assert data["jobs"]["pageInfo"]["hasNextPage"] is False


def test_small_scan_limit_keeps_order_and_says_so(
    sandbox: SandboxThread, start_gateway: GatewayFactory, seeded: list[SeededJob]
) -> None:
    gateway = start_gateway(GATEWAY_SCAN_LIMIT="40")
    states = ["CANCELED", "UNKNOWN"]
    expected = newest_first([j for j in seeded if j.state.value in states])
    paged = page_all(gateway, sandbox, {"states": states})
    assert paged.ids == [j.global_id for j in expected]
    limited = [p for p in paged.pages if p["scanLimited"]]
    assert limited, "a 40-job scan cannot fill every page"
    assert all(
        w["source"] == "JOB_STORE" and w["code"] == "SCAN_LIMITED"
        for p in limited
        for w in p["warnings"]
    )
    for requests in paged.requests:
        assert requests["JOB_STORE"] <= 1  # 40 jobs fit one request


def test_jobstore_not_newest_first_is_sorted_at_the_gateway(
    sandbox: SandboxThread, start_gateway: GatewayFactory, seeded: list[SeededJob]
) -> None:
    gateway = start_gateway(GATEWAY_JOBSTORE_NEWEST_FIRST="false")
    expected = newest_first([j for j in seeded if j.state.value == "SUCCEEDED"])
    paged = page_all(gateway, sandbox, {"states": ["SUCCEEDED"]}, first=100)
    assert paged.ids == [j.global_id for j in expected]
    codes = {(w["source"], w["code"]) for p in paged.pages for w in p["warnings"]}
    assert codes == {("JOB_STORE", "SORTED_AT_GATEWAY")}
    assert not any(p["scanLimited"] for p in paged.pages)

    small = start_gateway(GATEWAY_JOBSTORE_NEWEST_FIRST="false", GATEWAY_SCAN_LIMIT="100")
    data = small.data(JOBS, {"first": 5})["jobs"]
    assert data["scanLimited"] is True
    assert {w["code"] for w in data["warnings"]} == {"SORTED_AT_GATEWAY", "SCAN_LIMITED"}


def expected_counts(jobs: list[SeededJob]) -> dict[tuple[str, str], int]:
    counts = Counter((j.source, j.state.value) for j in jobs)
    return {(s, state.value): counts[(s, state.value)] for s in SOURCES for state in JobState}


def expected_durations(jobs: list[SeededJob]) -> dict[str, tuple[int, float, float, float]]:
    out: dict[str, tuple[int, float, float, float]] = {}
    for source in SOURCES:
        values = [
            j.elapsed
            for j in jobs
            if j.source == source and j.state in FINAL_STATES and j.elapsed is not None
        ]
        cuts = statistics.quantiles(values, n=100, method="inclusive")
        out[source] = (len(values), statistics.fmean(values), cuts[49], cuts[94])
    return out


def check_counts(data: dict[str, Any], jobs: list[SeededJob]) -> None:
    got = {(r["source"], r["state"]): r["count"] for r in data["bySource"]}
    assert got == expected_counts(jobs)
    durations = expected_durations(jobs)
    assert len(data["durations"]) == 3
    for row in data["durations"]:
        count, mean, p50, p95 = durations[row["source"]]
        assert row["count"] == count, row["source"]
        assert row["mean"] == pytest.approx(mean)
        assert row["p50"] == pytest.approx(p50)
        assert row["p95"] == pytest.approx(p95)


def test_job_counts_match_the_sandbox_data(
    sandbox: SandboxThread, gateway: GatewayClient, seeded: list[SeededJob]
) -> None:
    reset_counts(sandbox)
    data = gateway.data(COUNTS)["jobCounts"]
    assert data["complete"] is True
    assert data["warnings"] == []
    check_counts(data, seeded)
    # one count request per state that has words upstream (6 each), plus the finished
    # jobs in pages of the upstream's cap; the jobs store: one wave of 4 x 200 (it holds 300)
    finished = Counter(j.source for j in seeded if j.state in FINAL_STATES)
    assert upstream_requests(sandbox, "opsmanager") == {
        LIST_ROUTE["OPERATIONS_MANAGER"]: 6 + -(-finished["OPERATIONS_MANAGER"] // 100)
    }
    assert upstream_requests(sandbox, "awx") == {LIST_ROUTE["AWX"]: 6 + -(-finished["AWX"] // 200)}
    assert upstream_requests(sandbox, "jobstore") == {LIST_ROUTE["JOB_STORE"]: 4}

    after = datetime(2026, 5, 1, tzinfo=UTC)
    flt = {"createdAfter": after.isoformat(), "states": ["SUCCEEDED", "FAILED", "UNKNOWN"]}
    data = gateway.data(COUNTS, {"filter": flt})["jobCounts"]
    wanted = [
        j
        for j in seeded
        if j.created is not None and j.created > after and j.state.value in flt["states"]
    ]
    got = {(r["source"], r["state"]): r["count"] for r in data["bySource"]}
    assert got == {k: v for k, v in expected_counts(wanted).items() if k[1] in flt["states"]}
    check_durations = expected_durations(wanted)
    for row in data["durations"]:
        assert row["count"] == check_durations[row["source"]][0]
        assert row["p95"] == pytest.approx(check_durations[row["source"]][3])


def test_job_counts_with_a_small_scan_limit_are_not_complete(
    sandbox: SandboxThread, start_gateway: GatewayFactory, seeded: list[SeededJob]
) -> None:
    gateway = start_gateway(GATEWAY_SCAN_LIMIT="50")
    data = gateway.data(COUNTS)["jobCounts"]
    assert data["complete"] is False
    assert {(w["source"], w["code"]) for w in data["warnings"]} == {
        (s, "SCAN_LIMITED") for s in SOURCES
    }
    got = {(r["source"], r["state"]): r["count"] for r in data["bySource"]}
    full = expected_counts(seeded)
    # upstream counts stay exact; the jobs store's are lower bounds over 50 jobs
    assert {k: v for k, v in got.items() if k[0] != "JOB_STORE"} == {
        k: v for k, v in full.items() if k[0] != "JOB_STORE"
    }
    assert sum(v for k, v in got.items() if k[0] == "JOB_STORE") == 50
    assert all(row["count"] <= 50 for row in data["durations"])


def test_a_failing_source_leaves_the_others_and_names_itself(
    sandbox: SandboxThread, gateway: GatewayClient, seeded: list[SeededJob]
) -> None:
    expected = [j.global_id for j in newest_first(seeded)]
    first = gateway.data(JOBS, {"first": 25})["jobs"]
    cursor = first["pageInfo"]["endCursor"]

    set_faults(sandbox, "awx", mode="500", error_rate=1.0)
    body = gateway.execute(JOBS, {"first": 25, "after": cursor})
    page = body["data"]["jobs"]
    assert {e["node"]["source"] for e in page["edges"]} == {"JOB_STORE", "OPERATIONS_MANAGER"}
    assert len(page["edges"]) == 25
    [error] = body["errors"]
    assert error["extensions"]["upstream"] == "awx"
    assert error["extensions"]["source"] == "AWX"
    assert error["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert error["path"] == ["jobs"]
    assert [(w["source"], w["code"]) for w in page["warnings"]] == [("AWX", "SOURCE_FAILED")]
    partial_ids = [e["node"]["id"] for e in page["edges"]]
    others = [j.global_id for j in newest_first(seeded)[25:] if j.source != "AWX"]
    assert partial_ids == others[:25]

    # AWX kept its position: paging on from the partial page visits its jobs too
    set_faults(sandbox, "awx")
    rest: list[str] = []
    after = page["pageInfo"]["endCursor"]
    while after is not None:
        data = gateway.data(JOBS, {"first": 100, "after": after})["jobs"]
        rest.extend(e["node"]["id"] for e in data["edges"])
        after = data["pageInfo"]["endCursor"] if data["pageInfo"]["hasNextPage"] else None
    seen = [e["node"]["id"] for e in first["edges"]] + partial_ids + rest
    assert sorted(seen) == sorted(expected)
    assert len(set(seen)) == len(seen)


def test_job_counts_of_a_failing_source_are_missing_and_named(
    sandbox: SandboxThread, gateway: GatewayClient, seeded: list[SeededJob]
) -> None:
    set_faults(sandbox, "opsmanager", mode="500", error_rate=1.0)
    body = gateway.execute(COUNTS)
    counts = body["data"]["jobCounts"]
    assert counts["complete"] is False
    assert {r["source"] for r in counts["bySource"]} == {"JOB_STORE", "AWX"}
    assert [(w["source"], w["code"]) for w in counts["warnings"]] == [
        ("OPERATIONS_MANAGER", "SOURCE_FAILED")
    ]
    [error] = body["errors"]
    assert error["extensions"]["upstream"] == "opsmanager"
    assert error["path"] == ["jobCounts"]
    others = [j for j in seeded if j.source != "OPERATIONS_MANAGER"]
    got = {(r["source"], r["state"]): r["count"] for r in counts["bySource"]}
    assert got == {k: v for k, v in expected_counts(others).items() if k[0] != "OPERATIONS_MANAGER"}


def test_every_source_failing_fails_the_field(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    for name in ("jobstore", "opsmanager", "awx"):
        set_faults(sandbox, name, mode="500", error_rate=1.0)
    body = gateway.execute(JOBS, {"first": 5})
    assert body["data"] is None
    assert sorted(e["extensions"]["upstream"] for e in body["errors"]) == [
        "awx",
        "jobstore",
        "opsmanager",
    ]


@pytest.mark.parametrize(
    "after",
    ["not-a-cursor", "b2Zmc2V0OjQ=", "am9iczE6MDAwMDAwMDAwMDowOjA6MA"],
    ids=["garbage", "offset-cursor", "other-filter"],
)
def test_bad_cursor_is_bad_user_input(gateway: GatewayClient, after: str) -> None:
    body = gateway.execute(JOBS, {"first": 5, "after": after})
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_cursor_of_another_filter_is_refused(gateway: GatewayClient) -> None:
    page = gateway.data(JOBS, {"first": 2, "filter": {"states": ["FAILED"]}})["jobs"]
    body = gateway.execute(JOBS, {"first": 2, "after": page["pageInfo"]["endCursor"]})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "another filter" in body["errors"][0]["message"]
