"""The wires (aiohttp's above all) against a raw HTTP/1.1 server on loopback."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import pytest

from gateway.config import load_settings
from gateway.upstream_names import Upstream
from gateway.upstreams.aiohttp_wire import AiohttpWire
from gateway.upstreams.caller import Caller
from gateway.upstreams.client import UpstreamClient
from gateway.upstreams.transport import build_http_client
from gateway.upstreams.wire import Failure, WireFailure
from tests.conftest import complete_env

OK = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"


@dataclass
class Recorder:
    """Request heads received, and how to answer each (by its index)."""

    url: str = ""
    heads: list[str] = field(default_factory=list)
    answer: Callable[[int], bytes | None] = lambda _index: OK + b"\r\n{}"


@pytest.fixture
async def upstream() -> AsyncIterator[Recorder]:
    recorder = Recorder()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                recorder.heads.append(head.decode("latin-1"))
                answer = recorder.answer(len(recorder.heads) - 1)
                if answer is None:  # the answer is lost: the connection closes without one
                    break
                writer.write(answer)
                await writer.drain()
        except asyncio.IncompleteReadError:
            pass
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    recorder.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    yield recorder
    server.close()


def wire_for(url: str) -> AiohttpWire:
    return AiohttpWire(load_settings(complete_env(GATEWAY_AWX_URL=url)).upstream(Upstream.AWX))


def header(head: str, name: str) -> str | None:
    for line in head.split("\r\n")[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() == name:
            return value.strip()
    return None


@pytest.mark.parametrize("transport", ["aiohttp", "httpcore"])
async def test_a_cookie_the_upstream_sets_is_never_sent_back(
    upstream: Recorder, transport: str
) -> None:
    upstream.answer = lambda _index: OK + b"Set-Cookie: session=caller-one; Path=/\r\n\r\n{}"
    settings = load_settings(complete_env(GATEWAY_AWX_URL=upstream.url)).upstream(Upstream.AWX)
    wire = build_http_client(settings, transport=transport)
    try:
        for _ in range(2):
            answer = await wire.send("GET", upstream.url + "/api/v2/x/", [], {})
            assert (answer.status, answer.content) == (200, b"{}")
    finally:
        await wire.aclose()
    assert len(upstream.heads) == 2
    assert header(upstream.heads[1], "cookie") is None


async def test_query_values_are_written_as_httpx_writes_them(upstream: Recorder) -> None:
    wire = wire_for(upstream.url)
    try:
        await wire.send(
            "GET", upstream.url + "/x", [("a", True), ("b", False), ("c", None), ("d", 7)], {}
        )
    finally:
        await wire.aclose()
    assert upstream.heads[0].startswith("GET /x?a=true&b=false&c=&d=7 HTTP/1.1\r\n")


async def test_the_base_url_path_prefixes_every_call_with_the_default_headers(
    upstream: Recorder,
) -> None:
    settings = load_settings(complete_env(GATEWAY_AWX_URL=upstream.url + "/awx/")).upstream(
        Upstream.AWX
    )
    wire = AiohttpWire(settings)
    client = UpstreamClient(settings, wire)
    try:
        response = await client.get("/api/v2/jobs/", [("id", "1")], caller=Caller())
    finally:
        await wire.aclose()
    assert response.body == {}
    [head] = upstream.heads
    assert head.startswith("GET /awx/api/v2/jobs/?id=1 HTTP/1.1\r\n")
    assert header(head, "accept") == "application/json"
    assert header(head, "user-agent") == "jobs-gateway"
    assert (header(head, "authorization") or "").startswith("Bearer ")


async def test_a_connection_closed_without_an_answer_is_a_lost_answer(upstream: Recorder) -> None:
    upstream.answer = lambda _index: None
    wire = wire_for(upstream.url)
    try:
        with pytest.raises(WireFailure) as raised:
            await wire.send("POST", upstream.url + "/x", [], {}, b"{}")
    finally:
        await wire.aclose()
    assert raised.value.failure is Failure.DROPPED
    assert len(upstream.heads) == 1


async def test_nothing_listening_means_the_request_was_never_sent() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    wire = wire_for(url)
    try:
        with pytest.raises(WireFailure) as raised:
            await wire.send("POST", url + "/x", [], {}, b"{}")
    finally:
        await wire.aclose()
    assert raised.value.failure is Failure.UNREACHABLE
