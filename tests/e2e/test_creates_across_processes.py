"""``createFlowJob`` across gateway processes sharing one Redis: one job per ``clientJobId``.

Two real ``jobs-gateway serve`` processes on the in-process sandbox and the
machine's Redis (skipped, with the reason, where none answers). The jobs
store itself is the judge: what it holds under the ``clientJobId``, and how
many POSTs it received.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from sandbox.server import SandboxThread
from tests.e2e.conftest import reset_counts, set_faults, upstream_requests, upstream_total
from tests.e2e.served_gateways import served_gateways
from tests.e2e.test_mutations import CREATE_FLOW_JOB, one_field, stored_jobs

PER_PROCESS = 50
"""Identical creates fired at each gateway process at once."""

KINDS = ("named", "named-created", "unknown")
"""The answers allowed: naming the job (``created`` false or true), or OUTCOME_UNKNOWN."""


def _redis_env(redis_url: str, redis_prefix: str) -> dict[str, str]:
    # a generous Redis timeout: this test is about duplicates; on a loaded machine the
    # default 0.25 s can refuse a create (CREATE_UNAVAILABLE, tested on its own elsewhere)
    return {
        "GATEWAY_REDIS_URL": redis_url,
        "GATEWAY_REDIS_KEY_PREFIX": redis_prefix,
        "GATEWAY_REDIS_TIMEOUT": "2",
    }


def _create(url: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(
        f"{url}/graphql", json={"query": CREATE_FLOW_JOB, "variables": variables}, timeout=30
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_repeat_through_another_process_makes_no_upstream_call(
    sandbox: SandboxThread, redis_url: str, redis_prefix: str, tmp_path: Path
) -> None:
    with served_gateways(sandbox, tmp_path, 2, **_redis_env(redis_url, redis_prefix)) as (a, b):
        cid = str(uuid.uuid4())
        variables = {"input": {"clientJobId": cid, "jobTitle": "Made once", "team": "apiteam"}}
        first = one_field(_create(a.url, variables), "createFlowJob")
        assert first["created"] is True
        assert upstream_requests(sandbox, "jobstore") == {
            "GET /jobs/v1/{client_job_id}": 1,
            "POST /jobs/v1": 1,
        }
        reset_counts(sandbox)

        second = one_field(_create(b.url, variables), "createFlowJob")
        assert upstream_total(sandbox, "jobstore") == 0  # answered from the Redis record
        assert second["created"] is False
        assert second["job"] == first["job"]
        assert len(stored_jobs(sandbox, cid)) == 1


async def _fire(urls: list[str], variables: dict[str, Any]) -> list[dict[str, Any]]:
    """``PER_PROCESS`` identical creates at each gateway, all at once."""
    limits = httpx.Limits(max_connections=PER_PROCESS)
    clients = [httpx.AsyncClient(base_url=url, timeout=60, limits=limits) for url in urls]

    async def one(client: httpx.AsyncClient) -> dict[str, Any]:
        response = await client.post(
            "/graphql", json={"query": CREATE_FLOW_JOB, "variables": variables}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    try:
        return await asyncio.gather(
            *(one(client) for client in clients for _ in range(PER_PROCESS))
        )
    finally:
        for client in clients:
            await client.aclose()


def _classify(body: dict[str, Any], cid: str, job_id: str) -> str:
    """``named``, ``unknown`` (OUTCOME_UNKNOWN with the identity) or what else it was."""
    errors = body.get("errors")
    if not errors:
        payload = body["data"]["createFlowJob"]
        job = payload["job"] or {}
        if job.get("jobId") == job_id and job.get("clientJobId") == cid:
            return "named-created" if payload["created"] else "named"
        return f"other job: {payload}"
    ext = errors[0].get("extensions", {})
    if ext.get("code") == "OUTCOME_UNKNOWN" and ext.get("identity", {}).get("clientJobId") == cid:
        return "unknown"
    return f"error: {errors}"


def test_two_processes_fifty_identical_creates_each_make_exactly_one_job(
    sandbox: SandboxThread, redis_url: str, redis_prefix: str, tmp_path: Path
) -> None:
    """The issue's test: 2 processes x 50 identical creates, half the POST answers lost.

    Every other POST answer is dropped after the store committed (the first
    one included), and every jobs-store request is slowed down (50 ms) so
    that lookups overlap. Two rounds, one ``clientJobId`` each: the first
    round's POST loses its answer (settled by lookup), the second's is
    answered.
    """
    set_faults(
        sandbox,
        "jobstore",
        latency_ms=50,
        mode="drop",
        error_rate=1.0,
        methods=["POST"],
        every=2,
    )
    env = _redis_env(redis_url, redis_prefix)
    with served_gateways(sandbox, tmp_path, 2, **env) as gateways:
        for round_number in (1, 2):
            reset_counts(sandbox)
            cid = str(uuid.uuid4())
            variables = {"input": {"clientJobId": cid, "jobTitle": f"Raced {round_number}"}}
            answers = asyncio.run(_fire([g.url for g in gateways], variables))
            requests = upstream_requests(sandbox, "jobstore")
            stored = stored_jobs(sandbox, cid)
            job_ids = {job["jobId"] for job in stored}
            kinds = Counter(_classify(a, cid, next(iter(job_ids), "")) for a in answers)
            print(
                f"\nround {round_number}: {len(answers)} answers; "
                f"naming the job {kinds['named'] + kinds['named-created']} "
                f"(created: true {kinds['named-created']}); "
                f"OUTCOME_UNKNOWN {kinds['unknown']}; "
                f"anything else {len(answers) - sum(kinds[k] for k in KINDS)}; "
                f"upstream POSTs {requests.get('POST /jobs/v1', 0)}; "
                f"upstream lookups {requests.get('GET /jobs/v1/{client_job_id}', 0)}; "
                f"jobs in store {len(stored)}"
            )
            assert len(stored) == 1, stored
            assert len(answers) == 2 * PER_PROCESS
            assert kinds["named"] + kinds["named-created"] + kinds["unknown"] == len(answers), kinds
            assert kinds["named-created"] <= 1
            assert requests["POST /jobs/v1"] == 1
