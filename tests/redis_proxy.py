"""A TCP proxy the test controls, in front of the real Redis: stop it for an outage, start it again.

``RedisProxy(target_host, target_port)`` listens on a port of 127.0.0.1 of
its own (the same one across :meth:`stop` and :meth:`start`), and pipes each
connection to the target. :meth:`stop` closes the listener and every piped
connection (clients see their connections reset and new ones refused);
:meth:`start` listens again. Gateways pointed at :attr:`url` see Redis go
away and come back.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from urllib.parse import urlsplit


class RedisProxy:
    """A stoppable TCP pipe from 127.0.0.1:<port> to ``target``."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()

    @classmethod
    def to(cls, redis_url: str) -> RedisProxy:
        """A proxy in front of the Redis at ``redis_url``, started."""
        parts = urlsplit(redis_url)
        proxy = cls(parts.hostname or "127.0.0.1", parts.port or 6379)
        proxy.start()
        return proxy

    def url(self, db: str = "0") -> str:
        """The ``redis://`` URL to give the gateways."""
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        """Listen (again, on the same port) and pipe new connections."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        """Refuse new connections and cut every open one."""
        listener, self._listener = self._listener, None
        if listener is not None:
            _close(listener)
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            _close(sock)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # stopped
            try:
                upstream = socket.create_connection(self.target, timeout=2)
            except OSError:
                _close(client)
                continue
            upstream.settimeout(None)
            with self._lock:
                if self._listener is not listener:
                    _close(client)
                    _close(upstream)
                    return
                self._sockets.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            _close(source)
            _close(sink)
            with self._lock:
                self._sockets.discard(source)
                self._sockets.discard(sink)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
