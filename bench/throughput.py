"""Throughput and latency of typical screens under concurrent load.

Each query is sent by ``--concurrency`` clients in a closed loop for
``--seconds``; prints requests per second and latency percentiles. The
client, the gateway and the three sandbox upstreams are separate processes on
the same machine, so the figures include their competition for its cores.
Run: `python -m bench.throughput [--concurrency 16] [--seconds 10] [--latency-ms 20]`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import aiohttp

from bench.processes import running_stack

QUERIES = {
    "workflowJobs(first: 50) with template and nodes": (
        "{ workflowJobs(first: 50) { edges { node { name state jobTemplate { name }"
        " nodes { identifier } } } } }"
    ),
    "operationsJobs(first: 50) with parent and ancestors": (
        "{ operationsJobs(first: 50) { edges { node { name state parent { name }"
        " ancestors { name } } } } }"
    ),
    "jobs(first: 25) across the three systems": (
        "{ jobs(first: 25) { edges { node { id source name state createdAt owner } } } }"
    ),
}


async def load(url: str, query: str, concurrency: int, seconds: float) -> list[float]:
    """Latencies (ms) of every request sent in ``seconds`` by ``concurrency`` loops."""
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    async with aiohttp.ClientSession() as session:

        async def client() -> None:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                async with session.post(url, json={"query": query}) as response:
                    body = await response.json()
                    assert response.status == 200
                    assert "errors" not in body, body.get("errors")
                latencies.append((time.perf_counter() - started) * 1000)

        await asyncio.gather(*(client() for _ in range(concurrency)))
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=1, help="gateway worker processes")
    args = parser.parse_args()
    with running_stack(latency_ms=args.latency_ms, workers=args.workers) as stack:
        url = f"{stack.gateway}/graphql"
        print(
            f"{args.concurrency} concurrent clients, {args.seconds:g} s per query,"
            f" sandbox latency {args.latency_ms:g} ms, {args.workers} gateway worker(s)"
        )
        for label, query in QUERIES.items():
            asyncio.run(load(url, query, 2, 1.0))  # warm the pools
            latencies = asyncio.run(load(url, query, args.concurrency, args.seconds))
            latencies.sort()
            rps = len(latencies) / args.seconds

            def pct(p: float, values: list[float] = latencies) -> float:
                return values[min(len(values) - 1, int(p * len(values)))]

            print(
                f"  {label}: {rps:.0f} req/s, median {statistics.median(latencies):.1f} ms,"
                f" p95 {pct(0.95):.1f} ms, p99 {pct(0.99):.1f} ms"
            )


if __name__ == "__main__":
    main()
