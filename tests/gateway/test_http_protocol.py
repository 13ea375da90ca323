"""An answer's head goes out with its body: uvicorn's real protocol over a recording transport."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
import uvicorn
from starlette.types import Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from gateway.http_protocol import HeadWithBody, HeadWithBodyProtocol


class RecordingTransport(asyncio.Transport):
    """Each ``write``/``writelines`` call kept as one entry (one system call on a socket)."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self.closed:  # as uvloop's transport does once the connection is gone
            raise RuntimeError("unable to perform operation: the handler is closed")
        self.writes.append(bytes(data))

    def writelines(self, list_of_data: Any) -> None:
        self.writes.append(b"".join(list_of_data))

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8000)}.get(
            name, default
        )

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


def _sized(body: bytes) -> Callable[[Scope, Receive, Send], Any]:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


async def _serve(
    app: Callable[[Scope, Receive, Send], Any],
    raw: bytes,
    protocol_class: type[HttpToolsProtocol] = HeadWithBodyProtocol,
    *,
    done: Callable[[RecordingTransport], bool] | None = None,
) -> RecordingTransport:
    config = uvicorn.Config(app, http=protocol_class, lifespan="off", log_level="critical")
    config.load()
    protocol = protocol_class(config=config, server_state=ServerState(), app_state={})
    transport = RecordingTransport()
    protocol.connection_made(transport)
    protocol.data_received(raw)
    finished = done or (lambda t: protocol.cycle.response_complete or t.closed)
    for _ in range(200):
        await asyncio.sleep(0)
        if finished(transport):
            break
    else:
        pytest.fail(f"no answer; written: {transport.writes!r}")
    return transport


POST = (
    b"POST /graphql HTTP/1.1\r\nhost: t\r\n"
    b"content-type: application/json\r\ncontent-length: 2\r\n\r\n{}"
)


async def test_a_sized_answer_goes_out_in_one_write() -> None:
    transport = await _serve(_sized(b'{"data":{}}'), POST)
    assert len(transport.writes) == 1
    (written,) = transport.writes
    assert written.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"\r\ncontent-length: 11\r\n" in written
    assert written.endswith(b'\r\n\r\n{"data":{}}')


async def test_uvicorn_alone_writes_the_head_and_the_body_apart() -> None:
    """The premise: should uvicorn start writing both at once, this module is not needed."""
    transport = await _serve(_sized(b'{"data":{}}'), POST, HttpToolsProtocol)
    assert len(transport.writes) == 2
    assert transport.writes[1] == b'{"data":{}}'


async def test_a_big_answer_goes_out_in_one_call_too() -> None:
    body = b"x" * 100_000
    transport = await _serve(_sized(body), POST)
    assert len(transport.writes) == 1
    assert transport.writes[0].endswith(b"\r\n\r\n" + body)


async def test_pipelined_requests_each_get_one_write() -> None:
    transport = await _serve(
        _sized(b"{}"), POST + POST, done=lambda t: len(t.writes) >= 2 or t.closed
    )
    assert len(transport.writes) == 2
    assert all(w.startswith(b"HTTP/1.1 200 OK\r\n") and w.endswith(b"{}") for w in transport.writes)


async def test_the_head_of_a_head_request_is_written_though_no_body_follows() -> None:
    raw = b"HEAD /graphiql HTTP/1.1\r\nhost: t\r\n\r\n"
    transport = await _serve(_sized(b"<html></html>"), raw)
    assert len(transport.writes) == 1
    assert transport.writes[0].startswith(b"HTTP/1.1 200 OK\r\n")
    assert transport.writes[0].endswith(b"\r\n\r\n")


async def test_a_streamed_answer_has_its_head_written_before_its_first_event() -> None:
    first_event = asyncio.Event()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        headers = [(b"content-type", b"text/event-stream")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await first_event.wait()
        await send({"type": "http.response.body", "body": b"event: next\n\n", "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    transport = await _serve(app, POST, done=lambda t: bool(t.writes))
    assert len(transport.writes) == 1  # the head alone, while no event has come
    assert transport.writes[0].startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"\r\ntransfer-encoding: chunked\r\n" in transport.writes[0]
    first_event.set()
    for _ in range(50):
        await asyncio.sleep(0)
    assert transport.writes[1:] == [b"d\r\nevent: next\n\n\r\n", b"0\r\n\r\n"]


async def test_100_continue_is_written_at_once() -> None:
    raw = POST.replace(b"\r\n\r\n", b"\r\nexpect: 100-continue\r\n\r\n", 1)
    transport = await _serve(_sized(b"{}"), raw)
    assert transport.writes[0] == b"HTTP/1.1 100 Continue\r\n\r\n"
    assert len(transport.writes) == 2
    assert transport.writes[1].startswith(b"HTTP/1.1 200 OK\r\n")


async def test_an_app_failing_after_its_head_still_gets_the_head_out_then_closes() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        headers = [(b"content-length", b"10")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        raise RuntimeError("failed mid-answer")

    transport = await _serve(app, POST)
    assert transport.closed
    assert len(transport.writes) == 1
    assert transport.writes[0].startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"\r\ncontent-length: 10\r\n" in transport.writes[0]


def test_a_held_head_is_dropped_when_the_connection_is_already_gone() -> None:
    transport = RecordingTransport()
    view = HeadWithBody(transport, holds=True)
    view.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
    assert transport.writes == []  # held for the body
    transport.closed = True  # the client went away; the app then failed
    view.close()
    assert transport.writes == []


async def test_an_app_failing_after_the_client_left_ends_quietly() -> None:
    left = asyncio.Event()
    ended: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        headers = [(b"content-length", b"10")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await left.wait()
        ended.append("app")
        raise RuntimeError("failed after the client left")

    config = uvicorn.Config(app, http=HeadWithBodyProtocol, lifespan="off", log_level="critical")
    config.load()
    state = ServerState()
    protocol = HeadWithBodyProtocol(config=config, server_state=state, app_state={})
    transport = RecordingTransport()
    protocol.connection_made(transport)
    protocol.data_received(POST)
    for _ in range(20):
        await asyncio.sleep(0)
    (task,) = state.tasks
    transport.closed = True
    protocol.connection_lost(None)
    left.set()
    await asyncio.wait_for(task, 5)  # raises if closing the view raised
    assert ended == ["app"]
    assert transport.writes == []
