"""Inside operations-manager and jobs-store jobs, over real sockets: tasks and steps.

Request counts come from the sandbox's records and are exact.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import httpx
import pytest

from sandbox.server import SandboxThread
from tests.e2e.conftest import GatewayClient, reset_counts, upstream_requests

OPS = "/operations-manager/jobs"

TASKS = """
query($first: Int!) {
  operationsJobs(first: $first) { edges { node { opsId state errorText
    failedTasks { taskId }
    tasks { taskId status startedAt finishedAt durationSeconds finishState errorText
      errors { task message } }
  } } }
}"""


def _ops_job(sandbox: SandboxThread, headers: dict[str, str], job_id: str) -> dict[str, Any]:
    response = httpx.get(f"{sandbox.url('opsmanager')}{OPS}/{job_id}", headers=headers)
    response.raise_for_status()
    job: dict[str, Any] = response.json()["data"]
    return job


def _seconds(start: str | None, end: str | None) -> float | None:
    if start is None or end is None:
        return None
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def test_tasks_with_timings_and_errors_cost_one_request_for_50_jobs(
    sandbox: SandboxThread, gateway: GatewayClient, auth_headers: dict[str, str]
) -> None:
    reset_counts(sandbox)
    data = gateway.data(TASKS, {"first": 50})
    assert upstream_requests(sandbox, "opsmanager") == {f"GET {OPS}": 1}
    jobs = [edge["node"] for edge in data["operationsJobs"]["edges"]]
    failed = [job for job in jobs if job["state"] == "FAILED" and job["errorText"]]
    assert failed, "the page should hold failed jobs"
    for job in jobs:
        for task in job["tasks"]:
            expected = _seconds(task["startedAt"], task["finishedAt"])
            if expected is None:
                assert task["durationSeconds"] is None
            else:
                assert task["durationSeconds"] == pytest.approx(expected, abs=0.001)
        with_errors = [t for t in job["tasks"] if t["errors"]]
        for task in with_errors:
            assert all(e["task"] == task["taskId"] for e in task["errors"])
            assert task["errorText"] == "\n".join(e["message"] for e in task["errors"])
        assert all(t["errorText"] is None for t in job["tasks"] if not t["errors"])
        failed_ids = [t["taskId"] for t in job["failedTasks"]]
        assert failed_ids == [
            t["taskId"]
            for t in job["tasks"]
            if t["status"] == "error" or t["finishState"] in ("error", "failure")
        ]
    errored = next(job for job in failed if any(t["errors"] for t in job["tasks"]))
    truth = _ops_job(sandbox, auth_headers, errored["opsId"])
    messages = [e["message"] for e in truth["error"]]
    compact = [
        m if isinstance(m, str) else json.dumps(m, separators=(",", ":"), ensure_ascii=False)
        for m in messages
    ]
    assert errored["errorText"] == "\n".join(compact)


VARIABLES = """
query($first: Int!) {
  operationsJobs(first: $first) { edges { node { opsId variables
    tasks { taskId variables } } } }
}"""


def test_variables_are_read_only_when_asked_one_request_per_job(
    sandbox: SandboxThread, gateway: GatewayClient, auth_headers: dict[str, str]
) -> None:
    reset_counts(sandbox)
    gateway.data("query { operationsJobs(first: 5) { edges { node { opsId tasks { name } } } } }")
    assert upstream_requests(sandbox, "opsmanager") == {f"GET {OPS}": 1}

    reset_counts(sandbox)
    data = gateway.data(VARIABLES, {"first": 5})
    assert upstream_requests(sandbox, "opsmanager") == {f"GET {OPS}": 1, f"GET {OPS}/{{job_id}}": 5}
    for edge in data["operationsJobs"]["edges"]:
        job = edge["node"]
        truth = _ops_job(sandbox, auth_headers, job["opsId"])
        assert job["variables"] == truth["variables"]
        for task in job["tasks"]:
            assert task["variables"] == truth["tasks"][task["taskId"]]["variables"]
    listed = httpx.get(
        f"{sandbox.url('opsmanager')}{OPS}", params={"limit": 1}, headers=auth_headers
    ).json()["data"][0]
    assert "variables" not in listed, "Itential 2023.2+ lists jobs without variables"
    assert all("variables" not in task for task in listed["tasks"].values())


def test_a_failed_task_holds_its_error_in_its_variables(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    data = gateway.data(
        "{ operationsJobs(first: 100, filter: {states: [FAILED]}) { edges { node { opsId"
        " failedTasks { taskId status errorText variables } } } } }"
    )
    tasks = [
        task
        for edge in data["operationsJobs"]["edges"]
        for task in edge["node"]["failedTasks"]
        if task["status"] == "error" and task["errorText"]
    ]
    assert tasks
    for task in tasks:
        error = task["variables"]["error"]
        assert (error if isinstance(error, str) else "").replace("\n", "") in task["errorText"]


STEPS = """
query($first: Int!) {
  flowJobs(first: $first) { edges { node { jobId steps { uniqueStepId type userName started
    completed cancelled durationSeconds attachments { kind resourceId fileName } } } } }
}"""


def test_steps_with_timings_and_attachments_cost_one_request(
    sandbox: SandboxThread, gateway: GatewayClient, auth_headers: dict[str, str]
) -> None:
    reset_counts(sandbox)
    data = gateway.data(STEPS, {"first": 20})
    assert upstream_requests(sandbox, "jobstore") == {"GET /jobs/v1/": 1}
    steps = [s for edge in data["flowJobs"]["edges"] for s in edge["node"]["steps"]]
    assert any(s["attachments"] for s in steps), "the page should have attachments"
    for step in steps:
        expected = _seconds(step["started"], step["completed"] or step["cancelled"])
        if expected is None or expected < 0:
            assert step["durationSeconds"] is None
        else:
            assert step["durationSeconds"] == pytest.approx(expected, abs=0.001)
    job = next(
        e["node"]
        for e in data["flowJobs"]["edges"]
        if any(s["attachments"] for s in e["node"]["steps"])
    )
    truth = httpx.get(
        f"{sandbox.url('jobstore')}/jobs/v1/bson/{job['jobId']}", headers=auth_headers
    ).json()
    truth = truth[0] if isinstance(truth, list) else truth
    bodies = {
        entry["singleStep"]["uniqueStepId"]: entry["singleStep"]
        for entry in truth.get("completedSteps") or []
        if entry.get("singleStep")
    }
    compared = named = 0
    for step in job["steps"]:
        body = bodies.get(step["uniqueStepId"])
        if body is None:
            continue
        compared += 1
        values = [a for a in step["attachments"] if a["kind"] == "VALUE"]
        notes = [a for a in step["attachments"] if a["kind"] == "NOTE"]
        assert [a["resourceId"] for a in values] == body["valueResourceIds"]
        assert [a["fileName"] for a in notes] == (body["noteResourceFilenames"] or [])
        if values and len(body["values"]) == len(values):
            named += 1
            assert [a["fileName"] for a in values] == body["values"]
    assert compared > 0
    assert named > 0
