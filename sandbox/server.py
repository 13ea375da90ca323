"""Running the three sandbox upstreams as real HTTP servers.

:func:`serve_sandboxes` runs them in the current event loop (``jobs-gateway
sandbox`` and ``serve --demo``). :class:`SandboxThread` runs them in a
background thread on ephemeral loopback ports, for tests and benchmarks.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from types import TracebackType

import uvicorn
from starlette.applications import Starlette

from gateway.background import bind_socket
from sandbox import awx, jobstore, opsmanager
from sandbox.faults import FaultSettings
from sandbox.protocol import DroppableHttpProtocol
from sandbox.settings import SandboxSettings

UPSTREAMS: dict[str, Callable[[SandboxSettings], Starlette]] = {
    "jobstore": jobstore.create_app,
    "opsmanager": opsmanager.create_app,
    "awx": awx.create_app,
}
DEFAULT_PORTS = {"jobstore": 8101, "opsmanager": 8102, "awx": 8103}
TOKEN_PATHS = {"jobstore": jobstore.TOKEN_PATH, "opsmanager": opsmanager.TOKEN_PATH}
"""The OAuth2 token endpoints (AWX takes personal access tokens only)."""


@dataclass(slots=True)
class SandboxSet:
    """The settings of the three upstreams and the ports they listen on."""

    host: str = "127.0.0.1"
    ports: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    settings: dict[str, SandboxSettings] = field(default_factory=dict)

    @classmethod
    def create(
        cls,
        *,
        host: str = "127.0.0.1",
        ports: dict[str, int] | None = None,
        seed: int = 0,
        latency_ms: float = 0.0,
        progress_seconds: float = 5.0,
        only: list[str] | None = None,
    ) -> SandboxSet:
        """Same seed, latency and clock for the upstreams (``only``: a subset)."""
        base = SandboxSettings(seed=seed, progress_seconds=progress_seconds)
        settings = {
            name: replace(base, faults=FaultSettings(latency_ms=latency_ms))
            for name in UPSTREAMS
            if only is None or name in only
        }
        return cls(host=host, ports=dict(ports or DEFAULT_PORTS), settings=settings)

    def url(self, name: str) -> str:
        """Base URL of one upstream."""
        return f"http://{self.host}:{self.ports[name]}"

    def gateway_env(self) -> dict[str, str]:
        """The ``GATEWAY_<UP>_URL`` and ``GATEWAY_<UP>_TOKEN`` settings that reach these upstreams.

        ``jobs-gateway serve --demo`` adds them to the environment it reads the
        gateway settings from; the ports must be final (not 0) by then.
        """
        env: dict[str, str] = {}
        for name, settings in self.settings.items():
            env[f"GATEWAY_{name.upper()}_URL"] = self.url(name)
            env[f"GATEWAY_{name.upper()}_TOKEN"] = settings.token
        return env

    def client_credentials_env(self, name: str) -> dict[str, str]:
        """Settings that make the gateway use ``name``'s OAuth2 token endpoint, not its token.

        Merged over :meth:`gateway_env`; ``GATEWAY_<UP>_TOKEN`` is set to ``""``,
        which the gateway reads as unset.
        """
        settings = self.settings[name]
        prefix = f"GATEWAY_{name.upper()}_"
        return {
            prefix + "TOKEN": "",
            prefix + "TOKEN_URL": self.url(name) + TOKEN_PATHS[name],
            prefix + "CLIENT_ID": settings.client_id,
            prefix + "CLIENT_SECRET": settings.client_secret,
        }


def build_apps(sandboxes: SandboxSet) -> dict[str, Starlette]:
    """One Starlette app per upstream."""
    return {name: UPSTREAMS[name](settings) for name, settings in sandboxes.settings.items()}


def _server(app: Starlette, log_level: str) -> uvicorn.Server:
    config = uvicorn.Config(
        app,
        http=DroppableHttpProtocol,
        lifespan="off",
        log_level=log_level,
        access_log=False,
        timeout_graceful_shutdown=1,
        backlog=4096,
    )
    return uvicorn.Server(config)


async def serve_sandboxes(
    sandboxes: SandboxSet,
    *,
    log_level: str = "warning",
    started: Callable[[dict[str, Starlette]], None] | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Serve the three upstreams in this event loop until cancelled or ``stop`` is set.

    Ports given as 0 are chosen by the OS and written back into ``sandboxes.ports``.
    """
    apps = build_apps(sandboxes)
    servers: list[uvicorn.Server] = []
    sockets: list[socket.socket] = []
    for name, app in apps.items():
        sock = bind_socket(sandboxes.host, sandboxes.ports[name])
        sandboxes.ports[name] = sock.getsockname()[1]
        sockets.append(sock)
        servers.append(_server(app, log_level))
    tasks = [
        asyncio.create_task(server.serve(sockets=[sock]))
        for server, sock in zip(servers, sockets, strict=True)
    ]
    while not all(server.started for server in servers):
        if any(task.done() for task in tasks):
            break
        await asyncio.sleep(0.01)
    if started is not None:
        started(apps)
    try:
        if stop is None:
            await asyncio.gather(*tasks)
        else:
            await stop.wait()
    finally:
        for server in servers:
            server.should_exit = True
        await asyncio.gather(*tasks, return_exceptions=True)
        for sock in sockets:
            sock.close()


class SandboxThread:
    """The three upstreams on ephemeral loopback ports in a background thread.

    >>> with SandboxThread(SandboxSet.create(ports={...: 0})) as sandboxes: ...
    """

    def __init__(self, sandboxes: SandboxSet | None = None) -> None:
        self.sandboxes = sandboxes or SandboxSet.create(ports=dict.fromkeys(UPSTREAMS, 0))
        self.apps: dict[str, Starlette] = {}
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="sandbox", daemon=True)
        self._error: BaseException | None = None

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)

        async def main() -> None:
            self._stop = asyncio.Event()

            def started(apps: dict[str, Starlette]) -> None:
                self.apps = apps
                self._ready.set()

            await serve_sandboxes(self.sandboxes, started=started, stop=self._stop)

        try:
            loop.run_until_complete(main())
        except BaseException as exc:  # surfaced to the starting thread
            self._error = exc
            self._ready.set()
        finally:
            loop.close()

    def start(self) -> SandboxThread:
        """Start serving; returns once all three listen."""
        self._thread.start()
        if not self._ready.wait(timeout=30):
            raise RuntimeError("sandbox upstreams did not start within 30 s")
        if self._error is not None:
            raise RuntimeError("sandbox upstreams failed to start") from self._error
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread to end."""
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=30)

    def url(self, name: str) -> str:
        """Base URL of one upstream."""
        return self.sandboxes.url(name)

    def __enter__(self) -> SandboxThread:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
