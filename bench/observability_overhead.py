"""What metrics and request logs cost: the 50-job query's throughput with them on and off.

Two gateway processes in front of the same sandbox upstreams (each its own
process): one with ``/metrics`` and the JSON request log on (the defaults;
the log goes to /dev/null, so formatting and writing are paid, a reader is
not), one with ``GATEWAY_METRICS=false GATEWAY_REQUEST_LOG=false``. Rounds
alternate between them, so drift on the machine hits both alike; prints each
round and the ratio of the totals.
Run: `python -m bench.observability_overhead [--rounds 6] [--seconds 3] [--concurrency 16]`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from bench.processes import free_port
from bench.throughput import QUERIES, load
from gateway.observability.emit import emit
from gateway.observability.labels import new_request_id
from gateway.observability.metrics import GatewayMetrics
from gateway.observability.observation import Observation, current
from gateway.observability.request_log import JsonFormatter, request_logger
from sandbox.settings import SANDBOX_TOKEN

QUERY = QUERIES["workflowJobs(first: 50) with template and nodes"]
VARIANTS = {
    "on": {"GATEWAY_METRICS": "true", "GATEWAY_REQUEST_LOG": "true", "GATEWAY_LOG_FORMAT": "json"},
    "off": {"GATEWAY_METRICS": "false", "GATEWAY_REQUEST_LOG": "false"},
}


def _wait(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the process for {url} ended with {process.returncode}")
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "gateway.cli", *args],
        env=env,
        stdout=subprocess.DEVNULL,
    )


@contextmanager
def two_gateways(latency_ms: float) -> Iterator[dict[str, str]]:
    """Sandbox upstreams and one gateway per variant; their GraphQL URLs by variant."""
    ports = {name: free_port() for name in ("jobstore", "opsmanager", "awx")}
    processes = [
        _cli(
            "sandbox", "--only", name, f"--{name}-port", str(port), "--latency-ms", str(latency_ms)
        )
        for name, port in ports.items()
    ]
    urls: dict[str, str] = {}
    try:
        for port, process in zip(ports.values(), processes, strict=True):
            _wait(f"http://127.0.0.1:{port}/_sandbox/stats", process)
        for variant, settings in VARIANTS.items():
            env = dict(os.environ)
            for name, port in ports.items():
                env[f"GATEWAY_{name.upper()}_URL"] = f"http://127.0.0.1:{port}"
                env[f"GATEWAY_{name.upper()}_TOKEN"] = SANDBOX_TOKEN
            env.update(settings)
            port = free_port()
            processes.append(_cli("serve", "--port", str(port), "--log-level", "warning", env=env))
            _wait(f"http://127.0.0.1:{port}/healthz", processes[-1])
            urls[variant] = f"http://127.0.0.1:{port}/graphql"
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def hook_cost(requests: int = 20_000) -> float:
    """Microseconds the observability hooks of one request take, on average."""
    metrics = GatewayMetrics()
    sink = open(os.devnull, "w")  # noqa: SIM115 - closed below
    handler = logging.StreamHandler(sink)
    handler.setFormatter(JsonFormatter())
    request_logger.addHandler(handler)
    request_logger.setLevel(logging.INFO)
    request_logger.propagate = False
    routes = ("/api/v2/workflow_jobs/", "/api/v2/job_templates/", "/api/v2/workflow_job_nodes/")
    try:
        started = time.perf_counter()
        for _ in range(requests):
            observation = Observation(request_id=new_request_id(), metrics=metrics)
            token = current.set(observation)
            for route in routes:
                metrics.answered("awx", "GET", route, "2xx", 0.02)
            metrics.batch("JobTemplateByIdLoader", 50)
            observation.operation, observation.outcome = "WorkflowJobs", "ok"
            current.reset(token)
            emit(observation, metrics=metrics, request_log=True, status=200, seconds=0.1)
        elapsed = time.perf_counter() - started
    finally:
        request_logger.removeHandler(handler)
        request_logger.propagate = True
        sink.close()
    return elapsed / requests * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=6, help="rounds per variant")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of one round")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    args = parser.parse_args()
    requests = dict.fromkeys(VARIANTS, 0)
    with two_gateways(args.latency_ms) as urls:
        for url in urls.values():
            asyncio.run(load(url, QUERY, 2, 1.0))  # warm the pools
        print(
            f"workflowJobs(first: 50): {args.rounds} x {args.seconds:g} s per variant,"
            f" {args.concurrency} clients, sandbox latency {args.latency_ms:g} ms"
        )
        for round_no in range(args.rounds):
            order = list(VARIANTS) if round_no % 2 == 0 else list(reversed(VARIANTS))
            figures = []
            for variant in order:
                done = len(asyncio.run(load(urls[variant], QUERY, args.concurrency, args.seconds)))
                requests[variant] += done
                figures.append(f"{variant} {done / args.seconds:.0f} req/s")
            print(f"  round {round_no + 1}: " + ", ".join(figures))
    seconds = args.rounds * args.seconds
    on, off = requests["on"] / seconds, requests["off"] / seconds
    print(f"metrics+logs on: {on:.0f} req/s, off: {off:.0f} req/s, on/off = {on / off:.3f}")
    cost = hook_cost()
    print(
        f"hooks of one request, in-process: {cost:.1f} us"
        f" ({cost / 1e6 * off * 100:.2f}% of one core at the {off:.0f} req/s measured above)"
    )


if __name__ == "__main__":
    main()
