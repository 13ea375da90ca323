"""What ran inside AWX workflow jobs, over real sockets: spawned jobs, host counts, output.

Request counts come from the sandbox's records (``/_sandbox/stats``) and are exact.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from sandbox.server import SandboxThread
from schema.core.ids import to_global_id
from schema.core.pagination import encode_offset_cursor
from tests.e2e.conftest import GatewayClient, GatewayFactory, reset_counts, upstream_requests

API = "/api/v2"

NODE_JOBS = """
query($first: Int!) {
  workflowJobs(first: $first) {
    edges { node { awxId nodes { awxId jobId job {
      __typename id awxId type source state upstreamStatus failed
      startedAt finishedAt elapsedSeconds launchType
      ... on PlaybookJob { playbook jobTemplateId }
      ... on ProjectUpdate { scmUrl projectId }
      ... on InventoryUpdate { sourceKind inventoryId }
      ... on WorkflowJob { isSlicedJob }
    } } } }
  }
}"""


def _awx(sandbox: SandboxThread, path: str, headers: dict[str, str], **params: Any) -> Any:
    response = httpx.get(f"{sandbox.url('awx')}{path}", params=params, headers=headers)
    response.raise_for_status()
    return response.json()


def _node_jobs(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        node["job"]
        for edge in data["workflowJobs"]["edges"]
        for node in edge["node"]["nodes"]
        if node["job"] is not None
    ]


def test_node_jobs_cost_the_same_awx_requests_for_10_and_50_workflow_jobs(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    seen: dict[int, list[dict[str, Any]]] = {}
    for first in (10, 50):
        reset_counts(sandbox)
        data = gateway.data(NODE_JOBS, {"first": first})
        assert len(data["workflowJobs"]["edges"]) == first
        seen[first] = _node_jobs(data)
        assert upstream_requests(sandbox, "awx") == {
            "GET /api/v2/workflow_jobs/": 1,
            "GET /api/v2/workflow_job_nodes/": 1,
            "GET /api/v2/unified_jobs/": 1,
        }, first
    assert len(seen[50]) > len(seen[10]) > 0
    kinds = {job["__typename"] for job in seen[50]}
    assert kinds == {"PlaybookJob", "ProjectUpdate", "InventoryUpdate", "WorkflowJob"}


def test_node_jobs_match_the_unified_jobs_awx_has(
    sandbox: SandboxThread, gateway: GatewayClient, auth_headers: dict[str, str]
) -> None:
    data = gateway.data(NODE_JOBS, {"first": 50})
    for edge in data["workflowJobs"]["edges"]:
        for node in edge["node"]["nodes"]:
            assert (node["job"] is None) == (node["jobId"] is None)
            if node["job"] is not None:
                assert node["job"]["awxId"] == node["jobId"]
    jobs = _node_jobs(data)
    assert {job["__typename"] for job in jobs} == {
        "PlaybookJob",
        "ProjectUpdate",
        "InventoryUpdate",
        "WorkflowJob",
    }
    ids = ",".join(str(job["awxId"]) for job in jobs)
    truth = {
        doc["id"]: doc
        for doc in _awx(sandbox, f"{API}/unified_jobs/", auth_headers, id__in=ids, page_size=200)[
            "results"
        ]
    }
    states = {"successful": "SUCCEEDED", "failed": "FAILED", "error": "FAILED"}
    states |= {"running": "RUNNING", "canceled": "CANCELED"}
    for job in jobs:
        doc = truth[job["awxId"]]
        assert job["source"] == "AWX"
        assert job["type"] == doc["type"]
        assert job["upstreamStatus"] == doc["status"]
        assert job["state"] == states[doc["status"]]
        assert job["failed"] is doc["failed"]
        assert job["launchType"] == "workflow"
        assert job["startedAt"] is not None
        assert (job["finishedAt"] is None) == (doc["finished"] is None)
        if doc["finished"] is not None:
            assert job["elapsedSeconds"] == pytest.approx(doc["elapsed"])
        if job["__typename"] == "PlaybookJob":
            assert job["playbook"] == doc["playbook"]
            assert job["jobTemplateId"] == doc["job_template"]
        elif job["__typename"] == "ProjectUpdate":
            assert job["scmUrl"] == doc["scm_url"]
        elif job["__typename"] == "InventoryUpdate":
            assert job["sourceKind"] == doc["source"]
        else:
            assert job["isSlicedJob"] is False
    assert any(truth[job["awxId"]]["finished"] is not None for job in jobs)


def test_a_spawned_job_is_a_node_of_its_own(gateway: GatewayClient) -> None:
    jobs = _node_jobs(gateway.data(NODE_JOBS, {"first": 30}))
    playbook = next(job for job in jobs if job["__typename"] == "PlaybookJob")
    found = gateway.data(
        "query($id: ID!) { node(id: $id) { __typename ... on PlaybookJob { awxId } } }",
        {"id": playbook["id"]},
    )
    assert found["node"] == {"__typename": "PlaybookJob", "awxId": playbook["awxId"]}


HOST_COUNTS = """
query {
  workflowJobs(first: 20) { edges { node { nodes { job { awxId state
    ... on PlaybookJob { hostStatusCounts { ok changed failures unreachable skipped total } }
  } } } } }
}"""


def test_host_counts_cost_one_detail_request_per_playbook_job(
    sandbox: SandboxThread, gateway: GatewayClient, auth_headers: dict[str, str]
) -> None:
    reset_counts(sandbox)
    data = gateway.data(HOST_COUNTS)
    playbooks = [
        node["job"]
        for edge in data["workflowJobs"]["edges"]
        for node in edge["node"]["nodes"]
        if node["job"] is not None and "hostStatusCounts" in node["job"]
    ]
    distinct = {job["awxId"] for job in playbooks}
    assert len(distinct) > 5
    requests = upstream_requests(sandbox, "awx")
    assert requests.pop("GET /api/v2/jobs/{id}/") == len(distinct)
    assert requests == {
        "GET /api/v2/workflow_jobs/": 1,
        "GET /api/v2/workflow_job_nodes/": 1,
        "GET /api/v2/unified_jobs/": 1,
    }
    counted = failed_counted = 0
    for job in playbooks:
        detail = _awx(sandbox, f"{API}/jobs/{job['awxId']}/", auth_headers)
        raw = detail["host_status_counts"]
        counts = job["hostStatusCounts"]
        if not raw:
            assert counts is None, "no stats yet: null, not zeros"
            continue
        counted += 1
        assert counts["ok"] == raw.get("ok", 0)
        assert counts["failures"] == raw.get("failures", 0)
        assert counts["unreachable"] == raw.get("dark", 0)
        assert counts["total"] == sum(raw.values())
        if job["state"] == "FAILED":
            failed_counted += 1
            assert counts["failures"] + counts["unreachable"] >= 1
    assert counted > 0
    assert failed_counted > 0


# -- output ---------------------------------------------------------------------------

STDOUT = """
query($id: ID!, $first: Int, $after: String) {
  node(id: $id) { ... on PlaybookJob { stdout(first: $first, after: $after) {
    totalCount cutShort notice
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { number text ansiText truncated } }
  } } }
}"""


def _finished_playbook(
    sandbox: SandboxThread, headers: dict[str, str], *, big: bool
) -> dict[str, Any]:
    """A finished playbook job a node spawned: one of a few thousand lines when ``big``."""
    docs = _awx(
        sandbox, f"{API}/unified_jobs/", headers, type="job", status="successful", page_size=200
    )["results"]
    for doc in docs:
        spawned = doc["launch_type"] == "workflow" and doc["id"] % 50 != 7
        if spawned and (doc["id"] % 5 == 0) == big:
            return dict(doc)
    raise AssertionError("the sandbox should have such a job")


def _global_id(awx_id: int) -> str:
    return to_global_id("PlaybookJob", awx_id)


def _stdout(gateway: GatewayClient, awx_id: int, **variables: Any) -> dict[str, Any]:
    data = gateway.data(STDOUT, {"id": _global_id(awx_id), **variables})
    result: dict[str, Any] = data["node"]["stdout"]
    return result


def test_output_pages_first_next_and_last(
    sandbox: SandboxThread, gateway: GatewayClient, auth_headers: dict[str, str]
) -> None:
    job = _finished_playbook(sandbox, auth_headers, big=True)
    path = f"{API}/jobs/{job['id']}/stdout/"
    whole = _awx(sandbox, path, auth_headers, format="json", start_line=0)
    lines = whole["content"].split("\n")[:-1]
    total = whole["range"]["absolute_end"]
    assert total == len(lines) > 2000, "a few thousand lines"

    reset_counts(sandbox)
    first = _stdout(gateway, job["id"])
    one_page = {f"GET {API}/unified_jobs/": 1, f"GET {API}/jobs/{{id}}/stdout/": 1}
    assert upstream_requests(sandbox, "awx") == one_page, "the job, then one page"
    assert first["totalCount"] == total
    assert [e["node"]["number"] for e in first["edges"]] == list(range(1, 101))
    assert [e["node"]["ansiText"] for e in first["edges"]] == lines[:100]
    assert first["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "startCursor": first["edges"][0]["cursor"],
        "endCursor": first["edges"][-1]["cursor"],
    }
    coloured = next(e["node"] for e in first["edges"] if "\x1b[" in e["node"]["ansiText"])
    assert "\x1b" not in coloured["text"]
    assert coloured["text"] in coloured["ansiText"]

    reset_counts(sandbox)
    second = _stdout(gateway, job["id"], first=250, after=first["pageInfo"]["endCursor"])
    assert upstream_requests(sandbox, "awx") == one_page
    assert [e["node"]["number"] for e in second["edges"]] == list(range(101, 351))
    assert [e["node"]["ansiText"] for e in second["edges"]] == lines[100:350]
    assert second["pageInfo"]["hasPreviousPage"] is True

    last = _stdout(gateway, job["id"], first=1000, after=encode_offset_cursor(total - 3))
    assert [e["node"]["number"] for e in last["edges"]] == [total - 1, total]
    assert last["pageInfo"]["hasNextPage"] is False
    assert last["edges"][-1]["node"]["text"] == lines[-1]
    after_last = _stdout(gateway, job["id"], after=last["pageInfo"]["endCursor"])
    assert after_last["edges"] == []
    assert after_last["pageInfo"]["hasNextPage"] is False


def test_output_page_caps(
    sandbox: SandboxThread, start_gateway: GatewayFactory, auth_headers: dict[str, str]
) -> None:
    gateway = start_gateway(GATEWAY_OUTPUT_MAX_LINES="300", GATEWAY_OUTPUT_MAX_BYTES="2048")
    job = _finished_playbook(sandbox, auth_headers, big=True)
    reset_counts(sandbox)
    body = gateway.execute(STDOUT, {"id": _global_id(job["id"]), "first": 301})
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["argument"] == "first"
    assert upstream_requests(sandbox, "awx") == {f"GET {API}/unified_jobs/": 1}, "no output read"

    page = _stdout(gateway, job["id"], first=300)
    assert page["cutShort"] is True
    assert 0 < len(page["edges"]) < 300
    size = sum(len(e["node"]["ansiText"].encode()) + 1 for e in page["edges"])
    assert size <= 2048
    following = _stdout(gateway, job["id"], first=5, after=page["pageInfo"]["endCursor"])
    assert following["edges"][0]["node"]["number"] == len(page["edges"]) + 1


@pytest.mark.parametrize("cursor", ["past the end", "foreign"])
def test_a_bad_output_cursor_is_bad_user_input(
    sandbox: SandboxThread, gateway: GatewayClient, auth_headers: dict[str, str], cursor: str
) -> None:
    job = _finished_playbook(sandbox, auth_headers, big=False)
    total = _stdout(gateway, job["id"], first=0)["totalCount"]
    after = encode_offset_cursor(total + 5) if cursor == "past the end" else "bm9wZQ"
    body = gateway.execute(STDOUT, {"id": _global_id(job["id"]), "after": after})
    assert body["data"]["node"] is None or body["data"]["node"]["stdout"] is None
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["argument"] == "after"


def test_output_awx_refuses_to_display_is_a_notice(
    sandbox: SandboxThread, gateway: GatewayClient, auth_headers: dict[str, str]
) -> None:
    docs = _awx(sandbox, f"{API}/unified_jobs/", auth_headers, type="job", page_size=200)
    huge = next(
        d
        for d in docs["results"]
        if d["id"] % 50 == 7 and d["launch_type"] == "workflow" and d["status"] != "running"
    )
    page = _stdout(gateway, huge["id"])
    assert page["edges"] == []
    assert page["totalCount"] is None
    assert page["notice"].startswith("Standard Output too large to display")
    assert page["pageInfo"]["hasNextPage"] is False


def test_project_update_output_and_a_workflow_job_without_one(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    data = gateway.data(
        "{ workflowJobs(first: 50) { edges { node { nodes { job { __typename"
        " ... on ProjectUpdate { stdout(first: 3) { totalCount edges { node { text } } } }"
        " } } } } } }"
    )
    updates = [
        node["job"]
        for edge in data["workflowJobs"]["edges"]
        for node in edge["node"]["nodes"]
        if node["job"] and node["job"]["__typename"] == "ProjectUpdate"
    ]
    assert updates
    for update in updates:
        assert update["stdout"]["totalCount"] == 8
        assert update["stdout"]["edges"][1]["node"]["text"].startswith("PLAY [Update source")
    sdl = gateway.data('{ __type(name: "WorkflowJob") { fields { name } } }')
    assert "stdout" not in {f["name"] for f in sdl["__type"]["fields"]}
