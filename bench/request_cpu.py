"""CPU time the gateway process spends per request, for small queries sent one at a time.

Run: ``python -m bench.request_cpu [--rounds 7] [--seconds 3] [--queries c,fan]``.

Wall-clock figures on a shared 2-core machine move by 10-30% from run to
run; the CPU time the gateway process itself uses (user + system, from
``/proc/<pid>/stat``) moves much less, since time spent waiting for a core
is not counted. The sandbox upstreams (0 ms latency unless ``--latency-ms``)
and the gateway each run in their own process, the gateway as ``serve``
runs it (metrics and the JSON request log on, the log to /dev/null); ``wrk
-c1`` sends the requests one at a time. Each round measures the gateway's CPU microseconds
per request and wrk's p50; printed are their median and spread over the
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
import statistics
import subprocess
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx

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


WRK_SCRIPT = """
local path = os.getenv("BODY_FILE")
if path ~= "" then
  local f = assert(io.open(path, "rb"))
  wrk.body = f:read("*a"); f:close()
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end
local auth = os.getenv("AUTHORIZATION")
if auth ~= "" then wrk.headers["Authorization"] = auth end
function done(summary, latency, requests)
  io.write(string.format("RESULT n=%d p50_ms=%.3f non200=%d\\n", summary.requests,
    latency:percentile(50) / 1000, summary.errors.status))
end
"""


def wrk(
    url: str, seconds: float, script: Path, body: Path | None = None, authorization: str = ""
) -> tuple[int, float]:
    """Requests answered and their p50 in ms, one connection for ``seconds`` (POST of
    ``body``, else GET)."""
    out = subprocess.run(  # noqa: S603
        ["wrk", "-t1", "-c1", f"-d{max(1, round(seconds))}s", "-s", str(script), url],  # noqa: S607
        env={**os.environ, "BODY_FILE": str(body or ""), "AUTHORIZATION": authorization},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT"))
    fields = dict(part.split("=") for part in line.split()[1:])
    if int(fields["non200"]):
        raise RuntimeError(f"{url} answered {fields['non200']} requests with a status over 399")
    return int(fields["n"]), float(fields["p50_ms"])


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


def measure(pid: int, url: str, body: Path, seconds: float, script: Path, figures: Figures) -> None:
    """One round: sequential requests for ``seconds``, the gateway's CPU time they took."""
    user_before, sys_before = cpu_seconds(pid)
    requests, p50 = wrk(url, seconds, script, body)
    user_after, sys_after = cpu_seconds(pid)
    figures.p50_ms.append(p50)
    figures.system_us.append((sys_after - sys_before) / requests * 1e6)
    figures.cpu_us.append((user_after - user_before) / requests * 1e6 + figures.system_us[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=int, default=3, help="per round and gateway")
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
        script = Path(tmp) / "sequential.lua"
        script.write_text(WRK_SCRIPT)
        for stack in running.values():
            for name in names:
                wrk(f"{stack.gateway}/graphql", 1, script, bodies[name])  # warm-up
                answer = httpx.post(f"{stack.gateway}/graphql", json={"query": QUERIES[name]})
                if "errors" in answer.json():
                    raise SystemExit(f"query {name} failed: {answer.text}")
        first = next(iter(running.values()))
        rest = statistics.median(
            wrk(
                first.upstreams["awx"] + REST_PATH,
                args.seconds,
                script,
                authorization=f"Bearer {SANDBOX_TOKEN}",
            )[1]
            for _ in range(3)
        )
        print(f"direct REST call {REST_PATH}: p50 {rest:.2f} ms")
        print(f"{args.rounds} rounds of {args.seconds:g} s of sequential requests (wrk -c1) each")
        for name in names:
            figures = {label: Figures() for label in running}
            for _ in range(args.rounds):
                for label, stack in running.items():
                    assert stack.pid is not None
                    measure(
                        stack.pid,
                        f"{stack.gateway}/graphql",
                        bodies[name],
                        args.seconds,
                        script,
                        figures[label],
                    )
            for label in running:
                print(f"{name} {label:>9}: {figures[label].line()}")


if __name__ == "__main__":
    main()
