"""Fan-out: how far apart one query's upstream calls start, and what they add.

Run: ``python -m bench.fanout_gap [--requests 200] [--latency-ms 20]``.

The query asks one object of each upstream (the peer bench's ``fan`` query).
The gateway runs in this process with traces on into an in-memory exporter
(its own provider), in front of sandbox upstreams in their own processes on
loopback; each upstream
call is a client span, so per request the spread of the client spans' start
times is the gap between the first and the last call leaving, and the server
span against the slowest client span is the fan-out's overhead. Prints the
median and p90 of both. Traces cost a little CPU of their own, so read the
gap, not the absolute latency (``bench.peer`` gives that).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from bench.processes import free_port, wait_until_up
from gateway.app import create_app
from gateway.background import BackgroundServer
from gateway.config import load_settings
from sandbox.server import UPSTREAMS
from sandbox.settings import SANDBOX_TOKEN

FAN = (
    '{ flowJob(jobId: "6aba5da145f2ffb42c92fdff") { jobId name upstreamStatus } '
    'operationsJob(id: "6ab875e74ceb46d39fe62e36") { name upstreamStatus } '
    "workflowJob(id: 7) { name upstreamStatus } }"
)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@contextmanager
def sandbox_processes(latency_ms: float) -> Iterator[dict[str, str]]:
    """The three sandbox upstreams, each its own process (no GIL shared with the gateway)."""
    ports = {name: free_port() for name in UPSTREAMS}
    processes = [
        subprocess.Popen(  # noqa: S603 - our own CLI
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
            ],
            stderr=subprocess.DEVNULL,
        )
        for name, port in ports.items()
    ]
    env: dict[str, str] = {}
    try:
        for name, port in ports.items():
            url = f"http://127.0.0.1:{port}"
            wait_until_up(f"{url}/_sandbox/stats")
            env[f"GATEWAY_{name.upper()}_URL"] = url
            env[f"GATEWAY_{name.upper()}_TOKEN"] = SANDBOX_TOKEN
        yield env
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    args = parser.parse_args()

    exporter = InMemorySpanExporter()
    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with sandbox_processes(args.latency_ms) as env:
        app = create_app(
            load_settings({**env, "GATEWAY_REQUEST_LOG": "false"}), tracer_provider=provider
        )
        with BackgroundServer(app) as server, httpx.Client(base_url=server.url) as client:
            for _ in range(20):  # warm-up: the text checked, connections open
                client.post("/graphql", json={"query": FAN}).raise_for_status()
            exporter.clear()
            for _ in range(args.requests):
                answer = client.post("/graphql", json={"query": FAN}).json()
                if "errors" in answer:
                    raise SystemExit(f"the fan-out query failed: {answer['errors']}")
        spans: list[ReadableSpan] = list(exporter.get_finished_spans())

    by_trace: dict[int, list[ReadableSpan]] = defaultdict(list)
    for span in spans:
        if span.context is not None:
            by_trace[span.context.trace_id].append(span)
    gaps: list[float] = []
    overheads: list[float] = []
    for trace in by_trace.values():
        calls = [s for s in trace if s.kind is SpanKind.CLIENT]
        [request] = [s for s in trace if s.kind is SpanKind.SERVER]
        if len(calls) != 3:
            continue
        starts = [s.start_time or 0 for s in calls]
        gaps.append((max(starts) - min(starts)) / 1e6)
        slowest = max((s.end_time or 0) - (s.start_time or 0) for s in calls)
        overheads.append(((request.end_time or 0) - (request.start_time or 0) - slowest) / 1e6)
    print(f"{len(gaps)} requests with 3 upstream calls each, sandbox latency {args.latency_ms} ms")
    print(
        f"gap between the first and the last call leaving: p50 {statistics.median(gaps):.3f} ms,"
        f" p90 {_percentile(gaps, 0.9):.3f} ms"
    )
    print(
        f"request time over its slowest call: p50 {statistics.median(overheads):.3f} ms,"
        f" p90 {_percentile(overheads, 0.9):.3f} ms"
    )


if __name__ == "__main__":
    main()
