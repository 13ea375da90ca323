"""CPU time the gateway process spends per request, for small queries sent one at a time.

Run: ``python -m bench.request_cpu [--rounds 7] [--requests 1000] [--queries c,fan]``.

Wall-clock figures on a shared 2-core machine move by 10-30% from run to
run; the CPU time the gateway process itself uses (user + system, from
``/proc/<pid>/stat``) moves much less, since time spent waiting for a core
is not counted. The sandbox upstreams (0 ms latency unless ``--latency-ms``)
and the gateway each run in their own process, the gateway as ``serve``
runs it (metrics and the JSON request log on, the log to /dev/null); ``hey
-c 1`` sends the requests. Each round measures the gateway's CPU microseconds
per request and hey's p50; printed are their median and spread over the
rounds, and the p50 of the direct REST call for the same object.

With ``--baseline-src DIR`` (a checkout to compare with, e.g. ``git archive
main | tar -x -C DIR``) a second gateway runs from there, in front of its
own sandbox upstreams, and the rounds alternate between the two, so the
machine's drift hits both alike.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from bench.processes import running_stack
from sandbox.settings import SANDBOX_TOKEN

QUERIES = {
    "c": "{ workflowJob(id: 7) { awxId name upstreamStatus startedAt finishedAt } }",
    "fan": (
        '{ flowJob(jobId: "6aba5da145f2ffb42c92fdff") { jobId name upstreamStatus } '
        'operationsJob(id: "6ab875e74ceb46d39fe62e36") { name upstreamStatus } '
        "workflowJob(id: 7) { name upstreamStatus } }"
    ),
    "a": (
        "{ workflowJobs(first: 50) { edges { node { awxId name upstreamStatus startedAt"
        " finishedAt } } } }"
    ),
}
REST_PATH = "/api/v2/workflow_jobs/7/"
_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> tuple[float, float]:
    """User and system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) / _TICKS, int(fields[12]) / _TICKS


def hey(url: str, requests: int, body: Path | None = None, headers: str = "") -> float:
    """Sequential p50 in ms of ``requests`` requests (POST of ``body``, else GET)."""
    args = ["hey", "-n", str(requests), "-c", "1"]
    if body is not None:
        args += ["-m", "POST", "-T", "application/json", "-D", str(body)]
    if headers:
        args += ["-H", headers]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    match = re.search(r"50%+ in ([0-9.]+) secs", out)
    if match is None:
        raise RuntimeError(f"hey printed no p50:\n{out}")
    return float(match.group(1)) * 1000


@dataclass
class Figures:
    """One gateway's rounds for one query."""

    cpu_us: list[float] = field(default_factory=list)
    system_us: list[float] = field(default_factory=list)
    p50_ms: list[float] = field(default_factory=list)

    def line(self) -> str:
        cpu, p50 = self.cpu_us, self.p50_ms
        return (
            f"CPU/request {statistics.median(cpu):5.0f} us ({min(cpu):.0f}-{max(cpu):.0f};"
            f" system {statistics.median(self.system_us):.0f}),"
            f" p50 {statistics.median(p50):.2f} ms ({min(p50):.2f}-{max(p50):.2f})"
        )


def measure(pid: int, url: str, body: Path, requests: int, figures: Figures) -> None:
    """One round: ``requests`` sequential requests, the gateway's CPU time they took."""
    user_before, sys_before = cpu_seconds(pid)
    figures.p50_ms.append(hey(url, requests, body))
    user_after, sys_after = cpu_seconds(pid)
    figures.system_us.append((sys_after - sys_before) / requests * 1e6)
    figures.cpu_us.append((user_after - user_before) / requests * 1e6 + figures.system_us[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--queries", default="c,fan")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument(
        "--baseline-src",
        help="a checkout to compare with (e.g. of main): a second gateway runs from there,"
        " rounds alternate between the two",
    )
    args = parser.parse_args()
    names = args.queries.split(",")
    sources = {"this tree": None}
    if args.baseline_src:
        sources["baseline"] = args.baseline_src
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stacks:
        running = {
            label: stacks.enter_context(
                running_stack(
                    latency_ms=args.latency_ms,
                    log_level="info",
                    src=src,
                )
            )
            for label, src in sources.items()
        }
        bodies = {}
        for name in names:
            bodies[name] = Path(tmp) / f"{name}.json"
            bodies[name].write_text(json.dumps({"query": QUERIES[name]}))
        for stack in running.values():
            for name in names:
                hey(f"{stack.gateway}/graphql", 200, bodies[name])  # warm-up: text checked
        first = next(iter(running.values()))
        rest = statistics.median(
            hey(
                first.upstreams["awx"] + REST_PATH,
                args.requests,
                headers=f"Authorization: Bearer {SANDBOX_TOKEN}",
            )
            for _ in range(3)
        )
        print(f"direct REST call {REST_PATH}: p50 {rest:.2f} ms")
        print(f"{args.rounds} rounds of {args.requests} sequential requests (hey -c 1) per gateway")
        for name in names:
            figures = {label: Figures() for label in running}
            for _ in range(args.rounds):
                for label, stack in running.items():
                    assert stack.pid is not None
                    measure(
                        stack.pid,
                        f"{stack.gateway}/graphql",
                        bodies[name],
                        args.requests,
                        figures[label],
                    )
            for label in running:
                print(f"{name} {label:>9}: {figures[label].line()}")


if __name__ == "__main__":
    main()
