"""The response cache (GATEWAY_CACHE_TTL) over real sockets, with exact upstream request counts.

In-process (no Redis) and in Redis (two gateways on one Redis, and Redis
going away behind a proxy the test controls: see :mod:`tests.redis_proxy`).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from websockets.sync.client import connect

from sandbox.server import SandboxThread
from tests.conftest import TOKEN
from tests.e2e.conftest import (
    GatewayClient,
    GatewayFactory,
    reset_counts,
    set_faults,
    upstream_total,
)
from tests.e2e.gateway_processes import ProcessFactory, start_process  # noqa: F401
from tests.e2e.metrics_reading import scrape, value
from tests.redis_proxy import RedisProxy

UPSTREAMS = ("jobstore", "opsmanager", "awx")
COUNTS = "query Counts { jobCounts { complete bySource { source state count } } }"
FLOW_JOBS = "query Flows($first: Int!) { flowJobs(first: $first) { edges { node { jobId } } } }"
WORKFLOW_JOBS = "query Workflows { workflowJobs(first: 2) { totalCount } }"
CREATE_FLOW_JOB = """
mutation Create($input: CreateFlowJobInput!) {
  createFlowJob(input: $input) { created job { jobId } userErrors { code } }
}"""


def upstream_calls(sandbox: SandboxThread) -> dict[str, int]:
    """Requests each upstream answered since the last reset."""
    return {name: upstream_total(sandbox, name) for name in UPSTREAMS}


def calls_of(sandbox: SandboxThread, gateway: GatewayClient, query: str, **kw: Any) -> int:
    """How many upstream requests one answered (error-free) query cost."""
    reset_counts(sandbox)
    body = gateway.execute(query, **kw)
    assert "errors" not in body, body["errors"]
    return sum(upstream_calls(sandbox).values())


def newest_flow_job(gateway: GatewayClient) -> str:
    """The jobId of the newest flow job, as ``FLOW_JOBS`` reads it."""
    [edge] = gateway.data(FLOW_JOBS, {"first": 1})["flowJobs"]["edges"]
    job_id: str = edge["node"]["jobId"]
    return job_id


def lookups(gateway: GatewayClient, outcome: str) -> float:
    return value(scrape(gateway), "gateway_response_cache_lookups_total", outcome=outcome)


@pytest.fixture
def redis_env(redis_url: str, redis_prefix: str) -> dict[str, str]:
    """Settings putting a gateway on the test's Redis, under the test's key prefix."""
    return {"GATEWAY_REDIS_URL": redis_url, "GATEWAY_REDIS_KEY_PREFIX": redis_prefix}


@pytest.fixture
def proxy(redis_url: str) -> Iterator[RedisProxy]:
    """A TCP proxy in front of the test's Redis (stopped after the test)."""
    running = RedisProxy.to(redis_url)
    yield running
    running.close()


def test_off_by_default_every_read_goes_upstream(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    first = calls_of(sandbox, gateway, COUNTS)
    assert first > 0
    assert calls_of(sandbox, gateway, COUNTS) == first
    assert "responseCache" not in gateway.execute(COUNTS).get("extensions", {})
    assert lookups(gateway, "hit") == lookups(gateway, "miss") == 0


def test_second_identical_read_costs_no_upstream_request(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = start_gateway(GATEWAY_CACHE_TTL="30")
    reset_counts(sandbox)
    first = gateway.execute(COUNTS)
    assert sum(upstream_calls(sandbox).values()) > 0
    assert "responseCache" not in first["extensions"]
    reset_counts(sandbox)
    # the same document, spaced and commented differently: the same canonical text
    second = gateway.execute(
        "# again\nquery   Counts {\n jobCounts { complete\n bySource { source state count } } }"
    )
    assert upstream_calls(sandbox) == {"jobstore": 0, "opsmanager": 0, "awx": 0}
    assert second["data"] == first["data"]
    assert second["extensions"]["responseCache"]["hit"] is True
    assert second["extensions"]["cost"] == first["extensions"]["cost"]
    assert lookups(gateway, "hit") == 1
    assert lookups(gateway, "miss") == 1


def test_a_different_variable_misses(sandbox: SandboxThread, start_gateway: GatewayFactory) -> None:
    gateway = start_gateway(GATEWAY_CACHE_TTL="30")
    assert calls_of(sandbox, gateway, FLOW_JOBS, variables={"first": 2}) > 0
    assert calls_of(sandbox, gateway, FLOW_JOBS, variables={"first": 2}) == 0
    assert calls_of(sandbox, gateway, FLOW_JOBS, variables={"first": 3}) > 0
    assert calls_of(sandbox, gateway, FLOW_JOBS, variables={"first": 3}) == 0


def test_single_object_reads_are_not_cached(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = start_gateway(GATEWAY_CACHE_TTL="30")
    query = "query One { workflowJob(id: 7) { name } }"
    assert calls_of(sandbox, gateway, query) > 0
    assert calls_of(sandbox, gateway, query) > 0
    assert lookups(gateway, "hit") == lookups(gateway, "miss") == 0


def test_a_mutation_drops_the_reads_of_its_system_only(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = start_gateway(GATEWAY_CACHE_TTL="30")
    gateway.data(FLOW_JOBS, {"first": 1})
    gateway.data(WORKFLOW_JOBS)
    assert calls_of(sandbox, gateway, FLOW_JOBS, variables={"first": 1}) == 0
    created = gateway.data(CREATE_FLOW_JOB, {"input": {"jobTitle": "drops the cache"}})
    assert created["createFlowJob"]["created"] is True
    reset_counts(sandbox)
    assert newest_flow_job(gateway) == created["createFlowJob"]["job"]["jobId"]
    assert upstream_calls(sandbox)["jobstore"] > 0
    # the AWX read does not read the jobs store: still cached
    assert calls_of(sandbox, gateway, WORKFLOW_JOBS) == 0
    samples = scrape(gateway)
    assert value(samples, "gateway_response_cache_invalidations_total", system="jobstore") == 1
    assert value(samples, "gateway_response_cache_invalidations_total", system="awx") == 0


def test_answers_with_errors_are_not_cached(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = start_gateway(GATEWAY_CACHE_TTL="30")
    set_faults(sandbox, "awx", mode="500", error_rate=1.0, methods=["GET"], remaining=1)
    failed = gateway.execute(WORKFLOW_JOBS)
    assert failed["errors"], failed
    set_faults(sandbox, "awx")
    assert calls_of(sandbox, gateway, WORKFLOW_JOBS) > 0  # not served from the cache
    assert calls_of(sandbox, gateway, WORKFLOW_JOBS) == 0  # the good answer is


def test_partial_answers_are_not_cached(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = start_gateway(GATEWAY_CACHE_TTL="30")
    set_faults(sandbox, "awx", mode="500", error_rate=1.0)
    for _ in range(2):
        partial = gateway.execute(COUNTS)
        assert partial["data"] is not None
        assert partial["errors"][0]["extensions"]["upstream"] == "awx", partial
        assert "responseCache" not in partial["extensions"]
    assert lookups(gateway, "hit") == 0


def test_an_answer_expires_after_the_ttl(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = start_gateway(GATEWAY_CACHE_TTL="0.4")
    assert calls_of(sandbox, gateway, WORKFLOW_JOBS) > 0
    assert calls_of(sandbox, gateway, WORKFLOW_JOBS) == 0
    time.sleep(0.6)
    assert calls_of(sandbox, gateway, WORKFLOW_JOBS) > 0


def test_forwarded_credentials_each_have_their_own_answers(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    env = {f"GATEWAY_{up}_AUTH_MODE": "forward" for up in ("JOBSTORE", "OPSMANAGER", "AWX")}
    gateway = start_gateway(GATEWAY_CACHE_TTL="30", **env)
    mine = {"headers": {"Authorization": f"Bearer {TOKEN}"}}
    assert calls_of(sandbox, gateway, WORKFLOW_JOBS, **mine) > 0
    assert calls_of(sandbox, gateway, WORKFLOW_JOBS, **mine) == 0
    reset_counts(sandbox)
    stranger = gateway.execute(WORKFLOW_JOBS, headers={"Authorization": "Bearer someone-else"})
    assert stranger["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert upstream_calls(sandbox)["awx"] > 0
    anonymous = gateway.execute(WORKFLOW_JOBS)
    assert anonymous["errors"], anonymous
    assert "responseCache" not in anonymous["extensions"]


# --- in Redis -----------------------------------------------------------------


def test_two_gateways_on_one_redis_share_answers_and_invalidations(
    sandbox: SandboxThread, start_gateway: GatewayFactory, redis_env: dict[str, str]
) -> None:
    a = start_gateway(GATEWAY_CACHE_TTL="30", **redis_env)
    b = start_gateway(GATEWAY_CACHE_TTL="30", **redis_env)
    assert calls_of(sandbox, a, FLOW_JOBS, variables={"first": 1}) > 0
    # b has never seen this text (its pipeline path), then again (its fast path)
    for _ in range(2):
        reset_counts(sandbox)
        body = b.execute(FLOW_JOBS, {"first": 1})
        assert upstream_calls(sandbox) == {"jobstore": 0, "opsmanager": 0, "awx": 0}
        assert body["extensions"]["responseCache"]["hit"] is True
    created = b.data(CREATE_FLOW_JOB, {"input": {"jobTitle": "through b"}})["createFlowJob"]
    reset_counts(sandbox)
    assert newest_flow_job(a) == created["job"]["jobId"]
    assert upstream_calls(sandbox)["jobstore"] > 0
    assert lookups(b, "hit") == 2


def test_the_credential_is_never_stored_in_redis(
    sandbox: SandboxThread,
    start_gateway: GatewayFactory,
    redis_env: dict[str, str],
    redis_url: str,
    redis_prefix: str,
) -> None:
    env = {f"GATEWAY_{up}_AUTH_MODE": "forward" for up in ("JOBSTORE", "OPSMANAGER", "AWX")}
    gateway = start_gateway(GATEWAY_CACHE_TTL="30", **env, **redis_env)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    assert calls_of(sandbox, gateway, WORKFLOW_JOBS, headers=headers) > 0
    assert calls_of(sandbox, gateway, WORKFLOW_JOBS, headers=headers) == 0
    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{redis_prefix}*"))
        assert any(b":cache:entry:" in key for key in keys)
        for key in keys:
            assert TOKEN.encode() not in key
            stored = client.get(key)
            assert stored is not None
            assert TOKEN.encode() not in stored
    finally:
        client.close()


def test_redis_down_reads_still_answer_from_the_upstreams(
    sandbox: SandboxThread, start_gateway: GatewayFactory, proxy: RedisProxy, redis_prefix: str
) -> None:
    gateway = start_gateway(
        GATEWAY_CACHE_TTL="30",
        GATEWAY_REDIS_URL=proxy.url,
        GATEWAY_REDIS_KEY_PREFIX=redis_prefix,
    )
    assert calls_of(sandbox, gateway, WORKFLOW_JOBS) > 0
    assert calls_of(sandbox, gateway, WORKFLOW_JOBS) == 0
    proxy.stop()
    for _ in range(2):
        assert calls_of(sandbox, gateway, WORKFLOW_JOBS) > 0
    samples = scrape(gateway)
    assert value(samples, "gateway_response_cache_lookups_total", outcome="unavailable") == 2
    assert value(samples, "gateway_redis_failures_total", feature="response_cache") == 2
    assert value(samples, "gateway_redis_available") == 0
    # a create while Redis is down is refused, nothing sent: its clientJobId claim
    # lives in Redis (see test_create_claims_redis_faults.py)
    body = gateway.execute(CREATE_FLOW_JOB, {"input": {"jobTitle": f"down {uuid.uuid4()}"}})
    assert [e["extensions"]["code"] for e in body["errors"]] == ["CREATE_UNAVAILABLE"]
    proxy.start()
    assert calls_of(sandbox, gateway, WORKFLOW_JOBS) == 0  # Redis kept the answer
    assert value(scrape(gateway), "gateway_redis_available") == 1


def over_websocket(gateway: GatewayClient, query: str, variables: dict[str, Any]) -> Any:
    """One operation over graphql-transport-ws: its one ``next`` payload."""
    url = gateway.url.replace("http://", "ws://") + "/graphql"
    with connect(url, subprotocols=["graphql-transport-ws"], open_timeout=10) as ws:
        ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(ws.recv(timeout=10))["type"] == "connection_ack"
        payload = {"query": query, "variables": variables}
        ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        message = json.loads(ws.recv(timeout=10))
        assert message["type"] == "next", message
        assert json.loads(ws.recv(timeout=10)) == {"id": "1", "type": "complete"}
        return message["payload"]


def test_over_the_websocket_reads_hit_and_mutations_invalidate(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = start_gateway(GATEWAY_CACHE_TTL="30")
    gateway.data(FLOW_JOBS, {"first": 1})
    reset_counts(sandbox)
    hit = over_websocket(gateway, FLOW_JOBS, {"first": 1})
    assert hit["extensions"]["responseCache"]["hit"] is True
    assert upstream_calls(sandbox) == {"jobstore": 0, "opsmanager": 0, "awx": 0}
    created = over_websocket(gateway, CREATE_FLOW_JOB, {"input": {"jobTitle": "over ws"}})
    reset_counts(sandbox)
    assert newest_flow_job(gateway) == created["data"]["createFlowJob"]["job"]["jobId"]
    assert upstream_calls(sandbox)["jobstore"] > 0


def test_gateway_processes_on_one_redis_share_answers_and_invalidations(
    sandbox: SandboxThread,
    start_process: ProcessFactory,  # noqa: F811
    redis_env: dict[str, str],
) -> None:
    a, b = (start_process(GATEWAY_CACHE_TTL="30", **redis_env) for _ in range(2))
    assert calls_of(sandbox, a, FLOW_JOBS, variables={"first": 1}) > 0
    assert calls_of(sandbox, b, FLOW_JOBS, variables={"first": 1}) == 0
    assert b.execute(FLOW_JOBS, {"first": 1})["extensions"]["responseCache"]["hit"] is True
    created = a.data(CREATE_FLOW_JOB, {"input": {"jobTitle": "through process a"}})
    reset_counts(sandbox)
    assert newest_flow_job(b) == created["createFlowJob"]["job"]["jobId"]
    assert upstream_calls(sandbox)["jobstore"] > 0
    assert lookups(b, "hit") == 2
