"""uvicorn's HTTP/1.1 protocol (httptools), writing an answer's head together with its body.

uvicorn writes a response's head as soon as the app sends
``http.response.start`` and its body on ``http.response.body``: two socket
writes, two TCP segments, for nearly every answer the gateway gives (a JSON
answer of known length, sent by the POST lane as those two messages). On
this project's 2-core machines a write is a system call of several
microseconds and the client wakes for each segment; holding the head until
the first body write and writing both at once took the gateway's CPU time
per one-object query from 0.74-0.76 to 0.72-0.73 ms (``hey -c1``, three
alternating runs), and its throughput at 0 ms upstream latency up 3-7%
(``wrk -c32``, ``bench.peer``'s queries a and c, two alternating runs each).

Only heads of answers whose length is declared (``content-length``) are held,
and not for ``HEAD`` requests: uvicorn writes no body for those. A streamed
answer (GraphQL over SSE, chunked) has its head written at once, so a client
sees the stream accepted before its first event. ``100 Continue`` is never
held. A connection closed after the head but before the body (the app failed
mid-answer) gets the head first, as before.

It depends on two things uvicorn does (0.54, the version ``pyproject.toml``
allows): the request's
``RequestResponseCycle`` is made in ``on_headers_complete`` and writes
through its ``transport`` attribute, and the head is one write.
``tests/gateway/test_http_protocol.py`` drives uvicorn's real protocol and
fails if either changes.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

_HEAD = b"HTTP/1.1 "
_CONTINUE = b"HTTP/1.1 100 "
_LENGTH = b"\r\ncontent-length:"
_JOIN_BELOW = 16 * 1024
"""Bodies smaller than this are joined to the head; bigger ones go with it in one ``writelines``."""


class HeadWithBody:
    """One request's view of the connection: a sized answer's head waits for its body."""

    __slots__ = ("_head", "_holds", "_transport")

    def __init__(self, transport: asyncio.Transport, *, holds: bool) -> None:
        self._transport = transport
        self._holds = holds
        self._head: bytes | None = None

    def write(self, data: bytes) -> None:
        """Write ``data``; a sized answer's head is kept for the next write."""
        head = self._head
        if head is not None:
            self._head = None
            if len(data) < _JOIN_BELOW:
                self._transport.write(head + data)
            else:
                self._transport.writelines((head, data))
            return
        if (
            self._holds
            and data.startswith(_HEAD)
            and not data.startswith(_CONTINUE)
            and _LENGTH in data
        ):
            self._head = data
            self._holds = False  # one head per request
            return
        self._transport.write(data)

    def close(self) -> None:
        """Write a head still held (unless the connection is gone), then close it.

        uvloop refuses a write to a transport whose connection was lost
        (``RuntimeError``); the client that would have read the head is gone.
        """
        head = self._head
        if head is not None:
            self._head = None
            if not self._transport.is_closing():
                self._transport.write(head)
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class HeadWithBodyProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol; each request's answer goes out as one write."""

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        cycle = self.cycle  # None, or the previous request's, when this one upgrades
        if cycle is not None and not isinstance(cycle.transport, HeadWithBody):
            holds = cycle.scope["method"] != "HEAD"
            cycle.transport = HeadWithBody(self.transport, holds=holds)  # type: ignore[assignment]
