"""OAuth2 client credentials against the sandbox token endpoints, over real sockets.

Token requests are counted at the sandbox (``POST /connect/token`` on the
jobs store, ``POST /oauth/token`` on the operations manager), beside the API
calls they authorise.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from sandbox.server import TOKEN_PATHS, SandboxThread
from tests.conftest import CONTROL
from tests.e2e.conftest import GatewayClient, GatewayFactory, reset_counts, set_faults
from tests.e2e.conftest import upstream_requests as requests_of

FLOW_JOBS = "{ flowJobs(first: 1) { edges { node { jobId } } } }"
FLOW_JOB = "query($id: String!) { flowJob(jobId: $id) { jobId } }"
OPS_JOBS = "{ operationsJobs(first: 1) { edges { node { opsId } } } }"
START = """
mutation { startOperationsJob(input: {workflow: "Port turn-up", options: {}}) {
  job { opsId } userErrors { message } } }"""
JS_TOKEN = "POST /connect/token"
OPS_TOKEN = "POST /oauth/token"


def _oauth_gateway(start: GatewayFactory, sandbox: SandboxThread, *names: str) -> GatewayClient:
    env: dict[str, str] = {}
    for name in names:
        env.update(sandbox.sandboxes.client_credentials_env(name))
    return start(**env)


def _revoke(sandbox: SandboxThread, name: str) -> None:
    assert CONTROL.post(f"{sandbox.url(name)}/_sandbox/oauth/revoke").json()["revoked"] >= 1


def _first_job_id(gateway: GatewayClient) -> str:
    job_id: str = gateway.data(FLOW_JOBS)["flowJobs"]["edges"][0]["node"]["jobId"]
    return job_id


def test_one_token_for_many_concurrent_queries(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = _oauth_gateway(start_gateway, sandbox, "jobstore")
    # The token endpoint answers slowly, so the queries all wait for the first token.
    set_faults(sandbox, "jobstore", latency_ms=200)
    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(lambda _: gateway.execute(FLOW_JOBS), range(12)))
    assert all("errors" not in answer for answer in answers)
    counts = requests_of(sandbox, "jobstore")
    assert counts[JS_TOKEN] == 1
    assert counts["GET /jobs/v1/"] >= 1


def test_a_token_is_refreshed_before_it_expires(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    CONTROL.put(f"{sandbox.url('jobstore')}/_sandbox/oauth", json={"lifetime": 1})
    gateway = _oauth_gateway(start_gateway, sandbox, "jobstore")
    gateway.data(FLOW_JOBS)
    assert requests_of(sandbox, "jobstore") == {JS_TOKEN: 1, "GET /jobs/v1/": 1}
    time.sleep(1.0)  # past 80% of the token's one second
    gateway.data(FLOW_JOBS)
    # A new token before the old one was refused: no 401, no retried GET.
    assert requests_of(sandbox, "jobstore") == {JS_TOKEN: 2, "GET /jobs/v1/": 2}


def test_a_revoked_token_costs_one_refresh_and_one_retry_of_the_get(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = _oauth_gateway(start_gateway, sandbox, "jobstore")
    job_id = _first_job_id(gateway)
    _revoke(sandbox, "jobstore")
    reset_counts(sandbox)
    assert gateway.data(FLOW_JOB, {"id": job_id}) == {"flowJob": {"jobId": job_id}}
    assert requests_of(sandbox, "jobstore") == {JS_TOKEN: 1, "GET /jobs/v1/bson/{job_id}": 2}


def test_a_get_refused_twice_is_unauthenticated_after_one_retry(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = _oauth_gateway(start_gateway, sandbox, "jobstore")
    job_id = _first_job_id(gateway)
    # Tokens that die at once: the refreshed one is refused too.
    CONTROL.put(f"{sandbox.url('jobstore')}/_sandbox/oauth", json={"lifetime": 1e-9})
    _revoke(sandbox, "jobstore")
    reset_counts(sandbox)
    body = gateway.execute(FLOW_JOB, {"id": job_id})
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
    assert requests_of(sandbox, "jobstore") == {JS_TOKEN: 1, "GET /jobs/v1/bson/{job_id}": 2}


def test_a_post_with_a_refused_token_is_not_retried(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = _oauth_gateway(start_gateway, sandbox, "opsmanager")
    gateway.data(OPS_JOBS)
    _revoke(sandbox, "opsmanager")
    reset_counts(sandbox)
    body = gateway.execute(START)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
    assert requests_of(sandbox, "opsmanager") == {"POST /operations-manager/jobs/start": 1}
    # The refused token was dropped: the next call fetches a new one first.
    reset_counts(sandbox)
    gateway.data(OPS_JOBS)
    assert requests_of(sandbox, "opsmanager") == {OPS_TOKEN: 1, "GET /operations-manager/jobs": 1}


def test_a_wrong_client_secret_is_unauthenticated_and_not_shown(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    env = sandbox.sandboxes.client_credentials_env("jobstore")
    env["GATEWAY_JOBSTORE_CLIENT_SECRET"] = "wrong-secret-31f5"
    gateway = start_gateway(**env)
    response = gateway.post(FLOW_JOBS)
    errors = response.json()["errors"]
    assert [e["extensions"]["code"] for e in errors] == ["UNAUTHENTICATED"]
    message = errors[0]["message"]
    assert "jobstore token endpoint refused the gateway's client credentials" in message
    assert "(invalid_client)" in message
    assert "GATEWAY_JOBSTORE_CLIENT_SECRET" in message
    assert "wrong-secret-31f5" not in response.text
    assert requests_of(sandbox, "jobstore") == {JS_TOKEN: 1}


def test_forwarding_still_sends_the_callers_own_credential(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = start_gateway(GATEWAY_JOBSTORE_AUTH_MODE="forward", GATEWAY_JOBSTORE_TOKEN="")
    token = CONTROL.post(
        sandbox.url("jobstore") + TOKEN_PATHS["jobstore"],
        data={
            "grant_type": "client_credentials",
            "client_id": sandbox.sandboxes.settings["jobstore"].client_id,
            "client_secret": sandbox.sandboxes.settings["jobstore"].client_secret,
        },
    ).json()["access_token"]
    reset_counts(sandbox)
    body = gateway.execute(FLOW_JOBS, headers={"Authorization": f"Bearer {token}"})
    assert "errors" not in body
    assert requests_of(sandbox, "jobstore") == {"GET /jobs/v1/": 1}
