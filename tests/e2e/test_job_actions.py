"""Operator actions end to end: the gateway and the sandbox upstreams as real servers.

Every action is one POST and one re-read of the job, counted exactly on the
sandbox; refusals for the job's state, for permission and for a missing
action; a lost answer is never resent and is reported with the state read once
after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sandbox.server import SandboxThread
from schema.core.ids import to_global_id
from tests.conftest import CONTROL, TOKEN, sandbox_reset
from tests.e2e.conftest import GatewayClient, set_faults, upstream_requests

AUTH = {"Authorization": f"Bearer {TOKEN}"}
WJ = "/api/v2/workflow_jobs/"
OPS = "/operations-manager/jobs"

AWX_CANCEL = "POST /api/v2/workflow_jobs/{id}/cancel/"
AWX_RELAUNCH = "POST /api/v2/workflow_jobs/{id}/relaunch/"
AWX_REREAD = "GET /api/v2/workflow_jobs/"
OPS_REREAD = "GET /operations-manager/jobs"

PAYLOAD = """
  outcome
  job { id source state upstreamStatus
        ... on WorkflowJob { awxId canceledOn }
        ... on OperationsJob { opsId tasks { taskId status } } }
  userErrors { field message code }
"""
ACTION = "mutation($id: ID!) {{ {name}(id: $id) {{ {payload} }} }}"
RELAUNCH = (
    "mutation($id: ID!) { relaunchJob(id: $id) { "
    + PAYLOAD
    + " newJob { id awxId state upstreamStatus launchType } } }"
)
RETRY = (
    "mutation($id: ID!, $task: String!, $vars: JSON) { "
    "retryOperationsTask(id: $id, taskId: $task, variables: $vars) { " + PAYLOAD + " } }"
)


@pytest.fixture
def fresh(sandbox: SandboxThread) -> Iterator[SandboxThread]:
    """The sandbox with freshly seeded data and zero counts, reseeded again after."""
    sandbox_reset(sandbox, data=True)
    yield sandbox
    sandbox_reset(sandbox, data=True)


def _act(gateway: GatewayClient, name: str, global_id: str) -> dict[str, Any]:
    body = gateway.data(ACTION.format(name=name, payload=PAYLOAD), {"id": global_id})
    result: dict[str, Any] = body[name]
    return result


def _awx(sandbox: SandboxThread, **params: Any) -> list[dict[str, Any]]:
    page = CONTROL.get(
        f"{sandbox.url('awx')}{WJ}", params={**params, "page_size": 200}, headers=AUTH
    ).json()
    results: list[dict[str, Any]] = page["results"]
    return results


def _awx_count(sandbox: SandboxThread) -> int:
    page = CONTROL.get(f"{sandbox.url('awx')}{WJ}", params={"page_size": 1}, headers=AUTH).json()
    count: int = page["count"]
    return count


def _awx_job(sandbox: SandboxThread, status: str, *, may_start: bool = True) -> int:
    for doc in _awx(sandbox, status=status, order_by="id"):
        if doc["summary_fields"]["user_capabilities"]["start"] is may_start:
            job_id: int = doc["id"]
            _reset_counts(sandbox)
            return job_id
    raise AssertionError(f"no seeded {status} workflow job with start={may_start}")


def _ops_job(sandbox: SandboxThread, status: str) -> dict[str, Any]:
    found = CONTROL.get(
        f"{sandbox.url('opsmanager')}{OPS}",
        params={"equals[status]": status, "limit": 1},
        headers=AUTH,
    ).json()
    job: dict[str, Any] = found["data"][0]
    _reset_counts(sandbox)
    return job


def _flow_job_id(sandbox: SandboxThread) -> str:
    jobs = CONTROL.get(
        f"{sandbox.url('jobstore')}/jobs/v1/", params={"limit": 1}, headers=AUTH
    ).json()
    job_id: str = jobs[0]["jobId"]
    _reset_counts(sandbox)
    return job_id


def _counts(sandbox: SandboxThread) -> dict[str, dict[str, int]]:
    return {name: upstream_requests(sandbox, name) for name in ("jobstore", "opsmanager", "awx")}


def _reset_counts(sandbox: SandboxThread) -> None:
    for name in ("jobstore", "opsmanager", "awx"):
        CONTROL.post(f"{sandbox.url(name)}/_sandbox/reset").raise_for_status()


# -- AWX ---------------------------------------------------------------------------------


def test_cancel_a_pending_awx_workflow_job(fresh: SandboxThread, gateway: GatewayClient) -> None:
    job_id = _awx_job(fresh, "pending")
    result = _act(gateway, "cancelJob", to_global_id("WorkflowJob", job_id))
    assert result["outcome"] == "APPLIED"
    assert result["userErrors"] == []
    job = result["job"]
    assert (job["awxId"], job["source"], job["state"]) == (job_id, "AWX", "CANCELED")
    assert job["upstreamStatus"] == "canceled"
    assert job["canceledOn"] is not None
    assert _counts(fresh) == {
        "jobstore": {},
        "opsmanager": {},
        "awx": {AWX_CANCEL: 1, AWX_REREAD: 1},
    }


def test_cancel_a_finished_awx_job_is_invalid_state_naming_it(
    fresh: SandboxThread, gateway: GatewayClient
) -> None:
    job_id = _awx_job(fresh, "successful")
    result = _act(gateway, "cancelJob", to_global_id("WorkflowJob", job_id))
    assert result["outcome"] == "REFUSED"
    [error] = result["userErrors"]
    assert (error["code"], error["field"]) == ("INVALID_STATE", "id")
    assert "SUCCEEDED" in error["message"]
    assert "'successful'" in error["message"]
    assert result["job"]["state"] == "SUCCEEDED"
    assert upstream_requests(fresh, "awx") == {AWX_CANCEL: 1, AWX_REREAD: 1}


def test_cancel_without_permission_is_forbidden(
    fresh: SandboxThread, gateway: GatewayClient
) -> None:
    job_id = _awx_job(fresh, "pending", may_start=False)
    result = _act(gateway, "cancelJob", to_global_id("WorkflowJob", job_id))
    assert result["outcome"] == "REFUSED"
    [error] = result["userErrors"]
    assert error["code"] == "FORBIDDEN"
    assert "permission" in error["message"]
    assert result["job"]["state"] == "QUEUED"
    assert upstream_requests(fresh, "awx") == {AWX_CANCEL: 1, AWX_REREAD: 1}


def test_cancel_an_unknown_awx_job_is_not_found_without_a_reread(
    fresh: SandboxThread, gateway: GatewayClient
) -> None:
    result = _act(gateway, "cancelJob", to_global_id("WorkflowJob", 999999))
    assert result["outcome"] == "REFUSED"
    assert result["job"] is None
    assert [e["code"] for e in result["userErrors"]] == ["NOT_FOUND"]
    assert upstream_requests(fresh, "awx") == {AWX_CANCEL: 1}


def test_relaunch_an_awx_workflow_job(fresh: SandboxThread, gateway: GatewayClient) -> None:
    job_id = _awx_job(fresh, "failed")
    before = _awx_count(fresh)
    _reset_counts(fresh)
    body = gateway.data(RELAUNCH, {"id": to_global_id("WorkflowJob", job_id)})["relaunchJob"]
    assert body["outcome"] == "APPLIED"
    assert body["userErrors"] == []
    assert (body["job"]["awxId"], body["job"]["state"]) == (job_id, "FAILED")
    new = body["newJob"]
    assert new["awxId"] != job_id
    assert new["id"] == to_global_id("WorkflowJob", new["awxId"])
    assert (new["state"], new["upstreamStatus"], new["launchType"]) == (
        "QUEUED",
        "pending",
        "relaunch",
    )
    assert upstream_requests(fresh, "awx") == {AWX_RELAUNCH: 1, AWX_REREAD: 1}
    assert _awx_count(fresh) == before + 1


def test_relaunch_without_permission_is_forbidden_and_makes_nothing(
    fresh: SandboxThread, gateway: GatewayClient
) -> None:
    job_id = _awx_job(fresh, "failed", may_start=False)
    before = _awx_count(fresh)
    _reset_counts(fresh)
    body = gateway.data(RELAUNCH, {"id": to_global_id("WorkflowJob", job_id)})["relaunchJob"]
    assert body["outcome"] == "REFUSED"
    assert body["newJob"] is None
    assert [e["code"] for e in body["userErrors"]] == ["FORBIDDEN"]
    assert body["job"]["state"] == "FAILED"
    assert upstream_requests(fresh, "awx") == {AWX_RELAUNCH: 1, AWX_REREAD: 1}
    assert _awx_count(fresh) == before


@pytest.mark.parametrize("name", ["pauseJob", "resumeJob"])
def test_awx_has_no_pause_or_resume(
    fresh: SandboxThread, gateway: GatewayClient, name: str
) -> None:
    job_id = _awx_job(fresh, "running")
    result = _act(gateway, name, to_global_id("WorkflowJob", job_id))
    assert result["outcome"] == "REFUSED"
    assert result["job"] is None
    [error] = result["userErrors"]
    assert error["code"] == "UNSUPPORTED"
    assert "AWX cannot" in error["message"]
    assert "cancel, relaunch" in error["message"]
    assert upstream_requests(fresh, "awx") == {}


# -- operations manager -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "before", "state", "word"),
    [
        ("cancelJob", "running", "CANCELED", "canceled"),
        ("cancelJob", "paused", "CANCELED", "canceled"),
        ("cancelJob", "error", "CANCELED", "canceled"),
        ("pauseJob", "running", "PAUSED", "paused"),
        ("resumeJob", "paused", "RUNNING", "running"),
    ],
)
def test_operations_manager_actions(
    fresh: SandboxThread, gateway: GatewayClient, name: str, before: str, state: str, word: str
) -> None:
    job = _ops_job(fresh, before)
    _reset_counts(fresh)
    result = _act(gateway, name, to_global_id("OperationsJob", job["_id"]))
    assert result["outcome"] == "APPLIED"
    assert result["userErrors"] == []
    assert (result["job"]["opsId"], result["job"]["state"]) == (job["_id"], state)
    assert result["job"]["upstreamStatus"] == word
    action = name.removesuffix("Job")
    assert _counts(fresh) == {
        "jobstore": {},
        "opsmanager": {f"POST {OPS}/{action}": 1, OPS_REREAD: 1},
        "awx": {},
    }


@pytest.mark.parametrize(
    ("name", "status", "state"),
    [
        ("cancelJob", "complete", "SUCCEEDED"),
        ("cancelJob", "canceled", "CANCELED"),
        ("pauseJob", "paused", "PAUSED"),
        ("pauseJob", "complete", "SUCCEEDED"),
        ("resumeJob", "running", "RUNNING"),
    ],
)
def test_operations_manager_state_refusals_name_the_state(
    fresh: SandboxThread, gateway: GatewayClient, name: str, status: str, state: str
) -> None:
    job = _ops_job(fresh, status)
    _reset_counts(fresh)
    result = _act(gateway, name, to_global_id("OperationsJob", job["_id"]))
    assert result["outcome"] == "REFUSED"
    [error] = result["userErrors"]
    assert error["code"] == "INVALID_STATE"
    assert state in error["message"]
    assert f"'{status}'" in error["message"]
    assert result["job"]["state"] == state
    action = name.removesuffix("Job")
    assert upstream_requests(fresh, "opsmanager") == {f"POST {OPS}/{action}": 1, OPS_REREAD: 1}


def test_retry_an_operations_task(fresh: SandboxThread, gateway: GatewayClient) -> None:
    job = _ops_job(fresh, "error")
    task_id = next(k for k, t in job["tasks"].items() if t["status"] == "error")
    _reset_counts(fresh)
    body = gateway.data(
        RETRY,
        {"id": to_global_id("OperationsJob", job["_id"]), "task": task_id, "vars": {"a": 1}},
    )["retryOperationsTask"]
    assert body["outcome"] == "APPLIED"
    assert body["userErrors"] == []
    assert body["job"]["state"] == "RUNNING"
    tasks = {t["taskId"]: t["status"] for t in body["job"]["tasks"]}
    assert tasks[task_id] == "running"
    retry = f"POST {OPS}/{{job_id}}/tasks/{{task_id}}/retry"
    assert upstream_requests(fresh, "opsmanager") == {retry: 1, OPS_REREAD: 1}


def test_retry_refusals(fresh: SandboxThread, gateway: GatewayClient) -> None:
    running = _ops_job(fresh, "running")
    errored = _ops_job(fresh, "error")
    task_id = next(iter(running["tasks"]))
    _reset_counts(fresh)
    state = gateway.data(
        RETRY, {"id": to_global_id("OperationsJob", running["_id"]), "task": task_id}
    )["retryOperationsTask"]
    assert [e["code"] for e in state["userErrors"]] == ["INVALID_STATE"]
    assert "RUNNING" in state["userErrors"][0]["message"]
    missing = gateway.data(
        RETRY, {"id": to_global_id("OperationsJob", errored["_id"]), "task": "zzzz"}
    )["retryOperationsTask"]
    assert [(e["code"], e["field"]) for e in missing["userErrors"]] == [("NOT_FOUND", None)]
    assert missing["job"] is None
    retry = f"POST {OPS}/{{job_id}}/tasks/{{task_id}}/retry"
    assert upstream_requests(fresh, "opsmanager") == {retry: 2, OPS_REREAD: 1}
    _reset_counts(fresh)
    bad = gateway.data(
        RETRY,
        {"id": to_global_id("OperationsJob", errored["_id"]), "task": "a b", "vars": [1]},
    )["retryOperationsTask"]
    assert sorted((e["field"], e["code"]) for e in bad["userErrors"]) == [
        ("taskId", "INVALID_FORMAT"),
        ("variables", "INVALID_TYPE"),
    ]
    assert upstream_requests(fresh, "opsmanager") == {}


def test_operations_manager_has_no_relaunch(fresh: SandboxThread, gateway: GatewayClient) -> None:
    job = _ops_job(fresh, "error")
    body = gateway.data(RELAUNCH, {"id": to_global_id("OperationsJob", job["_id"])})
    result = body["relaunchJob"]
    assert (result["outcome"], result["job"], result["newJob"]) == ("REFUSED", None, None)
    assert [e["code"] for e in result["userErrors"]] == ["UNSUPPORTED"]
    assert upstream_requests(fresh, "opsmanager") == {}


# -- jobs store, ids -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["cancelJob", "pauseJob", "resumeJob", "relaunchJob"])
def test_the_jobs_store_supports_no_action(
    fresh: SandboxThread, gateway: GatewayClient, name: str
) -> None:
    job_id = _flow_job_id(fresh)
    _reset_counts(fresh)
    result = _act(gateway, name, to_global_id("FlowJob", job_id))
    assert (result["outcome"], result["job"]) == ("REFUSED", None)
    [error] = result["userErrors"]
    assert (error["code"], error["field"]) == ("UNSUPPORTED", "id")
    assert "the jobs store" in error["message"]
    assert _counts(fresh) == {"jobstore": {}, "opsmanager": {}, "awx": {}}


def test_an_id_that_is_not_a_job_is_bad_user_input(
    fresh: SandboxThread, gateway: GatewayClient
) -> None:
    body = gateway.execute(
        ACTION.format(name="cancelJob", payload=PAYLOAD),
        {"id": to_global_id("JobTemplate", 1)},
    )
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["argument"] == "id"
    assert _counts(fresh) == {"jobstore": {}, "opsmanager": {}, "awx": {}}


# -- lost answers ----------------------------------------------------------------------------


def test_awx_cancel_answer_dropped_after_commit_is_outcome_unknown_with_one_reread(
    fresh: SandboxThread, gateway: GatewayClient
) -> None:
    job_id = _awx_job(fresh, "running")
    set_faults(fresh, "awx", mode="drop", error_rate=1.0, methods=["POST"], phase="after")
    result = _act(gateway, "cancelJob", to_global_id("WorkflowJob", job_id))
    assert result["outcome"] == "UNKNOWN"
    [error] = result["userErrors"]
    assert error["code"] == "OUTCOME_UNKNOWN"
    assert "not resent" in error["message"]
    assert "CANCELED" in error["message"]  # the sandbox committed it: the re-read shows it
    assert result["job"]["state"] == "CANCELED"
    assert upstream_requests(fresh, "awx") == {AWX_CANCEL: 1, AWX_REREAD: 1}


def test_awx_relaunch_answer_dropped_is_not_resent_and_made_one_job(
    fresh: SandboxThread, gateway: GatewayClient
) -> None:
    job_id = _awx_job(fresh, "successful")
    before = _awx_count(fresh)
    _reset_counts(fresh)
    set_faults(fresh, "awx", mode="drop", error_rate=1.0, methods=["POST"])
    body = gateway.data(RELAUNCH, {"id": to_global_id("WorkflowJob", job_id)})["relaunchJob"]
    assert body["outcome"] == "UNKNOWN"
    assert body["newJob"] is None
    [error] = body["userErrors"]
    assert error["code"] == "OUTCOME_UNKNOWN"
    assert "launch_type 'relaunch'" in error["message"]
    assert body["job"]["state"] == "SUCCEEDED"
    assert upstream_requests(fresh, "awx") == {AWX_RELAUNCH: 1, AWX_REREAD: 1}
    set_faults(fresh, "awx")
    assert _awx_count(fresh) == before + 1  # the one POST made one job, no more


def test_operations_pause_answer_lost_in_a_5xx_is_not_resent(
    fresh: SandboxThread, gateway: GatewayClient
) -> None:
    job = _ops_job(fresh, "running")
    _reset_counts(fresh)
    set_faults(fresh, "opsmanager", mode="503", error_rate=1.0, methods=["POST"], phase="after")
    result = _act(gateway, "pauseJob", to_global_id("OperationsJob", job["_id"]))
    assert result["outcome"] == "UNKNOWN"
    [error] = result["userErrors"]
    assert error["code"] == "OUTCOME_UNKNOWN"
    assert "PAUSED" in error["message"]
    assert result["job"]["state"] == "PAUSED"
    assert upstream_requests(fresh, "opsmanager") == {f"POST {OPS}/pause": 1, OPS_REREAD: 1}


def test_lost_answer_and_failed_reread_leave_the_state_unknown(
    fresh: SandboxThread, gateway: GatewayClient
) -> None:
    job = _ops_job(fresh, "running")
    _reset_counts(fresh)
    set_faults(fresh, "opsmanager", mode="500", error_rate=1.0, phase="after", remaining=2)
    result = _act(gateway, "cancelJob", to_global_id("OperationsJob", job["_id"]))
    assert (result["outcome"], result["job"]) == ("UNKNOWN", None)
    [error] = result["userErrors"]
    assert error["code"] == "OUTCOME_UNKNOWN"
    assert "could not be read" in error["message"]
    # One POST and one re-read (a 500 is not among the statuses a GET is retried after).
    assert upstream_requests(fresh, "opsmanager") == {f"POST {OPS}/cancel": 1, OPS_REREAD: 1}


def test_an_upstream_that_cannot_be_reached_is_an_error_and_nothing_was_done(
    fresh: SandboxThread, start_gateway: Any
) -> None:
    gateway = start_gateway(GATEWAY_AWX_URL="http://127.0.0.1:9")
    body = gateway.execute(
        ACTION.format(name="cancelJob", payload=PAYLOAD),
        {"id": to_global_id("WorkflowJob", 1)},
    )
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"


def test_sandbox_state_after_awx_cancel_matches_the_answer(
    fresh: SandboxThread, gateway: GatewayClient
) -> None:
    job_id = _awx_job(fresh, "waiting")
    result = _act(gateway, "cancelJob", to_global_id("WorkflowJob", job_id))
    seen = httpx.get(f"{fresh.url('awx')}{WJ}{job_id}/", headers=AUTH).json()
    assert seen["status"] == result["job"]["upstreamStatus"] == "canceled"
