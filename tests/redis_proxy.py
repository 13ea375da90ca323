"""A TCP proxy in front of the real Redis that a test can stop and start: a Redis outage on cue.

``RedisProxy(redis_url)`` listens on a fixed loopback port of its own (``url``
is the Redis URL through it) and relays bytes both ways. :meth:`stop` closes
the listening socket (new connections are refused) and every relayed
connection (clients see the connection drop, as when Redis dies);
:meth:`start` listens again on the same port. It runs its own asyncio loop in
a thread, so a test's loop and gateway subprocesses can both use it.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from concurrent.futures import Future
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


class RedisProxy:
    """See the module docstring; use as a context manager (started on entry, closed on exit)."""

    def __init__(self, redis_url: str) -> None:
        parts = urlsplit(redis_url)
        self.target = (parts.hostname or "127.0.0.1", parts.port or 6379)
        self.port = _free_port()
        self.url = redis_url.replace(parts.netloc, f"127.0.0.1:{self.port}", 1)
        self.accepted = 0
        """Connections accepted since the proxy was made."""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._thread.start()

    def __enter__(self) -> RedisProxy:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> None:
        """Listen (again) on :attr:`port`."""
        self._call(self._start())

    def stop(self) -> None:
        """Refuse new connections and drop every relayed one."""
        self._call(self._stop())

    def close(self) -> None:
        """Stop, and end the proxy's thread."""
        self.stop()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    def _call(self, coro: Any) -> None:
        future: Future[None] = asyncio.run_coroutine_threadsafe(coro, self._loop)
        future.result(10)

    async def _start(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(
                self._relay, "127.0.0.1", self.port, reuse_address=True
            )

    async def _stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()
        if server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 5)

    async def _relay(
        self, client_reader: asyncio.StreamReader, client: asyncio.StreamWriter
    ) -> None:
        self.accepted += 1
        try:
            redis_reader, redis = await asyncio.open_connection(*self.target)
        except OSError:
            client.transport.abort()
            return
        self._writers |= {client, redis}
        await asyncio.gather(self._pipe(client_reader, redis), self._pipe(redis_reader, client))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            self._writers.discard(writer)
            writer.transport.abort()
