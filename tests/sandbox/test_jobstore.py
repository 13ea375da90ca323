"""The sandbox jobs store (WorkfloPlus-compatible) over real sockets."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.jobstore_data import generate_jobs, parse_iso
from sandbox.server import UPSTREAMS, SandboxSet, SandboxThread
from tests.conftest import TOKEN, sandbox_reset

# Copies of ../shared/seeds, committed so the tests do not depend on the layout around the repo.
SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
HEX24 = re.compile(r"^[0-9a-f]{24}$")
JOB_KEYS = {
    "jobId",
    "metadata",
    "completedSteps",
    "cancelledSteps",
    "team",
    "hierarchyStack",
    "packetIds",
    "jobExclusion",
    "excluded",
}
META_KEYS = {
    "clientJobId",
    "workflowId",
    "workflowVersionId",
    "jobTitle",
    "metadata",
    "created",
    "updated",
    "modified",
    "status",
    "userId",
    "currentStep",
    "abandonReason",
    "username",
    "workflowName",
}


def _seed_json_blocks(name: str) -> list[Any]:
    import json

    text = next(SEEDS.glob(f"{name}_*.txt")).read_text()
    blocks = re.findall(r"```\n(\{.*?|\[.*?)```", text, flags=re.S)
    fixed = [re.sub(r",(\s*[}\]])", r"\1", block) for block in blocks]
    return [json.loads(block) for block in fixed]


def seed_000() -> tuple[dict[str, Any], dict[str, Any]]:
    request, response = _seed_json_blocks("000")
    return request, response


@pytest.fixture
def client(sandbox: SandboxThread) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.url("jobstore"), headers=AUTH, timeout=10) as c:
        yield c


def post_job(client: httpx.Client, client_job_id: str | None = None, **meta: Any) -> Any:
    body, _ = seed_000()
    if client_job_id is None:
        del body["metadata"]["clientJobId"]
    else:
        body["metadata"]["clientJobId"] = client_job_id
    body["metadata"].update(meta)
    response = client.post("/jobs/v1", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_seed_000_request_comes_back_with_a_job_id(client: httpx.Client) -> None:
    request, expected = seed_000()
    response = client.post("/jobs/v1", json=request)
    assert response.status_code == 200
    job = response.json()
    assert HEX24.match(job["jobId"])
    assert set(job) == set(expected)
    assert set(job["metadata"]) == set(expected["metadata"])
    assert {k: v for k, v in job.items() if k != "jobId"} == {
        k: v for k, v in expected.items() if k != "jobId"
    }


def test_created_job_gets_client_job_id_and_created(client: httpx.Client) -> None:
    job = post_job(client, None, created=None, status=None)
    assert uuid.UUID(job["metadata"]["clientJobId"]).version == 4
    assert parse_iso(job["metadata"]["created"]) is not None
    assert job["metadata"]["status"] == "InProgress"


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ([1, 2], "JSON object"),
        ({"completedSteps": []}, "metadata"),
        ({"metadata": "x"}, "metadata"),
        ({"metadata": {"clientJobId": 12}}, "clientJobId"),
    ],
)
def test_create_rejects_bad_bodies(client: httpx.Client, body: Any, needle: str) -> None:
    response = client.post("/jobs/v1", json=body)
    assert response.status_code == 400
    problem = response.json()
    assert problem["type"] == "about:blank"
    assert problem["status"] == 400
    assert needle in problem["title"]


def test_create_rejects_invalid_json(client: httpx.Client) -> None:
    response = client.post(
        "/jobs/v1", content=b'{"metadata": {},}', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert "JSON" in response.json()["title"]


def test_bson_answers_an_array(client: httpx.Client) -> None:
    first = client.get("/jobs/v1", params={"limit": 1}).json()[0]
    response = client.get(f"/jobs/v1/bson/{first['jobId']}")
    assert response.status_code == 200
    body = response.json()
    assert isinstance(body, list)
    assert body == [first]


def test_bson_unknown_is_404_problem(client: httpx.Client) -> None:
    response = client.get("/jobs/v1/bson/000000000000000000000000")
    assert response.status_code == 404
    assert response.json() == {"type": "about:blank", "title": "Job not found", "status": 404}


def _created(job: dict[str, Any]) -> Any:
    return parse_iso(job["metadata"]["created"])


def test_list_defaults_to_20_newest_first(sandbox: SandboxThread, client: httpx.Client) -> None:
    sandbox_reset(sandbox, data=True)
    jobs = client.get("/jobs/v1").json()
    assert len(jobs) == 20
    keys = [(_created(j), j["jobId"]) for j in jobs]
    assert keys == sorted(keys, reverse=True)
    assert client.get("/jobs/v1/").json() == jobs


def test_list_pages_with_skip_and_limit(sandbox: SandboxThread, client: httpx.Client) -> None:
    sandbox_reset(sandbox, data=True)
    everything = client.get("/jobs/v1", params={"limit": 1000}).json()
    assert len(everything) == 300
    pages = [
        client.get("/jobs/v1/", params={"skip": skip, "limit": 70}).json()
        for skip in range(0, 300, 70)
    ]
    assert [len(p) for p in pages] == [70, 70, 70, 70, 20]
    assert [j["jobId"] for p in pages for j in p] == [j["jobId"] for j in everything]
    assert client.get("/jobs/v1", params={"skip": 300}).json() == []
    assert client.get("/jobs/v1", params={"limit": 0}).json() == []


@pytest.mark.parametrize("params", [{"skip": -1}, {"limit": -5}, {"limit": "x"}, {"skip": "1.5"}])
def test_list_rejects_bad_paging(client: httpx.Client, params: dict[str, Any]) -> None:
    response = client.get("/jobs/v1", params=params)
    assert response.status_code == 400
    assert response.json()["status"] == 400


def test_new_job_shows_in_the_list(client: httpx.Client) -> None:
    job = post_job(client, str(uuid.uuid4()), created="2099-01-01T00:00:00Z")
    assert client.get("/jobs/v1", params={"limit": 1}).json()[0]["jobId"] == job["jobId"]


def test_lookup_by_client_job_id(client: httpx.Client) -> None:
    client_job_id = str(uuid.uuid4())
    job = post_job(client, client_job_id)
    found = client.get(f"/jobs/v1/{client_job_id}").json()
    assert [j["jobId"] for j in found] == [job["jobId"]]
    assert client.get(f"/jobs/v1/{uuid.uuid4()}").json() == []


def test_no_dedup_by_client_job_id(client: httpx.Client) -> None:
    client_job_id = str(uuid.uuid4())
    first = post_job(client, client_job_id)
    second = post_job(client, client_job_id)
    assert first["jobId"] != second["jobId"]
    found = client.get(f"/jobs/v1/{client_job_id}").json()
    assert sorted(j["jobId"] for j in found) == sorted([first["jobId"], second["jobId"]])


def test_lookup_by_workflow(sandbox: SandboxThread, client: httpx.Client) -> None:
    sandbox_reset(sandbox, data=True)
    everything = client.get("/jobs/v1", params={"limit": 1000}).json()
    workflow_id = everything[0]["metadata"]["workflowId"]
    expected = [j["jobId"] for j in everything if j["metadata"]["workflowId"] == workflow_id]
    found = client.get(f"/jobs/v1/workflow/{workflow_id}").json()
    assert [j["jobId"] for j in found] == expected
    assert len(expected) > 5
    assert client.get("/jobs/v1/workflow/unknown").json() == []


def test_seeded_documents_are_complete_and_varied(
    sandbox: SandboxThread, client: httpx.Client
) -> None:
    sandbox_reset(sandbox, data=True)
    jobs = client.get("/jobs/v1", params={"limit": 1000}).json()
    statuses = {j["metadata"]["status"] for j in jobs}
    assert {"Completed", "Paused", "Aborted", "InProgress"} <= statuses
    assert statuses - {"Completed", "Paused", "Aborted", "InProgress"}
    for job in jobs:
        assert set(job) == JOB_KEYS
        assert set(job["metadata"]) == META_KEYS
        if job["metadata"]["status"] in ("Paused", "InProgress"):
            assert job["metadata"]["currentStep"] is not None
        if job["metadata"]["status"] == "Aborted":
            assert job["cancelledSteps"]
            assert job["metadata"]["abandonReason"]
    steps = [e["singleStep"] for j in jobs for e in (j["completedSteps"] or []) if e["singleStep"]]
    types = {s["stepType"] for s in steps}
    assert {"ConfirmStep", "Text", "Number", "Photo", "Signature", "Checklist", "Choice"} <= types
    assert any(s["parentUniqueStepId"] for s in steps)
    assert any(e["singleStep"] is None for j in jobs for e in (j["completedSteps"] or []))
    assert any("ScheduledJobId" in j["metadata"]["metadata"] for j in jobs)
    stamps = [s["completed"] for s in steps]
    assert any(re.search(r":\d\dZ$", s) for s in stamps)
    assert any(re.search(r"\.\dZ$", s) for s in stamps)
    assert any(re.search(r"\.\d{3}Z$", s) for s in stamps)


def test_data_is_deterministic() -> None:
    assert generate_jobs(7) == generate_jobs(7)
    assert generate_jobs(7) != generate_jobs(8)
    assert len(generate_jobs(7)) == 300


def test_reset_data_forgets_created_jobs(sandbox: SandboxThread, client: httpx.Client) -> None:
    client_job_id = str(uuid.uuid4())
    post_job(client, client_job_id)
    sandbox_reset(sandbox, data=True)
    assert client.get(f"/jobs/v1/{client_job_id}").json() == []
    assert len(client.get("/jobs/v1", params={"limit": 1000}).json()) == 300


def test_requires_bearer(sandbox: SandboxThread) -> None:
    base = sandbox.url("jobstore")
    for response in (
        httpx.get(f"{base}/jobs/v1"),
        httpx.post(f"{base}/jobs/v1", json={"metadata": {}}),
        httpx.get(f"{base}/jobs/v1/bson/x"),
        httpx.get(f"{base}/jobs/v1/workflow/x"),
        httpx.get(f"{base}/jobs/v1/x"),
        httpx.get(f"{base}/jobs/v1", headers={"Authorization": "Bearer wrong"}),
        httpx.get(f"{base}/jobs/v1", params={"token": TOKEN}),
    ):
        assert response.status_code == 401
        assert response.json()["status"] == 401
        assert response.json()["type"] == "about:blank"


def test_openapi_document(sandbox: SandboxThread) -> None:
    doc = httpx.get(f"{sandbox.url('jobstore')}/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert {
        "/jobs/v1",
        "/jobs/v1/bson/{job_id}",
        "/jobs/v1/workflow/{workflow_id}",
        "/jobs/v1/{client_job_id}",
    } <= set(doc["paths"])
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_clock_moves_created_job_to_completed() -> None:
    sandboxes = SandboxSet.create(ports=dict.fromkeys(UPSTREAMS, 0), progress_seconds=0.3)
    with (
        SandboxThread(sandboxes) as thread,
        httpx.Client(base_url=thread.url("jobstore"), headers=AUTH) as client,
    ):
        job = post_job(client, str(uuid.uuid4()), status="Paused")
        assert job["metadata"]["status"] == "InProgress"
        bson = f"/jobs/v1/bson/{job['jobId']}"
        assert client.get(bson).json()[0]["metadata"]["status"] == "InProgress"
        time.sleep(0.4)
        done = client.get(bson).json()[0]["metadata"]
        assert done["status"] == "Completed"
        assert done["currentStep"] is None
        assert parse_iso(done["updated"]) > parse_iso(job["metadata"]["updated"])  # type: ignore[operator]
        imported = post_job(client, str(uuid.uuid4()), status="Aborted")
        assert imported["metadata"]["status"] == "Aborted"
        assert (
            client.get(f"/jobs/v1/bson/{imported['jobId']}").json()[0]["metadata"]["status"]
            == "Aborted"
        )


def test_unknown_route_and_method_are_problem_details(client: httpx.Client) -> None:
    missing = client.get("/nope")
    assert missing.status_code == 404
    assert missing.json() == {"type": "about:blank", "title": "Not Found", "status": 404}
    wrong = client.delete("/jobs/v1")
    assert wrong.status_code == 405
    assert wrong.json()["status"] == 405
    assert "allow" in wrong.headers


def test_status_control_route_pins_a_job_status(
    sandbox: SandboxThread, client: httpx.Client
) -> None:
    job = post_job(client, str(uuid.uuid4()), status="Paused")
    route = f"/_sandbox/jobs/{job['jobId']}/status"
    sandbox_reset(sandbox)
    with httpx.Client(base_url=sandbox.url("jobstore"), timeout=10) as control:  # no credential
        pinned = control.put(route, json={"status": "Aborted"})
        assert pinned.status_code == 200
        assert pinned.json()["metadata"]["status"] == "Aborted"
        assert control.put(route, json={"status": ""}).status_code == 400
        assert control.put(route, content=b"not json").status_code == 400
        missing = control.put("/_sandbox/jobs/" + "0" * 24 + "/status", json={"status": "Aborted"})
        assert missing.status_code == 404
        assert missing.json()["title"] == "Job not found"
        # control routes are not counted
        assert control.get("/_sandbox/stats").json()["total"] == 0
    meta = client.get(f"/jobs/v1/bson/{job['jobId']}").json()[0]["metadata"]
    sandbox_reset(sandbox, data=True)
    assert meta["status"] == "Aborted"
    assert parse_iso(meta["updated"]) > parse_iso(job["metadata"]["updated"])  # type: ignore[operator]
