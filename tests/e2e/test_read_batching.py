"""Upstream round trips of read queries, counted exactly with /_sandbox/stats.

Every test runs twice: with each query text new to the gateway (strawberry's
pipeline, graphql-core's executor), and ``by plan``: each query sent once
first, its counts then reset, and sent again, so the counted answer comes
from the fast path running the query by its execution plans
(:mod:`schema.core.plan_run`), whose loaders must batch the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sandbox.server import SandboxThread
from schema.core.ids import to_global_id
from schema.core.plan_run import PlannedExecution
from tests.conftest import CONTROL
from tests.e2e.conftest import (
    GatewayClient,
    GatewayFactory,
    reset_counts,
    set_faults,
    upstream_requests,
    upstream_total,
)


def _without_request_ids(body: dict[str, Any]) -> dict[str, Any]:
    for error in body.get("errors", ()):
        error.get("extensions", {}).pop("requestId", None)
    return body


class PlannedGateway(GatewayClient):
    """Sends each operation twice and answers the second, run by its plans; counts only it."""

    def __init__(self, client: GatewayClient, sandbox: SandboxThread, roots: list[object]) -> None:
        self.url = client.url
        self.http = client.http
        self.sandbox = sandbox
        self.roots = roots

    def execute(
        self, query: str, variables: dict[str, Any] | None = None, **kw: Any
    ) -> dict[str, Any]:
        first = super().execute(query, variables, **kw)
        reset_counts(self.sandbox)
        self.roots.clear()
        again = super().execute(query, variables, **kw)
        assert self.roots, "the repeated query must run by its plan"
        assert _without_request_ids(again) == _without_request_ids(first)
        return again


@pytest.fixture(params=["first sight", "by plan"])
def start_gateway(
    request: pytest.FixtureRequest,
    start_gateway: GatewayFactory,
    sandbox: SandboxThread,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[GatewayFactory]:
    """The gateways of this module, answering each query at first sight or by its plan."""
    if request.param == "first sight":
        yield start_gateway
        return
    roots: list[object] = []
    run_object = PlannedExecution.run_object

    def recording(self: PlannedExecution, plan: Any, source: Any, path: Any) -> Any:
        if path is None:
            roots.append(plan)
        return run_object(self, plan, source, path)

    monkeypatch.setattr(PlannedExecution, "run_object", recording)
    yield lambda **env: PlannedGateway(start_gateway(**env), sandbox, roots)


WORKFLOW_JOBS = """
query($first: Int!) {
  workflowJobs(first: $first) {
    totalCount
    edges { node { name jobTemplate { name } nodes { identifier } } }
  }
}"""


def test_workflow_jobs_page_costs_three_awx_requests(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    for first in (50, 200):
        reset_counts(sandbox)
        data = gateway.data(WORKFLOW_JOBS, {"first": first})
        edges = data["workflowJobs"]["edges"]
        assert len(edges) == first
        assert any(e["node"]["jobTemplate"] for e in edges), "the page should use templates"
        assert any(e["node"]["nodes"] for e in edges), "the page should have nodes"
        requests = upstream_requests(sandbox, "awx")
        assert requests == {
            "GET /api/v2/workflow_jobs/": 1,
            "GET /api/v2/job_templates/": 1,
            "GET /api/v2/workflow_job_nodes/": 1,
        }, first


def test_workflow_job_templates_and_nodes_match_awx(
    sandbox: SandboxThread, gateway: GatewayClient, auth_headers: dict[str, str]
) -> None:
    data = gateway.data(
        "{ workflowJobs(first: 30) { edges { node { awxId jobTemplateId jobTemplate { awxId }"
        " nodes { awxId workflowJobId } } } } }"
    )
    for edge in data["workflowJobs"]["edges"]:
        node = edge["node"]
        if node["jobTemplateId"] is None:
            assert node["jobTemplate"] is None
        else:
            assert node["jobTemplate"]["awxId"] == node["jobTemplateId"]
        expected = httpx.get(
            f"{sandbox.url('awx')}/api/v2/workflow_job_nodes/",
            params={"workflow_job": node["awxId"], "page_size": 200},
            headers=auth_headers,
        ).json()
        assert sorted(n["awxId"] for n in node["nodes"]) == sorted(
            r["id"] for r in expected["results"]
        )
        assert all(n["workflowJobId"] == node["awxId"] for n in node["nodes"])


def test_operations_jobs_with_parents_and_ancestors_cost_two_requests(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    reset_counts(sandbox)
    data = gateway.data(
        "{ operationsJobs(first: 50) { edges { node { name ancestorIds"
        " parent { name opsId } ancestors { name opsId } } } } }"
    )
    edges = data["operationsJobs"]["edges"]
    assert len(edges) == 50
    with_parent = [e["node"] for e in edges if e["node"]["parent"]]
    assert with_parent, "the seeded page should hold child jobs"
    for node in with_parent:
        assert [a["opsId"] for a in node["ancestors"]] == node["ancestorIds"]
        assert node["parent"]["opsId"] == node["ancestorIds"][-1]
    assert upstream_requests(sandbox, "opsmanager") == {"GET /operations-manager/jobs": 2}


def test_flow_jobs_with_steps_cost_one_request(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    reset_counts(sandbox)
    data = gateway.data("{ flowJobs(first: 20) { edges { node { name steps { title } } } } }")
    edges = data["flowJobs"]["edges"]
    assert len(edges) == 20
    assert sum(len(e["node"]["steps"]) for e in edges) > 20
    assert upstream_requests(sandbox, "jobstore") == {"GET /jobs/v1/": 1}


def _mixed_ids(gateway: GatewayClient) -> tuple[list[str], list[str]]:
    data = gateway.data(
        "{ flowJobs(first: 10) { edges { node { id jobId } } }"
        "  operationsJobs(first: 10) { edges { node { id } } }"
        "  workflowJobs(first: 10) { edges { node { id } } } }"
    )
    ids = [e["node"]["id"] for key in data for e in data[key]["edges"]]
    flow_ids = [e["node"]["jobId"] for e in data["flowJobs"]["edges"]]
    return ids, flow_ids


def test_nodes_across_three_systems_batch_per_upstream(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    ids, flow_ids = _mixed_ids(gateway)
    assert len(ids) == 30
    reset_counts(sandbox)
    data = gateway.data(
        "query($ids: [ID!]!) { nodes(ids: $ids) { id __typename ... on Job { name state } } }",
        {"ids": ids},
    )
    assert [n["id"] for n in data["nodes"]] == ids
    assert [n["__typename"] for n in data["nodes"]] == ["FlowJob"] * 10 + ["OperationsJob"] * 10 + [
        "WorkflowJob"
    ] * 10
    assert upstream_total(sandbox, "opsmanager") == 1
    assert upstream_total(sandbox, "awx") == 1
    assert upstream_requests(sandbox, "jobstore") == {
        "GET /jobs/v1/bson/{job_id}": len(set(flow_ids))
    }


def test_nodes_jobstore_part_runs_concurrently(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    _, flow_ids = _mixed_ids(gateway)
    ids = [to_global_id("FlowJob", job_id) for job_id in flow_ids]
    # A second of latency: CI once saw a peak of 9 of 10 at 200 ms, not reproduced since.
    # The sandbox runs in this test process, so a pause of a few hundred ms here (the GC
    # over the suite's heap, say) can end the first GETs before the last one is counted.
    set_faults(sandbox, "jobstore", latency_ms=1000)
    reset_counts(sandbox)
    data = gateway.data("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids})
    assert [n["id"] for n in data["nodes"]] == ids
    stats = httpx.get(f"{sandbox.url('jobstore')}/_sandbox/stats").json()
    # All ten single GETs were in flight at the same moment.
    assert stats["peakInFlight"] == len(set(flow_ids))


def test_primed_jobs_cost_nothing_when_looked_up_again(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    reset_counts(sandbox)
    data = gateway.data(
        "{ workflowJobs(first: 40) { edges { node { awxId"
        " nodes { workflowJob { awxId name } } } } } }"
    )
    for edge in data["workflowJobs"]["edges"]:
        for node in edge["node"]["nodes"]:
            assert node["workflowJob"]["awxId"] == edge["node"]["awxId"]
    # The nodes' workflow jobs came from the primed by-id loader, not from AWX.
    assert upstream_requests(sandbox, "awx") == {
        "GET /api/v2/workflow_jobs/": 1,
        "GET /api/v2/workflow_job_nodes/": 1,
    }


def test_jobstore_gets_stay_under_the_concurrency_bound(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = start_gateway(GATEWAY_JOBSTORE_CONCURRENCY="3")
    _, flow_ids = _mixed_ids(gateway)
    ids = [to_global_id("FlowJob", job_id) for job_id in flow_ids]
    set_faults(sandbox, "jobstore", latency_ms=100)
    reset_counts(sandbox)
    data = gateway.data("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids})
    assert [n["id"] for n in data["nodes"]] == ids
    stats = CONTROL.get(f"{sandbox.url('jobstore')}/_sandbox/stats").json()
    assert stats["requests"] == {"GET /jobs/v1/bson/{job_id}": len(set(flow_ids))}
    assert stats["peakInFlight"] == 3


def test_workflow_job_node_lookups_batch_by_id(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    nodes: list[dict[str, object]] = []
    after = None
    while len(nodes) <= 200:  # more than one id__in chunk of 200
        page = gateway.data(
            "query($after: String) { workflowJobs(first: 100, after: $after) {"
            " pageInfo { endCursor } edges { node { nodes { id awxId identifier } } } } }",
            {"after": after},
        )["workflowJobs"]
        nodes.extend(n for e in page["edges"] for n in e["node"]["nodes"])
        after = page["pageInfo"]["endCursor"]
    missing = to_global_id("WorkflowJobNode", 987654321)
    ids = [n["id"] for n in nodes] + [missing]
    reset_counts(sandbox)
    data = gateway.data(
        "query($ids: [ID!]!) { nodes(ids: $ids) {"
        " id ... on WorkflowJobNode { awxId identifier } } }",
        {"ids": ids},
    )
    assert data["nodes"][:-1] == nodes
    assert data["nodes"][-1] is None
    chunks = -(-len(ids) // 200)
    assert chunks == 2
    assert upstream_requests(sandbox, "awx") == {"GET /api/v2/workflow_job_nodes/": chunks}
