"""The shared sandbox middleware (latency, faults, stats), exercised on the jobs store."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sandbox.server import SandboxThread
from tests.conftest import TOKEN, sandbox_stats

AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def base(sandbox: SandboxThread) -> str:
    return sandbox.url("jobstore")


@pytest.fixture
def client(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, headers=AUTH, timeout=10) as c:
        yield c


def set_faults(base: str, **settings: Any) -> dict[str, Any]:
    response = httpx.put(f"{base}/_sandbox/faults", json=settings)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def new_job(client_job_id: str) -> dict[str, Any]:
    return {
        "metadata": {
            "clientJobId": client_job_id,
            "workflowId": str(uuid.uuid4()),
            "jobTitle": "fault test",
            "status": "Completed",
        }
    }


def test_latency_is_at_least_the_configured_delay(base: str, client: httpx.Client) -> None:
    set_faults(base, latency_ms=150)
    started = time.perf_counter()
    assert client.get("/jobs/v1", params={"limit": 1}).status_code == 200
    assert time.perf_counter() - started >= 0.15


def test_500_in_the_upstream_shape(base: str, client: httpx.Client) -> None:
    set_faults(base, mode="500", error_rate=1)
    response = client.get("/jobs/v1")
    assert response.status_code == 500
    assert response.json() == {
        "type": "about:blank",
        "title": "Internal Server Error",
        "status": 500,
    }


def test_503_with_retry_after(base: str, client: httpx.Client) -> None:
    set_faults(base, mode="503", error_rate=1, retry_after=7)
    response = client.get("/jobs/v1")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "7"
    assert response.json()["status"] == 503


def test_hang_times_the_client_out(base: str) -> None:
    set_faults(base, mode="hang", error_rate=1, hang_seconds=5)
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(f"{base}/jobs/v1", headers=AUTH, timeout=0.5)


def test_malformed_body(base: str, client: httpx.Client) -> None:
    set_faults(base, mode="malformed", error_rate=1)
    response = client.get("/jobs/v1", params={"limit": 2})
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


def test_drop_after_processing(base: str, client: httpx.Client) -> None:
    set_faults(base, mode="drop", error_rate=1, methods=["POST"])
    client_job_id = str(uuid.uuid4())
    with pytest.raises(httpx.TransportError):
        httpx.post(f"{base}/jobs/v1", headers=AUTH, json=new_job(client_job_id), timeout=5)
    found = client.get(f"/jobs/v1/{client_job_id}")  # GET is not faulted
    assert found.status_code == 200
    assert len(found.json()) == 1


def test_every_other_post_answer_is_dropped_after_the_store_committed(
    base: str, client: httpx.Client
) -> None:
    set_faults(base, mode="drop", error_rate=1, methods=["POST"], every=2)
    ids = [str(uuid.uuid4()) for _ in range(5)]
    answered = []
    for client_job_id in ids:
        try:
            response = client.post("/jobs/v1", json=new_job(client_job_id))
        except httpx.TransportError:
            answered.append(False)
        else:
            assert response.status_code == 200, response.text
            answered.append(True)
        assert client.get("/jobs/v1", params={"limit": 1}).status_code == 200  # GETs untouched
    assert answered == [False, True, False, True, False]
    for client_job_id in ids:  # every one was committed, answered or not
        assert len(client.get(f"/jobs/v1/{client_job_id}").json()) == 1
    assert httpx.put(f"{base}/_sandbox/faults", json={"every": 0}).status_code == 400


def test_remaining_limits_the_faults(base: str, client: httpx.Client) -> None:
    set_faults(base, mode="500", error_rate=1, remaining=2)
    codes = [client.get("/jobs/v1", params={"limit": 1}).status_code for _ in range(4)]
    assert codes == [500, 500, 200, 200]


def test_error_rate_gives_some_faults(base: str, client: httpx.Client) -> None:
    set_faults(base, mode="503", error_rate=0.5, rng_seed=1234)
    codes = [client.get("/jobs/v1", params={"limit": 1}).status_code for _ in range(40)]
    assert 0 < codes.count(503) < 40
    assert codes.count(503) + codes.count(200) == 40


def test_faults_reject_unknown_keys(base: str) -> None:
    response = httpx.put(f"{base}/_sandbox/faults", json={"mode": "500", "bogus": 1})
    assert response.status_code == 400
    assert "bogus" in response.text
    assert httpx.put(f"{base}/_sandbox/faults", json={"mode": "nope"}).status_code == 400
    assert httpx.put(f"{base}/_sandbox/faults", json={"error_rate": 2}).status_code == 400
    assert httpx.get(f"{base}/_sandbox/faults").json()["mode"] == "none"


def test_stats_count_by_route_template(
    sandbox: SandboxThread, base: str, client: httpx.Client
) -> None:
    job_id = client.get("/jobs/v1", params={"limit": 1}).json()[0]["jobId"]
    client.get(f"/jobs/v1/bson/{job_id}")
    client.get("/jobs/v1/bson/000000000000000000000000")
    client.get(f"/jobs/v1/{uuid.uuid4()}")
    client.get("/jobs/v1/workflow/abc")
    client.post("/jobs/v1", json=new_job(str(uuid.uuid4())))
    httpx.get(f"{base}/jobs/v1/")  # no credentials: 401, still counted
    sandbox_stats(sandbox, "jobstore")  # the stats endpoint does not count itself
    stats = sandbox_stats(sandbox, "jobstore")
    assert stats["total"] == 7
    assert stats["requests"] == {
        "GET /jobs/v1": 1,
        "GET /jobs/v1/": 1,
        "GET /jobs/v1/bson/{job_id}": 2,
        "GET /jobs/v1/{client_job_id}": 1,
        "GET /jobs/v1/workflow/{workflow_id}": 1,
        "POST /jobs/v1": 1,
    }


def test_reset_zeroes_the_stats(sandbox: SandboxThread, base: str, client: httpx.Client) -> None:
    client.get("/jobs/v1")
    assert sandbox_stats(sandbox, "jobstore")["total"] == 1
    reset = httpx.post(f"{base}/_sandbox/reset")
    assert reset.status_code == 200
    stats = sandbox_stats(sandbox, "jobstore")
    assert stats["total"] == 0
    assert stats["requests"] == {}


def test_unauthorized_requests_are_counted(sandbox: SandboxThread, base: str) -> None:
    for _ in range(3):
        assert httpx.get(f"{base}/jobs/v1/bson/x").status_code == 401
    assert sandbox_stats(sandbox, "jobstore")["requests"] == {"GET /jobs/v1/bson/{job_id}": 3}
