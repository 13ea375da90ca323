"""Running an ASGI app as a real HTTP server in a background thread.

Tests and benchmarks use it to put the gateway on a loopback port, as a
client would meet it, with its own event loop and lifespan.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Awaitable, Callable
from types import TracebackType

import uvicorn
from starlette.types import ASGIApp

from gateway.http_protocol import HeadWithBodyProtocol
from gateway.shutdown import GracefulServer

UVICORN_WS_MAX_SIZE = 16 * 1024 * 1024
"""uvicorn's own default ``ws_max_size``."""


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket for uvicorn (port 0: any free port).

    Made with ``IPPROTO_TCP`` rather than 0: asyncio only turns Nagle off on
    accepted sockets whose protocol says TCP, and with Nagle and delayed ACKs
    every small answer waits about 40 ms.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(4096)
    sock.setblocking(False)
    return sock


class BackgroundServer:
    """``app`` served by uvicorn on ``host:port`` (0: any free port) in a thread.

    ``ws_max_size``: the largest WebSocket message uvicorn reads (bytes), as
    ``serve`` sets it from ``GATEWAY_MAX_BODY_BYTES``; uvicorn's default otherwise.
    ``before_shutdown``: run once listening has stopped, as ``serve`` runs the
    app's (``app.state.before_shutdown``: live streams end, WebSockets close).
    """

    def __init__(
        self,
        app: ASGIApp,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        ws_max_size: int | None = None,
        before_shutdown: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.host = host
        self._sock = bind_socket(host, port)
        self.port: int = self._sock.getsockname()[1]
        config = uvicorn.Config(
            app,
            http=HeadWithBodyProtocol,  # as ``serve`` runs the gateway
            lifespan="on",
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=2,
            ws_max_size=ws_max_size or UVICORN_WS_MAX_SIZE,
        )
        self._server = (
            uvicorn.Server(config)
            if before_shutdown is None
            else GracefulServer(config, before_shutdown=before_shutdown)
        )
        self._thread = threading.Thread(target=self._run, name="server", daemon=True)

    @property
    def url(self) -> str:
        """Base URL of the server."""
        return f"http://{self.host}:{self.port}"

    def _run(self) -> None:
        asyncio.run(self._server.serve(sockets=[self._sock]))

    def start(self) -> BackgroundServer:
        """Start serving; returns once the server accepts connections."""
        self._thread.start()
        for _ in range(3000):
            if self._server.started:
                return self
            if not self._thread.is_alive():
                break
            threading.Event().wait(0.01)
        raise RuntimeError("the server did not start")

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self._server.should_exit = True
        self._thread.join(timeout=30)
        self._sock.close()

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
