"""Several ``jobs-gateway serve`` processes on one sandbox (and, for scale-out tests, one Redis).

Each gateway is a real subprocess on its own free port, started as a
deployment starts it, with the sandbox's URLs and token plus the extra
``GATEWAY_*`` settings a test gives; its output goes to a log file that an
assertion failure shows.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from bench.processes import free_port
from sandbox.server import SandboxThread


class ServedGateway:
    """One ``jobs-gateway serve`` subprocess."""

    def __init__(self, sandbox: SandboxThread, log: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        full_env = dict(os.environ)
        full_env.update(sandbox.sandboxes.gateway_env())
        full_env.update(env)
        self.process = subprocess.Popen(  # noqa: S603 - our own CLI
            [sys.executable, "-m", "gateway.cli", "serve", "--port", str(self.port)],
            env=full_env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )

    def wait_until_up(self) -> None:
        """Wait for ``/healthz`` (asserting the process did not exit meanwhile)."""
        for _ in range(600):
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert self.process.poll() is None, self.log.read_text()
            time.sleep(0.05)
        raise AssertionError(f"the gateway did not come up: {self.log.read_text()}")

    def stop(self) -> None:
        """Terminate it (killed after 10 s)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@contextmanager
def served_gateways(
    sandbox: SandboxThread, logs: Path, count: int, **env: str
) -> Iterator[list[ServedGateway]]:
    """``count`` gateway processes with the same settings, up; stopped afterwards."""
    gateways: list[ServedGateway] = []
    try:
        for index in range(count):
            gateways.append(ServedGateway(sandbox, logs / f"gateway-{index}.log", env))
        for gateway in gateways:
            gateway.wait_until_up()
        yield gateways
    finally:
        for gateway in gateways:
            gateway.stop()
