"""Deadlines, call budgets and per-kind breakers of the upstream client."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from gateway.config import load_settings
from gateway.errors import (
    UpstreamBudgetExceeded,
    UpstreamDeadlinePassed,
    UpstreamTimeout,
    UpstreamUnavailable,
    UpstreamUnreachable,
)
from gateway.upstream_names import Upstream
from gateway.upstreams.breaker import CircuitBreaker
from gateway.upstreams.caller import Caller
from gateway.upstreams.client import RouteKind, UpstreamClient
from gateway.upstreams.transport import build_http_client
from tests.conftest import complete_env

Handler = Callable[[httpx.Request], httpx.Response]


def make_client(handler: Handler, **env: str) -> tuple[UpstreamClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    async def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/slow":
            await asyncio.sleep(5)
        return handler(request)

    settings = load_settings(complete_env(**env)).upstream(Upstream.AWX)
    http = httpx.AsyncClient(base_url=settings.url, transport=httpx.MockTransport(record))
    client = UpstreamClient(
        settings, http, backoff=0.001, breaker_factory=lambda: CircuitBreaker(threshold=2)
    )
    return client, seen


def ok(_: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"ok": True})


async def test_budget_counts_calls_but_not_coalesced_gets() -> None:
    client, seen = make_client(ok)
    caller = Caller(max_calls=2)
    await asyncio.gather(*(client.get("/a", caller=caller) for _ in range(5)))
    await client.post("/b", {}, caller=caller)
    with pytest.raises(UpstreamBudgetExceeded) as excinfo:
        await client.get("/c", caller=caller)
    assert excinfo.value.extensions()["code"] == "UPSTREAM_BUDGET_EXCEEDED"
    assert [r.url.path for r in seen] == ["/a", "/b"]
    assert caller.calls == 2


async def test_a_passed_deadline_sends_nothing() -> None:
    client, seen = make_client(ok)
    caller = Caller(deadline=time.monotonic() - 0.01)
    with pytest.raises(UpstreamDeadlinePassed) as excinfo:
        await client.get("/a", caller=caller)
    with pytest.raises(UpstreamDeadlinePassed):
        await client.post("/b", {}, caller=caller)
    assert seen == []
    assert excinfo.value.extensions()["code"] == "UPSTREAM_TIMEOUT"


async def test_the_request_deadline_cuts_a_slow_call_without_charging_the_breaker() -> None:
    client, seen = make_client(ok)
    for _ in range(3):
        caller = Caller.for_request(None, timeout=0.05)
        with pytest.raises(UpstreamTimeout):
            await client.get("/slow", caller=caller)
    assert len(seen) == 3
    assert not client.breakers[RouteKind.READ].is_open, "the upstream was not at fault"


async def test_the_upstream_deadline_charges_the_breaker() -> None:
    client, _ = make_client(ok, GATEWAY_AWX_TIMEOUT="0.05")
    for _ in range(2):
        with pytest.raises(UpstreamTimeout):
            await client.get("/slow", caller=Caller())
    assert client.breakers[RouteKind.READ].is_open


async def test_failing_writes_do_not_lock_out_reads() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500) if request.method == "POST" else ok(request)

    client, _ = make_client(handler)
    for _ in range(3):
        with pytest.raises(UpstreamUnavailable):
            await client.post("/jobs", {}, caller=Caller())
    assert client.breakers[RouteKind.WRITE].is_open
    with pytest.raises(UpstreamUnreachable):
        await client.post("/jobs", {}, caller=Caller())
    assert (await client.get("/jobs", caller=Caller())).body == {"ok": True}


async def test_a_settling_lookup_goes_through_an_open_read_breaker() -> None:
    failing = [True]

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503) if failing[0] else ok(request)

    client, seen = make_client(handler)
    for _ in range(2):
        with pytest.raises(UpstreamUnavailable):
            await client.get("/x", caller=Caller())
    assert client.breakers[RouteKind.READ].is_open
    failing[0] = False
    sent = len(seen)
    with pytest.raises(UpstreamUnreachable):
        await client.get("/lookup", caller=Caller())
    assert len(seen) == sent
    assert (await client.get("/lookup", caller=Caller(), settling=True)).body == {"ok": True}
    assert not client.breakers[RouteKind.READ].is_open


async def drip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """An upstream that answers its headers, then one body byte every 0.3 s."""
    await reader.readuntil(b"\r\n\r\n")
    writer.write(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
    )
    try:
        for _ in range(100):
            writer.write(b" ")
            await writer.drain()
            await asyncio.sleep(0.3)
    except ConnectionError:
        pass
    finally:
        writer.close()


@pytest.fixture
async def dripping_url() -> AsyncIterator[str]:
    server = await asyncio.start_server(drip, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.close()


@pytest.mark.parametrize("transport", ["aiohttp", "httpcore"])
async def test_a_dripping_upstream_meets_the_overall_deadline(
    dripping_url: str, transport: str
) -> None:
    settings = load_settings(
        complete_env(GATEWAY_AWX_URL=dripping_url, GATEWAY_AWX_TIMEOUT="1")
    ).upstream(Upstream.AWX)
    http = build_http_client(settings, transport=transport)
    client = UpstreamClient(settings, http, max_retries=0)
    try:
        # Every byte arrives well within the 1 s read timeout; the call as a whole may
        # not. The 20 s guard raises a plain TimeoutError, failing the test, if the
        # gateway waits for the 30 s drip.
        with pytest.raises(UpstreamTimeout):
            await asyncio.wait_for(client.get("/api/v2/x/", caller=Caller()), 20)
    finally:
        await http.aclose()
