"""Shared GETs: every waiter gets the answer, one per event-loop turn; a cut call is asked again."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from gateway.config import load_settings
from gateway.errors import RequestDeadlineCut
from gateway.upstream_names import Upstream
from gateway.upstreams.caller import Caller
from gateway.upstreams.client import RouteKind, UpstreamClient
from gateway.upstreams.shared_gets import SharedGet
from tests.conftest import complete_env


async def test_waiters_are_released_one_per_loop_turn() -> None:
    gate: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    shared = SharedGet(asyncio.ensure_future(gate), owner=None)
    order: list[str] = []

    async def waiter(name: str) -> None:
        order.append(f"{name}:{await shared.wait()}")
        # work queued by a released waiter runs before the next waiter is released
        asyncio.get_running_loop().call_soon(order.append, f"after {name}")

    tasks = [asyncio.ensure_future(waiter(n)) for n in ("a", "b", "c")]
    await asyncio.sleep(0)
    gate.set_result("x")
    await asyncio.gather(*tasks)

    assert order == ["a:x", "after a", "b:x", "after b", "c:x", "after c"]


async def test_a_waiter_that_gave_up_is_skipped_and_the_rest_get_the_error() -> None:
    gate: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    shared = SharedGet(asyncio.ensure_future(gate), owner=None)
    gone, kept = shared.wait(), shared.wait()
    gone.cancel()

    gate.set_exception(ValueError("boom"))
    with pytest.raises(ValueError, match="boom"):
        await kept
    assert shared.waiting == 0


async def test_a_call_cut_by_its_makers_deadline_is_asked_again_for_a_waiter_with_time() -> None:
    seen: list[httpx.Request] = []

    async def first_slow(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) == 1:
            await asyncio.sleep(0.5)
        return httpx.Response(200, json={"ok": True})

    settings = load_settings(complete_env()).upstream(Upstream.AWX)
    http = httpx.AsyncClient(base_url=settings.url, transport=httpx.MockTransport(first_slow))
    client = UpstreamClient(settings, http)
    hurried = Caller.for_request(None, timeout=0.05)
    patient = Caller.for_request(None, timeout=5)

    first = asyncio.ensure_future(client.get("/jobs", caller=hurried))
    await asyncio.sleep(0.01)
    second = asyncio.ensure_future(client.get("/jobs", caller=patient))

    with pytest.raises(RequestDeadlineCut):
        await first
    assert (await second).body == {"ok": True}
    assert len(seen) == 2  # the shared call, cut; then the patient request's own
    assert not client.breakers[RouteKind.READ].is_open
    await http.aclose()
