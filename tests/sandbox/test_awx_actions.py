"""The AWX sandbox's relaunch and the permission rule of cancel and relaunch, over real sockets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sandbox.server import SandboxThread
from tests.conftest import TOKEN, sandbox_stats

API = "/api/v2"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def awx(sandbox: SandboxThread) -> Iterator[httpx.Client]:
    """An AWX client over freshly seeded data, reseeded afterwards."""
    reseed = f"{sandbox.url('awx')}/_sandbox/reset"
    httpx.post(reseed, json={"data": True}).raise_for_status()
    with httpx.Client(base_url=sandbox.url("awx"), headers=AUTH, timeout=10) as client:
        yield client
    httpx.post(reseed, json={"data": True}).raise_for_status()


def _one(client: httpx.Client, **params: Any) -> dict[str, Any]:
    page = client.get(f"{API}/workflow_jobs/", params={**params, "page_size": 1}).json()
    result: dict[str, Any] = page["results"][0]
    return result


def test_relaunch_makes_a_new_pending_workflow_job_of_the_same_settings(
    awx: httpx.Client, sandbox: SandboxThread
) -> None:
    old = _one(awx, status="failed", order_by="id")
    count = awx.get(f"{API}/workflow_jobs/", params={"page_size": 1}).json()["count"]
    assert awx.get(f"{API}/workflow_jobs/{old['id']}/relaunch/").json() == {}
    answer = awx.post(f"{API}/workflow_jobs/{old['id']}/relaunch/", json={})
    assert answer.status_code == 201
    new = answer.json()
    assert answer.headers["location"] == new["url"] == f"{API}/workflow_jobs/{new['id']}/"
    assert new["id"] != old["id"]
    assert new["status"] == "pending"
    assert new["launch_type"] == "relaunch"
    assert new["failed"] is False
    assert new["started"] is None
    assert new["finished"] is None
    for kept in ("name", "job_template", "workflow_job_template", "extra_vars", "inventory"):
        assert new[kept] == old[kept]
    assert new["related"]["cancel"] == f"{API}/workflow_jobs/{new['id']}/cancel/"
    assert awx.get(f"{API}/workflow_jobs/{new['id']}/").json()["id"] == new["id"]
    assert awx.get(f"{API}/workflow_jobs/", params={"page_size": 1}).json()["count"] == count + 1
    # The old one is untouched.
    assert awx.get(f"{API}/workflow_jobs/{old['id']}/").json()["status"] == "failed"
    requests = sandbox_stats(sandbox, "awx")["requests"]
    assert isinstance(requests, dict)
    assert requests["POST /api/v2/workflow_jobs/{id}/relaunch/"] == 1
    assert requests["GET /api/v2/workflow_jobs/{id}/relaunch/"] == 1


def test_relaunch_of_a_running_job_is_allowed(awx: httpx.Client) -> None:
    running = _one(awx, status="running", order_by="id")
    assert awx.post(f"{API}/workflow_jobs/{running['id']}/relaunch/").status_code == 201


def test_relaunch_and_cancel_refused_without_start_permission(awx: httpx.Client) -> None:
    jobs = awx.get(f"{API}/workflow_jobs/", params={"status": "pending", "page_size": 200}).json()
    denied = next(
        j for j in jobs["results"] if not j["summary_fields"]["user_capabilities"]["start"]
    )
    relaunch = awx.post(f"{API}/workflow_jobs/{denied['id']}/relaunch/")
    assert relaunch.status_code == 403
    assert relaunch.json() == {"detail": "You do not have permission to perform this action."}
    cancel = awx.post(f"{API}/workflow_jobs/{denied['id']}/cancel/")
    assert cancel.status_code == 403
    assert awx.get(f"{API}/workflow_jobs/{denied['id']}/").json()["status"] == "pending"


def test_cancel_of_a_finished_job_is_405_even_without_permission(awx: httpx.Client) -> None:
    jobs = awx.get(
        f"{API}/workflow_jobs/", params={"status": "successful", "page_size": 200}
    ).json()
    denied = next(
        j for j in jobs["results"] if not j["summary_fields"]["user_capabilities"]["start"]
    )
    answer = awx.post(f"{API}/workflow_jobs/{denied['id']}/cancel/")
    assert answer.status_code == 405
    assert answer.json() == {"detail": 'Method "POST" not allowed.'}


def test_relaunch_of_an_unknown_job_is_404(awx: httpx.Client) -> None:
    answer = awx.post(f"{API}/workflow_jobs/999999/relaunch/")
    assert answer.status_code == 404
    assert answer.json() == {"detail": "Not found."}


def test_relaunched_job_can_be_canceled(awx: httpx.Client) -> None:
    old = _one(awx, status="successful", order_by="id")
    new = awx.post(f"{API}/workflow_jobs/{old['id']}/relaunch/").json()
    assert awx.get(f"{API}/workflow_jobs/{new['id']}/cancel/").json() == {"can_cancel": True}
    assert awx.post(f"{API}/workflow_jobs/{new['id']}/cancel/").status_code == 202
    assert awx.get(f"{API}/workflow_jobs/{new['id']}/").json()["status"] == "canceled"


def test_openapi_describes_relaunch(awx: httpx.Client) -> None:
    paths = awx.get("/openapi.json").json()["paths"]
    relaunch = paths["/api/v2/workflow_jobs/{id}/relaunch/"]
    assert set(relaunch) == {"get", "post"}
    assert {"201", "403"} <= set(relaunch["post"]["responses"])
    assert "403" in paths["/api/v2/workflow_jobs/{id}/cancel/"]["post"]["responses"]
