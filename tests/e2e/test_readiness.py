"""``/readyz`` and ``/healthz`` over real sockets."""

from __future__ import annotations

from bench.processes import free_port
from sandbox.server import SandboxThread
from tests.e2e.conftest import GatewayFactory, reset_counts, set_faults, upstream_requests


def test_ready_when_every_upstream_answers_a_probe(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = start_gateway()
    response = gateway.http.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["upstreams"] == {
        name: {"up": True, "checked": "probe"} for name in ("jobstore", "opsmanager", "awx")
    }
    # One cheap GET each: the first item of a list.
    assert upstream_requests(sandbox, "awx") == {"GET /api/v2/workflow_jobs/": 1}


def test_a_recent_answer_spares_the_probe(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = start_gateway()
    gateway.data("{ workflowJobs(first: 1) { totalCount } }")
    reset_counts(sandbox)
    body = gateway.http.get("/readyz").json()
    assert body["upstreams"]["awx"] == {"up": True, "checked": "recent"}
    assert upstream_requests(sandbox, "awx") == {}


def test_not_ready_names_the_upstream_that_is_down(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = start_gateway(GATEWAY_AWX_URL=f"http://127.0.0.1:{free_port()}")
    response = gateway.http.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not_ready"
    assert body["upstreams"]["awx"] == {"up": False, "checked": "probe"}
    assert body["upstreams"]["jobstore"]["up"] is True
    assert gateway.http.get("/healthz").status_code == 200


def test_an_upstream_failing_with_5xx_is_down_and_a_refused_credential_is_not(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = start_gateway(GATEWAY_JOBSTORE_TOKEN="not-the-token")
    set_faults(sandbox, "opsmanager", mode="500", error_rate=1.0)
    response = gateway.http.get("/readyz")
    assert response.status_code == 503
    upstreams = response.json()["upstreams"]
    assert upstreams["opsmanager"]["up"] is False
    assert upstreams["jobstore"]["up"] is True  # it answered 401: it is there
