"""``createFlowJob`` when Redis fails: refused before anything is sent; reads carry on.

The gateway reaches the machine's Redis through a proxy the test controls
(tests/redis_proxy.py), or is pointed at a port that refuses. Nothing may
reach the jobs store while the claim cannot be taken or checked: a create
that went out unprotected could make a duplicate in another process.
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import redis

from sandbox.server import SandboxThread
from tests.e2e.conftest import GatewayClient, GatewayFactory, set_faults, upstream_requests
from tests.e2e.metrics_reading import scrape, value
from tests.e2e.test_mutations import CREATE_FLOW_JOB, one_field, stored_jobs
from tests.redis_proxy import RedisProxy

READ = "{ flowJobs(first: 2) { edges { node { jobId } } } }"


def _refusal(body: dict[str, Any], code: str, cid: str) -> str:
    """The message of the one error, which must be ``code`` for ``cid``; ``data`` null."""
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == code
    assert error["extensions"]["clientJobId"] == cid
    assert error["extensions"]["retryable"] is True
    message: str = error["message"]
    assert "othing was sent" in message  # "Nothing was sent" / "nothing was sent"
    return message


def _create(gateway: GatewayClient, cid: str) -> dict[str, Any]:
    return gateway.execute(CREATE_FLOW_JOB, {"input": {"clientJobId": cid, "jobTitle": "Guarded"}})


def _reads_answer(gateway: GatewayClient) -> None:
    edges = gateway.data(READ)["flowJobs"]["edges"]
    assert len(edges) == 2


def test_creates_refuse_while_redis_is_down_or_slow_and_reads_still_answer(
    sandbox: SandboxThread, start_gateway: GatewayFactory, redis_url: str, redis_prefix: str
) -> None:
    with RedisProxy.to(redis_url) as proxy:
        gateway = start_gateway(GATEWAY_REDIS_URL=proxy.url, GATEWAY_REDIS_KEY_PREFIX=redis_prefix)
        cid = str(uuid.uuid4())

        proxy.stop()  # down: connections refused
        _refusal(_create(gateway, cid), "CREATE_UNAVAILABLE", cid)
        assert upstream_requests(sandbox, "jobstore") == {}  # not even the lookup
        _reads_answer(gateway)
        samples = scrape(gateway)
        assert value(samples, "gateway_redis_failures_total", feature="creates") == 1
        assert value(samples, "gateway_redis_available") == 0

        proxy.start()
        proxy.stall()  # slow: connected, no answer within GATEWAY_REDIS_TIMEOUT
        _refusal(_create(gateway, cid), "CREATE_UNAVAILABLE", cid)
        _reads_answer(gateway)
        assert "POST /jobs/v1" not in upstream_requests(sandbox, "jobstore")
        assert stored_jobs(sandbox, cid) == []
        samples = scrape(gateway)
        assert value(samples, "gateway_redis_failures_total", feature="creates") == 2

        proxy.resume()  # back: the same create goes through, once
        payload = one_field(_create(gateway, cid), "createFlowJob")
        assert payload["created"] is True
        assert upstream_requests(sandbox, "jobstore")["POST /jobs/v1"] == 1
        assert [job["jobId"] for job in stored_jobs(sandbox, cid)] == [payload["job"]["jobId"]]
        assert value(scrape(gateway), "gateway_redis_available") == 1


def test_creates_refuse_when_the_redis_port_refuses(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = start_gateway(GATEWAY_REDIS_URL="redis://127.0.0.1:9/0")
    cid = str(uuid.uuid4())
    message = _refusal(_create(gateway, cid), "CREATE_UNAVAILABLE", cid)
    assert "retry with the same clientJobId" in message
    assert upstream_requests(sandbox, "jobstore") == {}
    _reads_answer(gateway)
    assert stored_jobs(sandbox, cid) == []


def test_a_claim_lost_before_the_post_sends_nothing(
    sandbox: SandboxThread, start_gateway: GatewayFactory, redis_url: str, redis_prefix: str
) -> None:
    gateway = start_gateway(GATEWAY_REDIS_URL=redis_url, GATEWAY_REDIS_KEY_PREFIX=redis_prefix)
    cid = str(uuid.uuid4())
    lock_key = f"{redis_prefix}creates:lock:{cid}"
    set_faults(sandbox, "jobstore", latency_ms=400)  # the lookup leaves time to take over
    direct = redis.Redis.from_url(redis_url)
    took_over = threading.Event()

    def take_over() -> None:
        """As if the lease had run out and another process had claimed the key."""
        for _ in range(2000):
            if direct.set(lock_key, b"0:someone-else", xx=True, px=5000):
                took_over.set()
                return
            time.sleep(0.002)

    thief = threading.Thread(target=take_over)
    thief.start()
    try:
        body = _create(gateway, cid)
    finally:
        thief.join()
    try:
        assert took_over.is_set()
        message = _refusal(body, "CREATE_IN_PROGRESS", cid)
        assert "expired before it was sent" in message
        assert upstream_requests(sandbox, "jobstore") == {"GET /jobs/v1/{client_job_id}": 1}
        assert stored_jobs(sandbox, cid) == []
        assert direct.get(lock_key) == b"0:someone-else"  # not released by the loser
    finally:
        direct.close()
