"""Connections, paging and pushed-down filters of the per-system queries."""

from __future__ import annotations

from typing import Any

import httpx

from sandbox.server import SandboxThread
from tests.e2e.conftest import GatewayClient, reset_counts, upstream_requests

AUTH = {"Authorization": "Bearer sandbox-token"}


def _all_pages(
    gateway: GatewayClient, field: str, selection: str, first: int, args: str = ""
) -> list[Any]:
    nodes: list[Any] = []
    after = None
    while True:
        data = gateway.data(
            f"query($first: Int!, $after: String) {{ {field}(first: $first, after: $after{args})"
            " { totalCount pageInfo { hasNextPage endCursor }"
            f" edges {{ node {{ {selection} }} }} }} }}",
            {"first": first, "after": after},
        )
        page = data[field]
        nodes.extend(e["node"] for e in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


def test_workflow_jobs_page_through_awx_newest_first(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    expected = httpx.get(
        f"{sandbox.url('awx')}/api/v2/workflow_jobs/",
        params={"order_by": "-created", "page_size": 200, "status__in": "failed,error"},
        headers=AUTH,
    ).json()
    nodes = _all_pages(gateway, "workflowJobs", "awxId state", 7, ", filter: {states: [FAILED]}")
    assert [n["awxId"] for n in nodes] == [r["id"] for r in expected["results"]]
    assert {n["state"] for n in nodes} == {"FAILED"}


def test_operations_jobs_filters_push_down(sandbox: SandboxThread, gateway: GatewayClient) -> None:
    reset_counts(sandbox)
    data = gateway.data(
        "{ operationsJobs(first: 100, filter: {states: [SUCCEEDED],"
        ' createdAfter: "2026-01-01T00:00:00Z", createdBefore: "2026-06-01T00:00:00Z"})'
        " { totalCount edges { node { state createdAt } } } }"
    )
    page = data["operationsJobs"]
    assert page["totalCount"] == len(page["edges"]) > 0
    assert {e["node"]["state"] for e in page["edges"]} == {"SUCCEEDED"}
    assert all("2026-01-01" <= e["node"]["createdAt"] < "2026-06-01" for e in page["edges"])
    created = [e["node"]["createdAt"] for e in page["edges"]]
    assert created == sorted(created, reverse=True)
    assert upstream_requests(sandbox, "opsmanager") == {"GET /operations-manager/jobs": 1}


def test_name_search_pushes_down(sandbox: SandboxThread, gateway: GatewayClient) -> None:
    first = gateway.data("{ workflowJobs(first: 1) { edges { node { name } } } }")
    word = first["workflowJobs"]["edges"][0]["node"]["name"].split()[0].lower()
    data = gateway.data(
        "query($q: String!) { workflowJobs(first: 50, filter: {nameContains: $q}) "
        "{ totalCount edges { node { name } } } }",
        {"q": word},
    )
    assert data["workflowJobs"]["totalCount"] >= 1
    assert all(word in e["node"]["name"].lower() for e in data["workflowJobs"]["edges"])


def test_operations_jobs_beyond_one_upstream_page(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    reset_counts(sandbox)
    data = gateway.data("{ operationsJobs(first: 150) { totalCount edges { node { opsId } } } }")
    ids = [e["node"]["opsId"] for e in data["operationsJobs"]["edges"]]
    assert len(ids) == len(set(ids)) == 150
    # The upstream caps a page at 100: two requests, sent together.
    assert upstream_requests(sandbox, "opsmanager") == {"GET /operations-manager/jobs": 2}


def test_flow_jobs_paging_has_no_gaps(sandbox: SandboxThread, gateway: GatewayClient) -> None:
    expected = httpx.get(
        f"{sandbox.url('jobstore')}/jobs/v1/", params={"skip": 0, "limit": 60}, headers=AUTH
    ).json()
    first = gateway.data(
        "{ flowJobs(first: 30) { totalCount pageInfo { hasNextPage endCursor }"
        " edges { node { jobId } } } }"
    )["flowJobs"]
    assert first["totalCount"] is None
    assert first["pageInfo"]["hasNextPage"] is True
    second = gateway.data(
        "query($after: String) { flowJobs(first: 30, after: $after) { edges { node { jobId } } } }",
        {"after": first["pageInfo"]["endCursor"]},
    )["flowJobs"]
    ids = [e["node"]["jobId"] for e in first["edges"] + second["edges"]]
    assert ids == [d["jobId"] for d in expected]


def test_unaligned_cursor_on_awx(sandbox: SandboxThread, gateway: GatewayClient) -> None:
    all_ids = [
        n["awxId"]
        for n in gateway.data("{ workflowJobs(first: 60) { edges { node { awxId } } } }")[
            "workflowJobs"
        ]["edges"]
        for n in [n["node"]]
    ]
    seven = gateway.data("{ workflowJobs(first: 7) { pageInfo { endCursor } } }")
    data = gateway.data(
        "query($after: String) { workflowJobs(first: 13, after: $after)"
        " { edges { node { awxId } } } }",
        {"after": seven["workflowJobs"]["pageInfo"]["endCursor"]},
    )
    assert [e["node"]["awxId"] for e in data["workflowJobs"]["edges"]] == all_ids[7:20]


def test_slice_workflow_jobs_of_a_template(sandbox: SandboxThread, gateway: GatewayClient) -> None:
    data = gateway.data(
        "{ workflowJobs(first: 100, filter: {}) { edges { node { jobTemplateId isSlicedJob } } } }"
    )
    template_id = next(
        e["node"]["jobTemplateId"]
        for e in data["workflowJobs"]["edges"]
        if e["node"]["jobTemplateId"]
    )
    expected = httpx.get(
        f"{sandbox.url('awx')}/api/v2/job_templates/{template_id}/slice_workflow_jobs/",
        params={"page_size": 200},
        headers=AUTH,
    ).json()
    page = gateway.data(
        "query($id: Int!) { sliceWorkflowJobs(jobTemplateId: $id, first: 200) "
        "{ totalCount edges { node { awxId jobTemplateId jobTemplate { awxId name } } } } }",
        {"id": template_id},
    )["sliceWorkflowJobs"]
    assert page["totalCount"] == expected["count"]
    assert sorted(e["node"]["awxId"] for e in page["edges"]) == sorted(
        r["id"] for r in expected["results"]
    )
    assert {e["node"]["jobTemplate"]["awxId"] for e in page["edges"]} == {template_id}


def test_job_documents_are_reachable_whole(sandbox: SandboxThread, gateway: GatewayClient) -> None:
    data = gateway.data(
        "{ flowJobs(first: 1) { edges { node { jobId upstream } } }"
        "  workflowJobs(first: 1) { edges { node { awxId extraVars extraVarsText upstream } } } }"
    )
    flow = data["flowJobs"]["edges"][0]["node"]
    assert flow["upstream"]["jobId"] == flow["jobId"]
    awx = data["workflowJobs"]["edges"][0]["node"]
    assert awx["upstream"]["id"] == awx["awxId"]
    assert awx["extraVarsText"] == awx["upstream"]["extra_vars"]


def test_steps_resolve_parent_and_previous_inside_the_job(gateway: GatewayClient) -> None:
    data = gateway.data(
        "{ flowJobs(first: 100) { edges { node { steps { uniqueStepId previousUniqueStepId"
        " parentUniqueStepId parent { uniqueStepId } previous { uniqueStepId } } } } } }"
    )
    checked_parent = checked_previous = 0
    for edge in data["flowJobs"]["edges"]:
        ids = {s["uniqueStepId"] for s in edge["node"]["steps"]} - {None}
        for step in edge["node"]["steps"]:
            if step["parentUniqueStepId"] in ids:
                assert step["parent"]["uniqueStepId"] == step["parentUniqueStepId"]
                checked_parent += 1
            if step["previousUniqueStepId"] in ids:
                assert step["previous"]["uniqueStepId"] == step["previousUniqueStepId"]
                checked_previous += 1
            if not step["previousUniqueStepId"]:
                assert step["previous"] is None
    assert checked_parent > 0
    assert checked_previous > 0


def test_task_next_follows_transitions(gateway: GatewayClient) -> None:
    data = gateway.data(
        "{ operationsJobs(first: 20) { edges { node { tasks { taskId"
        " transitions { on taskId } next { taskId } } } } } }"
    )
    checked = 0
    for edge in data["operationsJobs"]["edges"]:
        ids = {t["taskId"] for t in edge["node"]["tasks"]}
        for task in edge["node"]["tasks"]:
            targets: list[str] = []
            for transition in task["transitions"]:
                if transition["taskId"] in ids and transition["taskId"] not in targets:
                    targets.append(transition["taskId"])
            assert [t["taskId"] for t in task["next"]] == targets
            checked += len(targets)
    assert checked > 0


def test_unknown_state_filter_pushes_down_as_not_in(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    reset_counts(sandbox)
    data = gateway.data(
        "{ operationsJobs(first: 100, filter: {states: [UNKNOWN, PAUSED]})"
        " { totalCount edges { node { state upstreamStatus } } } }"
    )
    page = data["operationsJobs"]
    states = {e["node"]["state"] for e in page["edges"]}
    assert "UNKNOWN" in states, "the seeded data holds undocumented statuses"
    assert states <= {"UNKNOWN", "PAUSED"}
    assert page["totalCount"] == len(page["edges"])
    assert upstream_requests(sandbox, "opsmanager") == {"GET /operations-manager/jobs": 1}
    raw = gateway.data(
        '{ operationsJobs(first: 100, filter: {states: [UNKNOWN], upstreamStatuses: ["paused"]})'
        " { totalCount } }"
    )
    assert raw["operationsJobs"]["totalCount"] == 0


def test_slice_workflow_jobs_of_a_missing_template_is_null(gateway: GatewayClient) -> None:
    """AWX answers 404 for the list of a template it does not have: a missing object, null."""
    body = gateway.execute(
        "{ missing: sliceWorkflowJobs(jobTemplateId: 999999, first: 5) { totalCount }"
        "  paged: sliceWorkflowJobs(jobTemplateId: 999999, first: 0) { totalCount } }"
    )
    assert "errors" not in body, body["errors"]
    assert body["data"] == {"missing": None, "paged": None}
