"""Automatic persisted queries shared by gateways on one Redis, and what happens when it is down."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from gateway.trusted_documents import sha256_hex
from tests.e2e.conftest import GatewayClient, GatewayFactory
from tests.e2e.gateway_processes import ProcessFactory, start_process  # noqa: F401
from tests.e2e.metrics_reading import scrape, value
from tests.e2e.test_persisted_operations import get, only_error, persisted
from tests.e2e.test_post_lane import lane_answers  # noqa: F401  (a fixture)
from tests.redis_proxy import RedisProxy

QUERY = "query Shared { workflowJob(id: 7) { id name } }"


@pytest.fixture
def proxy(redis_url: str) -> Iterator[RedisProxy]:
    """A TCP proxy in front of the test's Redis (stopped after the test)."""
    running = RedisProxy.to(redis_url)
    yield running
    running.close()


def on_redis(start_gateway: GatewayFactory, url: str, prefix: str) -> GatewayClient:
    return start_gateway(GATEWAY_REDIS_URL=url, GATEWAY_REDIS_KEY_PREFIX=prefix)


def apq_failures(gateway: GatewayClient) -> float:
    return value(scrape(gateway), "gateway_redis_failures_total", feature="apq")


def test_a_query_registered_on_one_gateway_runs_by_hash_on_the_others(
    start_gateway: GatewayFactory,
    redis_url: str,
    redis_prefix: str,
    proxy: RedisProxy,
    lane_answers: list[bool],  # noqa: F811
) -> None:
    a = on_redis(start_gateway, redis_url, redis_prefix)
    b = on_redis(start_gateway, proxy.url, redis_prefix)
    c = on_redis(start_gateway, redis_url, redis_prefix)
    registered = a.http.post("/graphql", json={"query": QUERY, "extensions": persisted(QUERY)})
    assert registered.json()["data"]["workflowJob"]["name"]

    first = b.http.post("/graphql", json={"extensions": persisted(QUERY)})
    assert first.status_code == 200
    assert first.json()["data"] == registered.json()["data"]
    # b keeps it: with Redis gone, the hash still runs there, from its own store, by the lane
    proxy.stop()
    again = b.http.post("/graphql", json={"extensions": persisted(QUERY)})
    assert again.json()["data"] == registered.json()["data"]
    assert lane_answers == [True]  # registration and first lookup: the view (Redis)
    assert apq_failures(b) == 0  # the local hit never asked Redis

    by_get = get(c, extensions=persisted(QUERY))
    assert by_get.status_code == 200
    assert by_get.json()["data"] == registered.json()["data"]


def test_redis_down_a_registration_still_runs_and_elsewhere_the_hash_is_not_found(
    start_gateway: GatewayFactory, redis_prefix: str, proxy: RedisProxy
) -> None:
    proxy.stop()
    a = on_redis(start_gateway, proxy.url, redis_prefix)
    b = on_redis(start_gateway, proxy.url, redis_prefix)
    registered = a.http.post("/graphql", json={"query": QUERY, "extensions": persisted(QUERY)})
    assert registered.status_code == 200
    assert registered.json()["data"]["workflowJob"]["name"]
    assert apq_failures(a) == 1  # the publication failed, reported
    hit = a.http.post("/graphql", json={"extensions": persisted(QUERY)})
    assert hit.json()["data"] == registered.json()["data"]

    miss = b.http.post("/graphql", json={"extensions": persisted(QUERY)})
    assert miss.status_code == 200
    assert only_error(miss)["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert apq_failures(b) == 1
    assert value(scrape(b), "gateway_redis_available") == 0
    # the client sends the text again, as Apollo's do: b runs it
    resent = b.http.post("/graphql", json={"query": QUERY, "extensions": persisted(QUERY)})
    assert resent.json()["data"] == registered.json()["data"]

    proxy.start()  # back: b's next registration is shared again
    other = "query Other { workflowJob(id: 7) { name } }"
    b.http.post("/graphql", json={"query": other, "extensions": persisted(other)})
    assert a.http.post("/graphql", json={"extensions": persisted(other)}).json()["data"]


def test_a_text_in_redis_that_is_not_its_hash_is_never_run(
    start_gateway: GatewayFactory, redis_url: str, redis_prefix: str
) -> None:
    client = redis.Redis.from_url(redis_url)
    try:
        client.set(f"{redis_prefix}apq:{sha256_hex(QUERY)}", "{ __typename }")
    finally:
        client.close()
    gateway = on_redis(start_gateway, redis_url, redis_prefix)
    miss = gateway.http.post("/graphql", json={"extensions": persisted(QUERY)})
    assert only_error(miss)["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


def test_gateway_processes_share_registrations(
    start_process: ProcessFactory,  # noqa: F811
    redis_url: str,
    redis_prefix: str,
) -> None:
    env = {"GATEWAY_REDIS_URL": redis_url, "GATEWAY_REDIS_KEY_PREFIX": redis_prefix}
    a, b = start_process(**env), start_process(**env)
    missed = b.http.post("/graphql", json={"extensions": persisted(QUERY)})
    assert only_error(missed)["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    registered = a.http.post("/graphql", json={"query": QUERY, "extensions": persisted(QUERY)})
    assert registered.json()["data"]["workflowJob"]["name"]
    by_post = b.http.post("/graphql", json={"extensions": persisted(QUERY)})
    assert by_post.json()["data"] == registered.json()["data"]
    assert get(b, extensions=persisted(QUERY)).json()["data"] == registered.json()["data"]


def test_trusted_documents_only_never_runs_a_text_from_redis(
    start_gateway: GatewayFactory, redis_url: str, redis_prefix: str, tmp_path: Path
) -> None:
    trusted = "query Trusted { workflowJob(id: 7) { name } }"
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({sha256_hex(trusted): trusted}))
    open_gateway = on_redis(start_gateway, redis_url, redis_prefix)
    registered = open_gateway.http.post(
        "/graphql", json={"query": QUERY, "extensions": persisted(QUERY)}
    )
    assert registered.json()["data"]["workflowJob"]["name"]  # now in Redis
    strict = start_gateway(
        GATEWAY_REDIS_URL=redis_url,
        GATEWAY_REDIS_KEY_PREFIX=redis_prefix,
        GATEWAY_TRUSTED_DOCUMENTS=str(manifest),
        GATEWAY_TRUSTED_DOCUMENTS_ONLY="true",
    )
    refused = strict.http.post("/graphql", json={"extensions": persisted(QUERY)})
    assert only_error(refused)["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    allowed = strict.http.post("/graphql", json={"extensions": persisted(trusted)})
    assert allowed.json()["data"]["workflowJob"]["name"]
