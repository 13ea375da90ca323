"""SIGTERM to a real ``jobs-gateway serve`` process: in-flight work finishes, exit 0.

The upstreams are the in-process sandbox, slowed down; the gateway is its own
process, started as a deployment starts it. "In flight" is read from the
gateway's own in-flight gauge, not guessed from a sleep.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from bench.processes import free_port
from sandbox.server import SandboxThread
from tests.e2e.conftest import set_faults

SLOW_QUERY = "query Slow { workflowJobs(first: 5) { edges { node { awxId name } } } }"


class GatewayProcess:
    """A ``jobs-gateway serve`` subprocess on a free port."""

    def __init__(self, sandbox: SandboxThread, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        env.update(sandbox.sandboxes.gateway_env())
        env["GATEWAY_SHUTDOWN_GRACE"] = "30"
        self.log = log
        self.process = subprocess.Popen(  # noqa: S603 - our own CLI
            [sys.executable, "-m", "gateway.cli", "serve", "--port", str(self.port)],
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        self.http = httpx.Client(base_url=self.url, timeout=30)

    def wait_until_up(self) -> None:
        for _ in range(600):
            try:
                if self.http.get("/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert self.process.poll() is None, self.log.read_text()
            time.sleep(0.05)
        raise AssertionError(f"the gateway did not come up: {self.log.read_text()}")

    def in_flight(self) -> float:
        text = self.http.get("/metrics").text
        for family in text_string_to_metric_families(text):
            if family.name == "gateway_graphql_requests_in_flight":
                return float(family.samples[0].value)
        raise AssertionError("no in-flight gauge")

    def wait_for_in_flight(self, count: int) -> None:
        for _ in range(600):
            if self.in_flight() >= count:
                return
            time.sleep(0.02)
        raise AssertionError("the request never got in flight")

    def stop(self) -> None:
        self.http.close()
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def served(sandbox: SandboxThread, tmp_path: Path) -> Iterator[GatewayProcess]:
    gateway = GatewayProcess(sandbox, tmp_path / "gateway.log")
    try:
        gateway.wait_until_up()
        yield gateway
    finally:
        gateway.stop()


def _post_in_thread(url: str, results: list[Any]) -> threading.Thread:
    def post() -> None:
        try:
            response = httpx.post(f"{url}/graphql", json={"query": SLOW_QUERY}, timeout=60)
            results.append(response)
        except Exception as exc:  # reported by the assertion below
            results.append(exc)

    thread = threading.Thread(target=post)
    thread.start()
    return thread


def test_sigterm_lets_the_query_in_flight_finish_and_exits_zero(
    sandbox: SandboxThread, served: GatewayProcess
) -> None:
    set_faults(sandbox, "awx", latency_ms=1500)
    results: list[Any] = []
    thread = _post_in_thread(served.url, results)
    served.wait_for_in_flight(1)

    served.process.send_signal(signal.SIGTERM)
    thread.join(timeout=60)

    [response] = results
    assert isinstance(response, httpx.Response), response
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body
    assert len(body["data"]["workflowJobs"]["edges"]) == 5
    assert served.process.wait(timeout=30) == 0, served.log.read_text()
    # Stopped listening: nothing answers on the port any more.
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{served.url}/healthz", timeout=2)


def test_sigterm_closes_websockets_with_going_away(
    sandbox: SandboxThread, served: GatewayProcess
) -> None:
    ws_url = served.url.replace("http://", "ws://") + "/graphql"
    with connect(ws_url, subprotocols=["graphql-transport-ws"], open_timeout=10) as ws:
        ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(ws.recv(timeout=10))["type"] == "connection_ack"
        set_faults(sandbox, "awx", latency_ms=1500)
        results: list[Any] = []
        thread = _post_in_thread(served.url, results)
        served.wait_for_in_flight(1)

        served.process.send_signal(signal.SIGTERM)
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=20)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1001
        thread.join(timeout=60)
    [response] = results
    assert isinstance(response, httpx.Response), response
    assert response.status_code == 200
    assert served.process.wait(timeout=30) == 0, served.log.read_text()
