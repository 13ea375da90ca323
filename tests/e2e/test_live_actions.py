"""Operator actions seen live: a ``jobUpdated`` stream reports what an action did.

A subscriber (over graphql-transport-ws and over SSE) watches a job while an
operator acts on it through the gateway's own mutations; each transition the
action made reaches every stream, and a final state completes them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sandbox.server import SandboxThread
from schema.core.ids import to_global_id
from tests.conftest import CONTROL, TOKEN, sandbox_reset
from tests.e2e.conftest import GatewayClient, GatewayFactory
from tests.e2e.live_clients import JOB_UPDATED, Subscriber, subscriber

AUTH = {"Authorization": f"Bearer {TOKEN}"}
KINDS = ("websocket", "sse")
ACTION = (
    "mutation($id: ID!) {{ {name}(id: $id) {{ outcome job {{ state }} userErrors {{ code }} }} }}"
)


@pytest.fixture
def fresh(sandbox: SandboxThread) -> Iterator[SandboxThread]:
    sandbox_reset(sandbox, data=True)
    yield sandbox
    sandbox_reset(sandbox, data=True)


def act(gateway: GatewayClient, name: str, global_id: str) -> dict[str, Any]:
    result: dict[str, Any] = gateway.data(ACTION.format(name=name), {"id": global_id})[name]
    assert (result["outcome"], result["userErrors"]) == ("APPLIED", []), result
    return result


def states(events: list[dict[str, Any]]) -> list[str]:
    """The states a stream reported, a repeat (another field changed) counted once."""
    seen: list[str] = []
    for event in events:
        state = event["data"]["jobUpdated"]["state"]
        if not seen or seen[-1] != state:
            seen.append(state)
    return seen


async def until_state(sub: Subscriber, state: str) -> list[str]:
    """Wait for the stream's next events until one reports ``state``."""
    while states(sub.events)[-1] != state:
        await sub.wait_for_events(len(sub.events) + 1)
    return states(sub.events)


async def test_cancelling_an_awx_job_completes_its_streams(
    fresh: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = start_gateway(GATEWAY_SUBSCRIPTION_POLL_SECONDS="0.1")
    pending = CONTROL.get(
        f"{fresh.url('awx')}/api/v2/workflow_jobs/",
        params={"status": "pending", "order_by": "id", "page_size": 1},
        headers=AUTH,
    ).json()["results"][0]
    global_id = to_global_id("WorkflowJob", pending["id"])
    subscribers = [subscriber(kind, gateway.url, JOB_UPDATED, {"id": global_id}) for kind in KINDS]
    try:
        for sub in subscribers:
            assert states(await sub.wait_for_events(1)) == ["QUEUED"]
        assert act(gateway, "cancelJob", global_id)["job"]["state"] == "CANCELED"
        for sub in subscribers:
            events = await sub.wait_for_complete()
            assert states(events) == ["QUEUED", "CANCELED"], sub.transport
            assert events[-1]["data"]["jobUpdated"]["upstreamStatus"] == "canceled"
    finally:
        for sub in subscribers:
            await sub.close()


async def test_pause_resume_and_cancel_of_an_operations_job_stream_each_transition(
    fresh: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = start_gateway(GATEWAY_SUBSCRIPTION_POLL_SECONDS="0.1")
    running = CONTROL.get(
        f"{fresh.url('opsmanager')}/operations-manager/jobs",
        params={"equals[status]": "running", "limit": 1},
        headers=AUTH,
    ).json()["data"][0]
    global_id = to_global_id("OperationsJob", running["_id"])
    subscribers = [subscriber(kind, gateway.url, JOB_UPDATED, {"id": global_id}) for kind in KINDS]
    try:
        for sub in subscribers:
            assert states(await sub.wait_for_events(1)) == ["RUNNING"]
        act(gateway, "pauseJob", global_id)
        for sub in subscribers:
            assert await until_state(sub, "PAUSED") == ["RUNNING", "PAUSED"], sub.transport
        act(gateway, "resumeJob", global_id)
        for sub in subscribers:
            assert await until_state(sub, "RUNNING") == ["RUNNING", "PAUSED", "RUNNING"]
        act(gateway, "cancelJob", global_id)
        for sub in subscribers:
            events = await sub.wait_for_complete()
            assert states(events) == ["RUNNING", "PAUSED", "RUNNING", "CANCELED"], sub.transport
    finally:
        for sub in subscribers:
            await sub.close()
