"""The sandbox operations manager's job actions and their state rules, over real sockets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sandbox.server import SandboxThread
from tests.conftest import TOKEN, sandbox_stats

AUTH = {"Authorization": f"Bearer {TOKEN}"}
JOBS = "/operations-manager/jobs"


@pytest.fixture
def ops(sandbox: SandboxThread) -> Iterator[httpx.Client]:
    """An operations-manager client over freshly seeded data, reseeded afterwards."""
    reseed = f"{sandbox.url('opsmanager')}/_sandbox/reset"
    httpx.post(reseed, json={"data": True}).raise_for_status()
    with httpx.Client(base_url=sandbox.url("opsmanager"), headers=AUTH, timeout=10) as client:
        yield client
    httpx.post(reseed, json={"data": True}).raise_for_status()


def _first(client: httpx.Client, status: str) -> dict[str, Any]:
    found = client.get(JOBS, params={"equals[status]": status, "limit": 1}).json()
    job: dict[str, Any] = found["data"][0]
    return job


def _status(client: httpx.Client, job_id: str) -> str:
    status: str = client.get(f"{JOBS}/{job_id}").json()["data"]["status"]
    return status


@pytest.mark.parametrize(
    ("action", "before", "after", "message"),
    [
        ("cancel", "running", "canceled", "Successfully canceled all jobs"),
        ("cancel", "paused", "canceled", "Successfully canceled all jobs"),
        ("cancel", "error", "canceled", "Successfully canceled all jobs"),
        ("pause", "running", "paused", "Successfully paused all jobs"),
        ("resume", "paused", "running", "Successfully resumed all jobs"),
    ],
)
def test_allowed_actions_change_the_status(
    ops: httpx.Client, sandbox: SandboxThread, action: str, before: str, after: str, message: str
) -> None:
    job = _first(ops, before)
    answer = ops.post(f"{JOBS}/{action}", json={"jobIds": [job["_id"]]})
    assert answer.status_code == 200
    body = answer.json()
    assert body["message"] == message
    assert [j["_id"] for j in body["data"]] == [job["_id"]]
    assert body["metadata"] == {}
    assert _status(ops, job["_id"]) == after
    requests = sandbox_stats(sandbox, "opsmanager")["requests"]
    assert isinstance(requests, dict)
    assert requests[f"POST {JOBS}/{action}"] == 1


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("cancel", "complete"),
        ("cancel", "canceled"),
        ("pause", "paused"),
        ("pause", "complete"),
        ("resume", "running"),
        ("resume", "error"),
    ],
)
def test_forbidden_states_answer_400_and_change_nothing(
    ops: httpx.Client, action: str, status: str
) -> None:
    job = _first(ops, status)
    answer = ops.post(f"{JOBS}/{action}", json={"jobIds": [job["_id"]]})
    assert answer.status_code == 400
    body = answer.json()
    assert body["data"] is None
    assert f"its status is {status}" in body["message"]
    assert _status(ops, job["_id"]) == status


def test_bulk_actions_are_all_or_nothing(ops: httpx.Client) -> None:
    running = _first(ops, "running")
    done = _first(ops, "complete")
    answer = ops.post(f"{JOBS}/cancel", json={"jobIds": [running["_id"], done["_id"]]})
    assert answer.status_code == 400
    assert _status(ops, running["_id"]) == "running"
    missing = ops.post(f"{JOBS}/pause", json={"jobIds": [running["_id"], "f" * 24]})
    assert missing.status_code == 404
    assert missing.json()["message"] == f"Job not found: {'f' * 24}"
    assert _status(ops, running["_id"]) == "running"


@pytest.mark.parametrize(
    "body", [{}, {"jobIds": []}, {"jobIds": "abc"}, {"jobIds": [1]}, {"jobIds": ["a"], "x": 1}]
)
def test_bad_bodies_are_400(ops: httpx.Client, body: dict[str, Any]) -> None:
    answer = ops.post(f"{JOBS}/cancel", json=body)
    assert answer.status_code == 400
    assert answer.json()["data"] is None


def test_retry_runs_an_errored_task_again(ops: httpx.Client, sandbox: SandboxThread) -> None:
    job = _first(ops, "error")
    task_id = next(k for k, t in job["tasks"].items() if t["status"] == "error")
    answer = ops.post(f"{JOBS}/{job['_id']}/tasks/{task_id}/retry", json={"variables": {"a": 1}})
    assert answer.status_code == 200
    assert answer.json()["message"] == "Successfully retried task"
    now = ops.get(f"{JOBS}/{job['_id']}").json()["data"]
    assert now["status"] == "running"
    assert now["tasks"][task_id]["status"] == "running"
    assert now["tasks"][task_id]["variables"]["incoming"] == {"a": 1}
    assert all(e.get("task") != task_id for e in now["error"] if isinstance(e, dict))
    again = ops.post(f"{JOBS}/{job['_id']}/tasks/{task_id}/retry", json={})
    assert again.status_code == 400
    assert "cannot be retried" in again.json()["message"]
    requests = sandbox_stats(sandbox, "opsmanager")["requests"]
    assert isinstance(requests, dict)
    assert requests[f"POST {JOBS}/{{job_id}}/tasks/{{task_id}}/retry"] == 2


def test_retry_of_unknown_job_or_task_is_404(ops: httpx.Client) -> None:
    job = _first(ops, "error")
    task = ops.post(f"{JOBS}/{job['_id']}/tasks/zzzz/retry", json={})
    assert (task.status_code, task.json()["message"]) == (404, "Task not found")
    unknown = ops.post(f"{JOBS}/{'f' * 24}/tasks/zzzz/retry", json={})
    assert (unknown.status_code, unknown.json()["message"]) == (404, "Job not found")


def test_a_started_job_acted_on_leaves_its_clock(ops: httpx.Client) -> None:
    started = ops.post(f"{JOBS}/start", json={"workflow": "paused later", "options": {}}).json()
    job_id = started["data"]["_id"]
    assert ops.post(f"{JOBS}/pause", json={"jobIds": [job_id]}).status_code == 200
    assert _status(ops, job_id) == "paused"
    assert ops.post(f"{JOBS}/resume", json={"jobIds": [job_id]}).status_code == 200
    assert ops.post(f"{JOBS}/cancel", json={"jobIds": [job_id]}).status_code == 200
    assert _status(ops, job_id) == "canceled"


def test_openapi_describes_the_actions(ops: httpx.Client) -> None:
    paths = ops.get("/openapi.json").json()["paths"]
    for action in ("cancel", "pause", "resume"):
        assert set(paths[f"{JOBS}/{action}"]["post"]["responses"]) >= {"200", "400", "404"}
    assert "post" in paths[f"{JOBS}/{{job_id}}/tasks/{{task_id}}/retry"]
