"""What metrics and request logs cost: the 50-job query's throughput with them on and off.

Two gateway processes in front of the same sandbox upstreams (each its own
process): one with ``/metrics`` and the JSON request log on (the defaults;
the log goes to /dev/null, so formatting and writing are paid, a reader is
not), one with ``GATEWAY_METRICS=false GATEWAY_REQUEST_LOG=false``. Rounds
alternate between them, so drift on the machine hits both alike; prints each
round and the ratio of the totals.
Run: `python -m bench.observability_overhead [--rounds 6] [--seconds 3] [--concurrency 16]`.

With ``--traces`` it compares traces instead (metrics and logs at their
defaults in every gateway): ``GATEWAY_TRACES=true``, exporting over OTLP/HTTP
to a sink in this process that answers 200, against traces off (the
default); with ``--baseline-src DIR`` (a checkout without the traces code,
e.g. ``git archive main | tar -x -C DIR``) a third gateway runs from there.
It then prints what the request middleware costs per request, traces off, in
this tree and in the baseline, and what one request's spans cost when on.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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
BASELINE = "baseline"


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


def _cli(
    *args: str, env: dict[str, str] | None = None, cwd: str | None = None
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "gateway.cli", *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
    )


def _from_source(env: dict[str, str], src: str) -> dict[str, str]:
    """``env`` running the gateway from the checkout ``src`` (leaving no bytecode there);
    run it with ``cwd=src`` too, since ``-m`` and ``-c`` put the working directory first."""
    return {**env, "PYTHONPATH": src, "PYTHONDONTWRITEBYTECODE": "1"}


@contextmanager
def two_gateways(
    latency_ms: float,
    variants: Mapping[str, Mapping[str, str]] = VARIANTS,
    sources: Mapping[str, str] | None = None,
) -> Iterator[dict[str, str]]:
    """Sandbox upstreams and one gateway per variant; their GraphQL URLs by variant.

    ``sources``: variants that run from another checkout (``PYTHONPATH``).
    """
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
        for variant, settings in variants.items():
            env = dict(os.environ)
            for name, port in ports.items():
                env[f"GATEWAY_{name.upper()}_URL"] = f"http://127.0.0.1:{port}"
                env[f"GATEWAY_{name.upper()}_TOKEN"] = SANDBOX_TOKEN
            env.update(settings)
            src = sources.get(variant) if sources else None
            if src is not None:
                env = _from_source(env, src)
            port = free_port()
            processes.append(
                _cli("serve", "--port", str(port), "--log-level", "warning", env=env, cwd=src)
            )
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


class _Sink(BaseHTTPRequestHandler):
    """An OTLP/HTTP collector that takes every export and keeps nothing but their count."""

    exports = 0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        type(self).exports += 1
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return


@contextmanager
def otlp_sink() -> Iterator[str]:
    """The traces endpoint of a sink collector on 127.0.0.1, for as long as it is held."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1/traces"
    finally:
        server.shutdown()
        server.server_close()


MIDDLEWARE_COST = """
import asyncio, time
from gateway.observability.middleware import RequestObservation

async def app(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})

async def receive():
    return {"type": "http.request", "body": b""}

async def send(message):
    pass

async def main(n):
    observed = RequestObservation(app, metrics=None, request_log=False)
    scope = {"type": "http", "path": "/graphql", "method": "POST", "headers": []}
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(n):
            await observed(scope, receive, send)
        best = min(best, (time.perf_counter() - started) / n * 1e6)
    return best

print(f"{asyncio.run(main(20_000)):.2f}")
"""
"""The request middleware around an empty app, traces off (no ``tracer`` argument, so
it runs on a tree without the traces code too): best of 5 runs, microseconds."""


def middleware_cost(src: str | None = None) -> float:
    """:data:`MIDDLEWARE_COST` in a fresh interpreter, from ``src`` if given."""
    env = dict(os.environ) if src is None else _from_source(dict(os.environ), src)
    out = subprocess.run(  # noqa: S603 - our own snippet
        [sys.executable, "-c", MIDDLEWARE_COST],
        env=env,
        cwd=src,
        capture_output=True,
        check=True,
    )
    return float(out.stdout)


def span_cost(requests: int = 5_000, calls: int = 3) -> float:
    """Microseconds one request's spans take when on: its span, ``calls`` upstream call
    spans with their ``traceparent``, batched to an exporter that drops them (the
    batching thread's work counted: the queue holds them all, and is flushed in the time)."""
    from opentelemetry import context as trace_context
    from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
    from opentelemetry.sdk.trace.export import (
        BatchSpanProcessor,
        SpanExporter,
        SpanExportResult,
    )
    from opentelemetry.trace import set_span_in_context

    from gateway.observability.request_spans import end_request_span, start_request_span
    from gateway.upstreams.call_spans import W3C

    class Dropped(SpanExporter):
        def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    provider = TracerProvider(shutdown_on_exit=False)
    queue = requests * (calls + 1)
    provider.add_span_processor(
        BatchSpanProcessor(Dropped(), max_queue_size=queue, max_export_batch_size=512)
    )
    tracer = provider.get_tracer("bench")
    started = time.perf_counter()
    for _ in range(requests):
        observation = Observation(request_id=new_request_id())
        span = observation.span = start_request_span(tracer, "POST", "/graphql", [], "id")
        token = trace_context.attach(set_span_in_context(span))
        for _ in range(calls):
            call = tracer.start_span("GET /api/v2/workflow_jobs/")
            W3C.inject({}, context=set_span_in_context(call))
            call.set_attribute("http.response.status_code", 200)
            call.end()
        observation.operation, observation.operation_type = "WorkflowJobs", "query"
        observation.outcome = "ok"
        trace_context.detach(token)
        end_request_span(span, observation, 200)
    provider.force_flush()
    elapsed = time.perf_counter() - started
    provider.shutdown()
    return elapsed / requests * 1e6


def _rounds(
    urls: Mapping[str, str], rounds: int, seconds: float, concurrency: int
) -> dict[str, float]:
    """Requests per second of each variant over ``rounds`` alternating rounds."""
    requests = dict.fromkeys(urls, 0)
    for url in urls.values():
        asyncio.run(load(url, QUERY, 2, 1.0))  # warm the pools
    for round_no in range(rounds):
        order = list(urls)
        order = order[round_no % len(order) :] + order[: round_no % len(order)]
        figures = []
        for variant in order:
            done = len(asyncio.run(load(urls[variant], QUERY, concurrency, seconds)))
            requests[variant] += done
            figures.append(f"{variant} {done / seconds:.0f} req/s")
        print(f"  round {round_no + 1}: " + ", ".join(figures))
    return {variant: done / (rounds * seconds) for variant, done in requests.items()}


def traces(args: argparse.Namespace) -> None:
    """The ``--traces`` comparison."""
    with otlp_sink() as endpoint:
        variants: dict[str, dict[str, str]] = {
            "traces on": {
                "GATEWAY_TRACES": "true",
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": endpoint,
            },
            "traces off": {},
        }
        sources = {}
        if args.baseline_src:
            variants[BASELINE] = {}
            sources[BASELINE] = args.baseline_src
        with two_gateways(args.latency_ms, variants, sources) as urls:
            print(
                f"workflowJobs(first: 50): {args.rounds} x {args.seconds:g} s per variant,"
                f" {args.concurrency} clients, sandbox latency {args.latency_ms:g} ms"
            )
            rates = _rounds(urls, args.rounds, args.seconds, args.concurrency)
    off = rates["traces off"]
    print(", ".join(f"{variant}: {rate:.0f} req/s" for variant, rate in rates.items()))
    print(f"traces on/off = {rates['traces on'] / off:.3f} ({_Sink.exports} OTLP exports received)")
    if BASELINE in rates:
        print(f"traces off/baseline = {off / rates[BASELINE]:.3f}")
    here = middleware_cost()
    line = f"request middleware, traces off, in-process: {here:.2f} us here"
    if args.baseline_src:
        line += f", {middleware_cost(args.baseline_src):.2f} us in the baseline"
    print(line)
    cost = span_cost()
    print(
        f"spans of one request (1 + 3 upstream calls), in-process: {cost:.1f} us"
        f" ({cost / 1e6 * off * 100:.2f}% of one core at the {off:.0f} req/s measured above)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=6, help="rounds per variant")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of one round")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--traces", action="store_true", help="compare traces on and off")
    parser.add_argument("--baseline-src", help="with --traces: a checkout to compare with")
    args = parser.parse_args()
    if args.traces:
        traces(args)
        return
    with two_gateways(args.latency_ms) as urls:
        print(
            f"workflowJobs(first: 50): {args.rounds} x {args.seconds:g} s per variant,"
            f" {args.concurrency} clients, sandbox latency {args.latency_ms:g} ms"
        )
        rates = _rounds(urls, args.rounds, args.seconds, args.concurrency)
    on, off = rates["on"], rates["off"]
    print(f"metrics+logs on: {on:.0f} req/s, off: {off:.0f} req/s, on/off = {on / off:.3f}")
    cost = hook_cost()
    print(
        f"hooks of one request, in-process: {cost:.1f} us"
        f" ({cost / 1e6 * off * 100:.2f}% of one core at the {off:.0f} req/s measured above)"
    )


if __name__ == "__main__":
    main()
