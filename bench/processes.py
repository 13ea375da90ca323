"""Start the sandbox upstreams and the gateway as separate processes, for benchmarks.

Each runs in its own interpreter, as in a deployment, so the benchmark client,
the gateway and the upstreams do not share a GIL.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

from sandbox.settings import SANDBOX_TOKEN


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def wait_until_up(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


@dataclass(frozen=True)
class Stack:
    """URLs of a running gateway and its sandbox upstreams."""

    gateway: str
    upstreams: dict[str, str]
    pid: int | None = None
    """The gateway's process id (with ``--workers``: the supervisor's)."""


@contextmanager
def running_stack(
    *,
    latency_ms: float = 0.0,
    seed: int = 0,
    env: dict[str, str] | None = None,
    workers: int = 1,
    log_level: str = "warning",
    src: str | None = None,
) -> Iterator[Stack]:
    """Sandbox upstreams and a gateway, each in its own process.

    ``log_level``: the gateway's; at ``info`` it writes its request log, which
    goes to /dev/null (paid for, not read), as ``bench.peer`` runs it.
    ``src``: run the gateway from that checkout (its code first on the path).
    """
    ports = {name: free_port() for name in ("jobstore", "opsmanager", "awx")}
    gateway_port = free_port()
    sandboxes = [
        subprocess.Popen(  # noqa: S603 - our own CLI, one process per upstream
            [
                sys.executable,
                "-m",
                "gateway.cli",
                "sandbox",
                "--only",
                name,
                f"--{name}-port",
                str(port),
                "--latency-ms",
                str(latency_ms),
                "--seed",
                str(seed),
            ],
        )
        for name, port in ports.items()
    ]
    upstreams = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    gateway_env = dict(os.environ)
    for name, url in upstreams.items():
        gateway_env[f"GATEWAY_{name.upper()}_URL"] = url
        gateway_env[f"GATEWAY_{name.upper()}_TOKEN"] = SANDBOX_TOKEN
    gateway_env.update(env or {})
    if src is not None:
        gateway_env["PYTHONPATH"] = src
    gateway = subprocess.Popen(  # noqa: S603 - our own CLI
        [
            sys.executable,
            "-m",
            "gateway.cli",
            "serve",
            "--port",
            str(gateway_port),
            "--log-level",
            log_level,
            "--workers",
            str(workers),
        ],
        env=gateway_env,
        cwd=src,
        stdout=subprocess.DEVNULL if log_level != "warning" else None,
        stderr=subprocess.DEVNULL if log_level != "warning" else None,
    )
    try:
        for url in upstreams.values():
            wait_until_up(f"{url}/_sandbox/stats")
        wait_until_up(f"http://127.0.0.1:{gateway_port}/healthz")
        yield Stack(
            gateway=f"http://127.0.0.1:{gateway_port}", upstreams=upstreams, pid=gateway.pid
        )
    finally:
        for process in (gateway, *sandboxes):
            process.terminate()
        for process in (gateway, *sandboxes):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
