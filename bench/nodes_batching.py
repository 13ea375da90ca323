"""Wall-clock of `nodes(ids:)` with 30 ids across the three systems, 50 ms upstream latency.

Prints the gateway's figures, the upstream requests one query costs, and for
comparison the time the same lookups take as sequential single GETs (what a
gateway without loaders would do). Run: `make bench` or
`python -m bench.nodes_batching [--latency-ms 50] [--runs 30]`.
"""

from __future__ import annotations

import argparse
import statistics
import time

import httpx

from bench.processes import running_stack

IDS_QUERY = """{
  flowJobs(first: 10) { edges { node { id jobId } } }
  operationsJobs(first: 10) { edges { node { id opsId } } }
  workflowJobs(first: 10) { edges { node { id awxId } } }
}"""
NODES_QUERY = "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Job { name state } } }"
AUTH = {"Authorization": "Bearer sandbox-token"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--transport", choices=["aiohttp", "httpcore"], default="aiohttp", help="under httpx"
    )
    args = parser.parse_args()

    env = {"GATEWAY_HTTP_TRANSPORT": args.transport}
    stack_running = running_stack(latency_ms=args.latency_ms, env=env)
    with stack_running as stack, httpx.Client(timeout=30) as http:
        data = http.post(f"{stack.gateway}/graphql", json={"query": IDS_QUERY}).json()["data"]
        ids = [e["node"]["id"] for key in data for e in data[key]["edges"]]
        flow = [e["node"]["jobId"] for e in data["flowJobs"]["edges"]]
        ops = [e["node"]["opsId"] for e in data["operationsJobs"]["edges"]]
        awx = [e["node"]["awxId"] for e in data["workflowJobs"]["edges"]]
        assert len(ids) == 30

        for url in stack.upstreams.values():
            http.post(f"{url}/_sandbox/reset")
        body = http.post(
            f"{stack.gateway}/graphql", json={"query": NODES_QUERY, "variables": {"ids": ids}}
        ).json()
        assert "errors" not in body
        assert len(body["data"]["nodes"]) == 30
        costs = {
            name: http.get(f"{url}/_sandbox/stats").json()["total"]
            for name, url in stack.upstreams.items()
        }
        # the same text again: checked and cached now, so run by its execution plan
        for url in stack.upstreams.values():
            http.post(f"{url}/_sandbox/reset")
        again = http.post(
            f"{stack.gateway}/graphql", json={"query": NODES_QUERY, "variables": {"ids": ids}}
        ).json()
        assert again == body
        planned_costs = {
            name: http.get(f"{url}/_sandbox/stats").json()["total"]
            for name, url in stack.upstreams.items()
        }

        timings = []
        for _ in range(args.runs):
            started = time.perf_counter()
            response = http.post(
                f"{stack.gateway}/graphql", json={"query": NODES_QUERY, "variables": {"ids": ids}}
            )
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200

        started = time.perf_counter()
        for job_id in flow:
            http.get(f"{stack.upstreams['jobstore']}/jobs/v1/bson/{job_id}", headers=AUTH)
        for ops_id in ops:
            http.get(
                f"{stack.upstreams['opsmanager']}/operations-manager/jobs/{ops_id}", headers=AUTH
            )
        for awx_id in awx:
            http.get(f"{stack.upstreams['awx']}/api/v2/workflow_jobs/{awx_id}/", headers=AUTH)
        sequential = (time.perf_counter() - started) * 1000

    timings.sort()
    print(
        f"nodes(ids: 30 across 3 systems), sandbox latency {args.latency_ms:g} ms,"
        f" {args.runs} runs, {args.transport} transport under httpx"
    )
    print(f"  upstream requests per query: {costs}")
    print(f"  the same query again (by its execution plan): {planned_costs}")
    print(
        f"  gateway wall-clock: median {statistics.median(timings):.1f} ms, "
        f"p95 {timings[int(0.95 * (len(timings) - 1))]:.1f} ms, min {timings[0]:.1f} ms"
    )
    print(f"  same lookups as 30 sequential single GETs: {sequential:.1f} ms")


if __name__ == "__main__":
    main()
