"""Wall-clock of the cross-system view with 50 ms upstream latency.

Prints, for one `jobs(first: 25)` page (unfiltered, and filtered on state so
the jobs store is scanned at the gateway) and for `jobCounts`, the upstream
requests one query costs and the gateway's wall-clock over several runs. The
sandbox and the gateway run as separate processes. Run:
`python -m bench.jobs_view [--latency-ms 50] [--runs 20]`.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import httpx

from bench.processes import Stack, running_stack

JOBS = """query($filter: JobFilter, $after: String) {
  jobs(first: 25, filter: $filter, after: $after) {
    edges { node { id source name state owner createdAt } }
    pageInfo { hasNextPage endCursor }
    scanLimited
  }
}"""
COUNTS = """query($filter: JobFilter) {
  jobCounts(filter: $filter) {
    bySource { source state count }
    durations { source count mean p50 p95 }
    complete
  }
}"""
CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("jobs(first: 25)", JOBS, {}),
    ("jobs(first: 25, states: [RUNNING, FAILED])", JOBS, {"states": ["RUNNING", "FAILED"]}),
    ("jobCounts", COUNTS, {}),
    ("jobCounts(createdAfter: 2026-06-01)", COUNTS, {"createdAfter": "2026-06-01T00:00:00Z"}),
]


def _post(http: httpx.Client, stack: Stack, query: str, flt: dict[str, Any]) -> None:
    response = http.post(
        f"{stack.gateway}/graphql", json={"query": query, "variables": {"filter": flt or None}}
    )
    body = response.json()
    if response.status_code != 200 or "errors" in body:
        raise RuntimeError(f"the gateway answered {response.status_code}: {body}")


def _costs(http: httpx.Client, stack: Stack) -> dict[str, int]:
    return {
        name: int(http.get(f"{url}/_sandbox/stats").json()["total"])
        for name, url in stack.upstreams.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    print(f"cross-system view, sandbox latency {args.latency_ms:g} ms, {args.runs} runs each")
    with running_stack(latency_ms=args.latency_ms) as stack, httpx.Client(timeout=60) as http:
        for label, query, flt in CASES:
            for url in stack.upstreams.values():
                http.post(f"{url}/_sandbox/reset")
            _post(http, stack, query, flt)
            costs = _costs(http, stack)
            timings = []
            for _ in range(args.runs):
                started = time.perf_counter()
                _post(http, stack, query, flt)
                timings.append((time.perf_counter() - started) * 1000)
            timings.sort()
            print(f"{label}")
            print(f"  upstream requests per query: {costs}")
            print(
                f"  wall-clock: median {statistics.median(timings):.1f} ms, "
                f"p95 {timings[int(0.95 * (len(timings) - 1))]:.1f} ms, min {timings[0]:.1f} ms"
            )


if __name__ == "__main__":
    main()
