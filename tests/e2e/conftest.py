"""The gateway as a real HTTP server on 127.0.0.1, in front of the sandbox upstreams."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.background import BackgroundServer
from gateway.config import Settings, load_settings
from sandbox.server import SandboxThread
from tests.conftest import CONTROL
from tests.secret_scan import response_hooks

CSRF = {"X-GraphQL-CSRF": "1"}
"""The header a GET to ``/graphql`` needs under CSRF prevention (see :mod:`gateway.csrf`)."""


def gateway_settings(sandbox: SandboxThread, **env: str) -> Settings:
    """Settings pointing the gateway at the sandbox, with its token (``env`` overrides)."""
    base = sandbox.sandboxes.gateway_env()
    base.update(env)
    return load_settings(base)


class GatewayClient:
    """Posts GraphQL operations to a running gateway."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.server: BackgroundServer | None = None
        """The server, when the ``start_gateway`` fixture started it (tests may stop it)."""
        self.http = httpx.Client(base_url=url, timeout=30, event_hooks=response_hooks())

    def post(
        self, query: str, variables: dict[str, Any] | None = None, **kw: Any
    ) -> httpx.Response:
        return self.http.post("/graphql", json={"query": query, "variables": variables or {}}, **kw)

    def execute(
        self, query: str, variables: dict[str, Any] | None = None, **kw: Any
    ) -> dict[str, Any]:
        """The GraphQL response body (asserting HTTP 200)."""
        response = self.post(query, variables, **kw)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The ``data`` of a response that must have no errors."""
        body = self.execute(query, variables)
        assert "errors" not in body, body.get("errors")
        result: dict[str, Any] = body["data"]
        return result


GatewayFactory = Callable[..., GatewayClient]


@pytest.fixture
def start_gateway(sandbox: SandboxThread) -> Iterator[GatewayFactory]:
    """Start a gateway with extra ``GATEWAY_*`` settings; stopped after the test."""
    servers: list[BackgroundServer] = []
    clients: list[GatewayClient] = []

    def start(**env: str) -> GatewayClient:
        settings = gateway_settings(sandbox, **env)
        app = create_app(settings)
        server = BackgroundServer(
            app,
            ws_max_size=settings.max_body_bytes,
            before_shutdown=app.state.before_shutdown,  # as `serve` shuts down
        )
        server.start()
        servers.append(server)
        client = GatewayClient(server.url)
        client.server = server
        clients.append(client)
        return client

    yield start
    for client in clients:
        client.http.close()
    for server in servers:
        server.stop()


@pytest.fixture
def gateway(start_gateway: GatewayFactory) -> GatewayClient:
    """A gateway on the sandbox with default settings."""
    return start_gateway()


def upstream_requests(sandbox: SandboxThread, name: str) -> dict[str, int]:
    """The sandbox's request counts of one upstream, by route."""
    body = CONTROL.get(f"{sandbox.url(name)}/_sandbox/stats").json()
    requests: dict[str, int] = body["requests"]
    return requests


def upstream_total(sandbox: SandboxThread, name: str) -> int:
    """How many requests one upstream answered since the last reset."""
    total: int = CONTROL.get(f"{sandbox.url(name)}/_sandbox/stats").json()["total"]
    return total


def reset_counts(sandbox: SandboxThread) -> None:
    """Zero every upstream's request counts."""
    for name in ("jobstore", "opsmanager", "awx"):
        CONTROL.post(f"{sandbox.url(name)}/_sandbox/reset").raise_for_status()


def set_faults(sandbox: SandboxThread, name: str, **faults: Any) -> None:
    """Configure one upstream's faults (cleared by the `sandbox` fixture after the test)."""
    CONTROL.put(f"{sandbox.url(name)}/_sandbox/faults", json=faults).raise_for_status()
