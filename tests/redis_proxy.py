"""A TCP proxy in front of the real Redis that a test can break and mend.

Redis outages are tested against the machine's Redis through this proxy, so
that a test can take "Redis" away and give it back mid-test without touching
the server other tests share::

    with RedisProxy.to(redis_url) as proxy:
        gateway = start_gateway(GATEWAY_REDIS_URL=proxy.url, ...)
        proxy.stop()    # connections cut, new ones refused: Redis is down
        proxy.start()   # listening again on the same port
        proxy.stall()   # connections accepted, nothing forwarded: Redis is slow
        proxy.resume()

It runs its own asyncio loop in a daemon thread, so it serves gateways
started in the test process (``start_gateway``) and gateway subprocesses alike.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Coroutine
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")

CHUNK = 65536


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


class RedisProxy:
    """Forwards ``127.0.0.1:<port>`` to a Redis; :meth:`stop`/:meth:`start`, :meth:`stall`."""

    def __init__(self, target_host: str, target_port: int, *, db: int = 0) -> None:
        self.target = (target_host, target_port)
        self.db = db
        self.port = _free_port()
        self.accepted = 0
        """Connections accepted since the proxy was made (a client that reconnects adds one)."""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._flowing = self._call(self._make_event())

    @classmethod
    def to(cls, redis_url: str) -> RedisProxy:
        """A proxy (listening) in front of the Redis of ``redis_url``."""
        parts = urlsplit(redis_url)
        db = int(parts.path.strip("/") or 0)
        proxy = cls(parts.hostname or "127.0.0.1", parts.port or 6379, db=db)
        proxy.start()
        return proxy

    @property
    def url(self) -> str:
        """The URL a gateway is given: the proxy's port, the target's database."""
        return f"redis://127.0.0.1:{self.port}/{self.db}"

    def start(self) -> None:
        """Listen (again) on the proxy's port."""
        self._call(self._start())

    def stop(self) -> None:
        """Stop listening and cut every open connection: Redis is down (refused)."""
        self._call(self._stop())

    def stall(self) -> None:
        """Keep accepting and holding connections but forward nothing: Redis is slow."""
        self._loop.call_soon_threadsafe(self._flowing.clear)

    def resume(self) -> None:
        """Forward again after :meth:`stall` (what was held back is sent then)."""
        self._loop.call_soon_threadsafe(self._flowing.set)

    def close(self) -> None:
        """Stop and end the proxy's thread."""
        self.stop()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    async def _make_event(self) -> asyncio.Event:
        event = asyncio.Event()
        event.set()
        return event

    async def _start(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(
                self._serve, "127.0.0.1", self.port, reuse_address=True
            )

    async def _stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _serve(
        self, client_reader: asyncio.StreamReader, client: asyncio.StreamWriter
    ) -> None:
        self.accepted += 1
        self._writers.add(client)
        try:
            upstream_reader, upstream = await asyncio.open_connection(*self.target)
        except OSError:
            client.transport.abort()
            self._writers.discard(client)
            return
        self._writers.add(upstream)
        await asyncio.gather(
            self._pipe(client_reader, upstream),
            self._pipe(upstream_reader, client),
            return_exceptions=True,
        )
        for writer in (client, upstream):
            writer.transport.abort()
            self._writers.discard(writer)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(CHUNK):
                await self._flowing.wait()
                writer.write(data)
                await writer.drain()
        finally:
            writer.transport.abort()
