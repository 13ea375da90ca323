"""How ``serve --workers N`` scales: req/s of one gateway with 1 worker against one with N.

Run: ``python -m bench.workers [--workers 2] [--rounds 3] [--seconds 8] [--latency-ms 20]``.

Two stacks (sandbox upstreams and a gateway, each its own process; see
:mod:`bench.processes`), one gateway with one worker and one with
``--workers``; ``wrk -t1 -c32`` sends query ``a`` of ``bench.peer`` (50 AWX
workflow jobs, 5 scalars) to each in turn, ``--rounds`` interleaved rounds.
Prints each gateway's median req/s, the ratio, and how the CPU time of the
N-worker gateway was shared among its worker processes (an even share means
the kernel spread the connections evenly over them). On a machine with N
cores the ideal ratio is N; other processes (wrk, the upstreams) need cores too.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
from contextlib import ExitStack
from pathlib import Path

from bench.processes import running_stack
from bench.request_cpu import QUERIES, cpu_seconds

WRK_SCRIPT = """
local f = assert(io.open(os.getenv("BODY_FILE"), "rb"))
wrk.body = f:read("*a"); f:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
function done(summary, latency, requests)
  io.write(string.format("RESULT rps=%.1f errors=%d\\n",
    summary.requests / (summary.duration / 1e6),
    summary.errors.status + summary.errors.connect + summary.errors.read))
end
"""


def wrk_rps(url: str, seconds: int, script: Path, body: Path) -> float:
    """Requests per second of ``wrk -t1 -c32`` posting ``body``."""
    out = subprocess.run(  # noqa: S603
        ["wrk", "-t1", "-c32", f"-d{seconds}s", "-s", str(script), url],  # noqa: S607
        env={**os.environ, "BODY_FILE": str(body)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT"))
    fields = dict(part.split("=") for part in line.split()[1:])
    if int(fields["errors"]):
        raise RuntimeError(f"{url}: {fields['errors']} failed requests")
    return float(fields["rps"])


def children(pid: int) -> list[int]:
    """The worker processes of a ``serve --workers`` supervisor."""
    found = [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    # uvicorn spawns its workers with multiprocessing (a resource tracker may be a child too)
    return [
        child for child in found if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stacks:
        script, body = Path(tmp) / "post.lua", Path(tmp) / "a.json"
        script.write_text(WRK_SCRIPT)
        body.write_text(json.dumps({"query": QUERIES["a"]}))
        counts = (1, args.workers)
        running = {
            n: stacks.enter_context(
                running_stack(latency_ms=args.latency_ms, workers=n, log_level="info")
            )
            for n in counts
        }
        for stack in running.values():
            wrk_rps(f"{stack.gateway}/graphql", 2, script, body)  # warm-up, pools open
        rps: dict[int, list[float]] = {n: [] for n in counts}
        pid = running[args.workers].pid
        assert pid is not None
        workers = children(pid)
        before = [sum(cpu_seconds(worker)) for worker in workers]
        for _ in range(args.rounds):
            for n, stack in running.items():
                rps[n].append(wrk_rps(f"{stack.gateway}/graphql", args.seconds, script, body))
        shares = [sum(cpu_seconds(w)) - b for w, b in zip(workers, before, strict=True)]
    print(
        f"query a at {args.latency_ms:g} ms upstream latency, wrk -t1 -c32 -d{args.seconds}s,"
        f" {args.rounds} interleaved rounds, {os.cpu_count()} cores"
    )
    for n in counts:
        values = rps[n]
        print(
            f"  {n} worker(s): {statistics.median(values):6.0f} req/s"
            f" ({min(values):.0f}-{max(values):.0f})"
        )
    ratio = statistics.median(rps[args.workers]) / statistics.median(rps[1])
    total = sum(shares) or 1.0
    spread = ", ".join(f"{share / total:.0%}" for share in shares)
    print(f"  ratio {ratio:.2f}; the {args.workers} workers' shares of CPU time: {spread}")


if __name__ == "__main__":
    main()
