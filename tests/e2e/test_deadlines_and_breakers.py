"""The request deadline, the call budget and per-kind breakers, over real sockets."""

from __future__ import annotations

import uuid

import httpx

from sandbox.server import SandboxThread
from tests.conftest import TOKEN
from tests.e2e.conftest import (
    GatewayFactory,
    reset_counts,
    set_faults,
    upstream_requests,
    upstream_total,
)

AUTH = {"Authorization": f"Bearer {TOKEN}"}

BOTH = """{
  flowJobs(first: 2) { edges { node { jobId } } }
  workflowJobs(first: 2) { edges { node { awxId } } }
}"""

CREATE = """
mutation($input: CreateFlowJobInput!) {
  createFlowJob(input: $input) { created job { jobId clientJobId } userErrors { code } }
}"""


def test_a_hung_upstream_costs_its_fields_at_the_request_deadline(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    # AWX hangs and its own per-call timeout is a minute; the request's deadline
    # (1 s) must end its part. The client gives up after 15 s, failing the test,
    # if the gateway waits for AWX.
    gateway = start_gateway(GATEWAY_REQUEST_TIMEOUT="1", GATEWAY_AWX_TIMEOUT="60")
    set_faults(sandbox, "awx", mode="hang", error_rate=1.0, hang_seconds=120)
    response = gateway.http.post("/graphql", json={"query": BOTH}, timeout=15)
    body = response.json()
    assert len(body["data"]["flowJobs"]["edges"]) == 2
    assert body["data"]["workflowJobs"] is None
    [error] = body["errors"]
    assert error["path"] == ["workflowJobs"]
    assert error["extensions"]["code"] == "UPSTREAM_TIMEOUT"
    assert error["extensions"]["upstream"] == "awx"


def test_the_upstream_call_budget_refuses_what_is_over_it(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = start_gateway(GATEWAY_MAX_UPSTREAM_CALLS="3")
    first, second = (e["node"]["jobId"] for e in gateway.data(BOTH)["flowJobs"]["edges"])
    reset_counts(sandbox)
    # Four fields, four upstream calls (the jobs store has no batch read): one too many.
    body = gateway.execute(
        "query($a: String!, $b: String!) { a: flowJob(jobId: $a) { jobId }"
        " b: flowJob(jobId: $b) { jobId } c: workflowJobs(first: 1) { totalCount }"
        " d: operationsJobs(first: 1) { totalCount } }",
        {"a": first, "b": second},
    )
    [error] = body["errors"]
    assert error["extensions"]["code"] == "UPSTREAM_BUDGET_EXCEEDED"
    assert sum(body["data"][k] is not None for k in "abcd") == 3
    sent = sum(upstream_total(sandbox, name) for name in ("jobstore", "opsmanager", "awx"))
    assert sent == 3


def test_lost_create_answers_do_not_lock_out_reads(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = start_gateway()
    # Every POST is processed and then its answer is dropped: more lost answers
    # than the breaker's threshold (5).
    set_faults(sandbox, "jobstore", mode="drop", error_rate=1.0, methods=["POST"])
    cids = [str(uuid.uuid4()) for _ in range(8)]
    answers = [
        gateway.execute(CREATE, {"input": {"clientJobId": cid, "jobTitle": "Lost"}}) for cid in cids
    ]
    # The first five were sent, lost and settled by lookups: created, each exactly once.
    for cid, body in zip(cids[:5], answers[:5], strict=True):
        assert "errors" not in body, body["errors"]
        assert body["data"]["createFlowJob"]["created"] is True
        assert body["data"]["createFlowJob"]["job"]["clientJobId"] == cid
    # Then the write breaker opened: the rest were refused before sending (safe to retry).
    for body in answers[5:]:
        [error] = body["errors"]
        assert error["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
        assert error["extensions"]["request"]["method"] == "POST"
    assert upstream_requests(sandbox, "jobstore")["POST /jobs/v1"] == 5
    for cid, expected in zip(cids, [1] * 5 + [0] * 3, strict=True):
        stored = httpx.get(f"{sandbox.url('jobstore')}/jobs/v1/{cid}", headers=AUTH).json()
        assert len(stored) == expected
    # Reads still work for everyone: the read breaker saw no failure.
    assert len(gateway.data(BOTH)["flowJobs"]["edges"]) == 2
