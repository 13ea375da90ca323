"""Graceful shutdown: on SIGTERM stop accepting, let requests finish, exit 0.

uvicorn already stops listening on SIGTERM and waits for in-flight requests
up to ``timeout_graceful_shutdown`` (``GATEWAY_SHUTDOWN_GRACE``). What this
module adds:

- :class:`TrackWebSockets` records open WebSocket connections, and
  :class:`GracefulServer` runs the app's ``before_shutdown`` as shutdown
  starts: the live subscriptions end with ``complete`` (SSE streams too, see
  :mod:`gateway.live`), then the WebSockets close with 1001 (going away):
  uvicorn itself would close them with 1012 (service restart), which tells a
  client to come back to the same place;
- :func:`exit_zero_on_sigterm`: uvicorn re-raises the signal it caught once it
  has shut down, so a SIGTERM would end the process "killed by signal 15"
  even after a clean shutdown; orchestrators read that as a failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import Awaitable, Callable, Iterator
from types import FrameType

import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("gateway.shutdown")

GOING_AWAY = 1001
CLOSE_WAIT = 5.0
"""Seconds the WebSocket close handshakes may take together."""


class WebSocketConnections:
    """The open WebSocket connections of one app (filled by :class:`TrackWebSockets`).

    After :meth:`close_all` the application's own later sends on a closed
    connection are dropped, so an operation still running does not fail
    with "message after close".
    """

    def __init__(self) -> None:
        self._open: dict[int, Send] = {}
        self._closed: set[int] = set()

    @property
    def open_count(self) -> int:
        """Connections accepted and not yet closed."""
        return len(self._open)

    async def close_all(self, code: int = GOING_AWAY) -> None:
        """Close every open connection with ``code``."""
        sends = list(self._open.items())
        self._open.clear()
        self._closed.update(key for key, _ in sends)

        async def close(send: Send) -> None:
            with contextlib.suppress(Exception):  # the peer may be gone already
                await send({"type": "websocket.close", "code": code, "reason": "server shutdown"})

        if sends:
            logger.info("closing %d WebSocket connection(s) with %d", len(sends), code)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(CLOSE_WAIT):
                    await asyncio.gather(*(close(send) for _, send in sends))


class TrackWebSockets:
    """ASGI middleware that records each WebSocket connection in a :class:`WebSocketConnections`."""

    def __init__(self, app: ASGIApp, *, connections: WebSocketConnections) -> None:
        self.app = app
        self.connections = connections

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        key = id(scope)
        connections = self.connections

        async def tracked_send(message: Message) -> None:
            if key in connections._closed:
                return
            if message["type"] == "websocket.accept":
                connections._open[key] = send
            elif message["type"] == "websocket.close":
                connections._open.pop(key, None)
            await send(message)

        try:
            await self.app(scope, receive, tracked_send)
        finally:
            connections._open.pop(key, None)
            connections._closed.discard(key)


class GracefulServer(uvicorn.Server):
    """uvicorn's server, running ``before_shutdown`` once listening has stopped."""

    def __init__(
        self, config: uvicorn.Config, before_shutdown: Callable[[], Awaitable[None]]
    ) -> None:
        super().__init__(config)
        self.before_shutdown = before_shutdown

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()  # stop accepting first; uvicorn closing them again is harmless
        await self.before_shutdown()
        await super().shutdown(sockets)


@contextlib.contextmanager
def exit_zero_on_sigterm() -> Iterator[None]:
    """Let a SIGTERM that uvicorn re-raises after a graceful shutdown end the process with 0.

    uvicorn installs its own handler while serving and, when done, restores
    the one found before and raises the signal again; the handler found
    before is this no-op.
    """

    def ignore(_signum: int, _frame: FrameType | None) -> None:
        return None

    try:
        previous = signal.signal(signal.SIGTERM, ignore)
    except ValueError:  # not the main thread: uvicorn does not handle signals there either
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
