"""P5 over HTTP without Hive: the 200-job answer, sequential requests, as ``bench.peer`` times it.

Starts the sandbox upstreams (0 ms latency) and one gateway (``bench.processes``),
checks the answer (200 jobs and their steps, no errors), then runs
``hey -n N -c 1`` with the peer's ``jg_big.json`` body ``--rounds`` times and
prints each round's p50 and their median. Needs ``hey``.
Run: ``python -m bench.big_answer_http [--requests 50] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

import httpx

from bench.peer import hey_p50
from bench.processes import running_stack

BODY = Path(__file__).resolve().parent.parent.parent / "shared" / "peer" / "queries" / "jg_big.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--body", type=Path, default=BODY)
    args = parser.parse_args()
    with running_stack(latency_ms=0) as stack:
        url = f"{stack.gateway}/graphql"
        answer = httpx.post(
            url,
            content=args.body.read_bytes(),
            headers={"content-type": "application/json"},
            timeout=60,
        )
        body = answer.json()
        if answer.status_code != 200 or "errors" in body:
            raise RuntimeError(answer.text[:300])
        edges = body["data"]["flowJobs"]["edges"]
        steps = sum(len(edge["node"]["steps"]) for edge in edges)
        print(f"{len(edges)} jobs, {steps} steps, {len(answer.content):,} bytes")
        p50s = []
        for _ in range(args.rounds):
            p50s.append(hey_p50(url, args.body, args.requests))
        rounds = " ".join(f"{p:.1f}" for p in p50s)
        print(
            f"P5 over HTTP, hey -c 1 -n {args.requests}: p50 per round {rounds} ms;"
            f" median {statistics.median(p50s):.1f} ms"
        )


if __name__ == "__main__":
    main()
