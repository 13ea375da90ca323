"""Gateways as real processes (``jobs-gateway serve``) in front of the test's sandbox.

For the tests of state shared between processes through Redis: each process
has its own memory, as replicas do. ``start_process(**env)`` starts one on a
free port and waits for ``/healthz``; each is terminated after the test.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator

import pytest

from bench.processes import free_port, wait_until_up
from sandbox.server import SandboxThread
from tests.e2e.conftest import GatewayClient

ProcessFactory = Callable[..., GatewayClient]


@pytest.fixture
def start_process(sandbox: SandboxThread) -> Iterator[ProcessFactory]:
    """Start a ``jobs-gateway serve`` process on the sandbox with extra ``GATEWAY_*`` settings."""
    processes: list[subprocess.Popen[bytes]] = []
    clients: list[GatewayClient] = []

    def start(**env: str) -> GatewayClient:
        port = free_port()
        process_env = {**os.environ, **sandbox.sandboxes.gateway_env(), **env}
        process = subprocess.Popen(  # noqa: S603 - our own CLI
            [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port)],
            env=process_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(process)
        url = f"http://127.0.0.1:{port}"
        wait_until_up(f"{url}/healthz")
        client = GatewayClient(url)
        clients.append(client)
        return client

    yield start
    for client in clients:
        client.http.close()
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
