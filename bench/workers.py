"""How ``serve --workers N`` scales on this machine: req/s with 1, 2 and 4 workers, one run.

Run: ``python -m bench.workers [--workers 1,2,4] [--rounds 5] [--seconds 8]
[--latency-ms 20] [--redis-url redis://127.0.0.1:6379/0]``.

One stack per worker count (sandbox upstreams and a gateway, each its own
process: :func:`bench.processes.running_stack`), all started before the first
round. ``wrk -t1 -c32`` posts ``bench.peer``'s query ``a`` (50 AWX workflow
jobs, 5 scalars; ``../shared/peer/queries/jg_a.json`` with its ``post.lua``,
through :func:`bench.peer.wrk`) to each gateway in turn, ``--rounds``
interleaved rounds after a warm-up (which also fills every worker's document
cache). Prints, per worker count, the median req/s with its spread (min-max),
the p50 latency, failed requests, the ratio to 1 worker, and how the CPU time
of the workers was shared among them (an even share: the kernel spread the
connections evenly over the processes that accept on the one socket), the AWX
sandbox's GETs per gateway request and its CPU time; and the
load average before and after, since other work on the machine moves every
figure. The gateways run as ``running_stack`` starts them (``--log-level
warning``; their JSON request log is written to /dev/null). ``--redis-url``
gives every gateway ``GATEWAY_REDIS_URL`` (a key prefix of its own), as
replicas sharing state would run.

With N workers uvicorn runs a supervisor and N processes accepting on one
listening socket; the client (wrk), the three upstreams and the gateway's
workers share the machine's cores, so the ideal ratio is below N whenever N
is near the core count.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

from bench.peer import ROOT, WrkResult, wrk
from bench.processes import Stack, running_stack

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def processes_with(*words: str) -> list[int]:
    """The processes whose command line holds every one of ``words`` as an argument."""
    wanted = [word.encode() for word in words]
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if all(word in cmdline for word in wanted):
            found.append(int(entry.name))
    return found


def gateway_processes(stack: Stack) -> list[int]:
    """The processes serving a stack's gateway: its workers, or the one process."""
    port = stack.gateway.rsplit(":", 1)[1]
    serving = processes_with("serve", "--port", port)
    if len(serving) != 1:
        raise RuntimeError(f"expected one gateway process on port {port}, found {serving}")
    (parent,) = serving
    children_file = Path(f"/proc/{parent}/task/{parent}/children")
    children = [int(pid) for pid in children_file.read_text().split()]
    # uvicorn spawns its workers through multiprocessing; a resource tracker may be a child too
    workers = [
        pid for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]
    return workers or [parent]


def awx_process(stack: Stack) -> int:
    """The process of a stack's AWX sandbox."""
    (pid,) = processes_with("sandbox", "--awx-port", stack.upstreams["awx"].rsplit(":", 1)[1])
    return pid


def awx_requests(stack: Stack) -> int:
    """Requests the stack's AWX sandbox has answered so far."""
    stats = httpx.get(f"{stack.upstreams['awx']}/_sandbox/stats", timeout=10).json()
    total: int = stats["total"]
    return total


@contextmanager
def stdout_of_new_processes_to_devnull() -> Iterator[None]:
    """Processes started meanwhile write their stdout (the gateways' request log) nowhere.

    As in ``bench.peer``, the JSON request log is written (paid for) but not read;
    this process's own stdout is back once the block ends.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def load_average() -> str:
    """The 1, 5 and 15 minute load averages."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--workers", default="1,2,4", help="worker counts, comma separated")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--peer", type=Path, default=ROOT.parent / "shared" / "peer")
    parser.add_argument("--redis-url", default=None, help="GATEWAY_REDIS_URL for every gateway")
    args = parser.parse_args()
    counts = [int(part) for part in args.workers.split(",")]
    if counts[0] != 1:
        parser.error("--workers must start with 1: the ratios are to one worker")
    body = args.peer / "queries" / "jg_a.json"
    if not body.is_file():
        parser.error(f"{body} not found (--peer names the folder of queries/ and post.lua)")
    env: dict[str, str] = {}
    if args.redis_url:
        env["GATEWAY_REDIS_URL"] = args.redis_url
    print(f"load average before: {load_average()} ({os.cpu_count()} cores)", flush=True)
    with ExitStack() as stacks:
        running: dict[int, Stack] = {}
        with stdout_of_new_processes_to_devnull():
            for n in counts:
                prefix = {"GATEWAY_REDIS_KEY_PREFIX": f"bench-workers-{uuid.uuid4().hex[:8]}:"}
                running[n] = stacks.enter_context(
                    running_stack(latency_ms=args.latency_ms, workers=n, env={**env, **prefix})
                )
        urls = {n: f"{stack.gateway}/graphql" for n, stack in running.items()}
        for url in urls.values():  # warm-up: pools open, every worker's caches filled
            wrk(url, body, 3)
        processes = {n: gateway_processes(stack) for n, stack in running.items()}
        before = {n: [cpu_seconds(pid) for pid in pids] for n, pids in processes.items()}
        awx = {n: awx_process(stack) for n, stack in running.items()}
        awx_before = {n: (cpu_seconds(awx[n]), awx_requests(running[n])) for n in counts}
        results: dict[int, list[WrkResult]] = {n: [] for n in counts}
        for round_ in range(args.rounds):
            for n in counts:
                results[n].append(wrk(urls[n], body, args.seconds))
            print(
                f"round {round_ + 1}: "
                + ", ".join(f"{n}w {results[n][-1].rps:.0f}" for n in counts)
                + f" req/s; load {load_average()}",
                flush=True,
            )
        shares = {
            n: [cpu_seconds(pid) - b for pid, b in zip(pids, before[n], strict=True)]
            for n, pids in processes.items()
        }
        awx_cpu = {n: cpu_seconds(awx[n]) - awx_before[n][0] for n in counts}
        awx_calls = {n: awx_requests(running[n]) - awx_before[n][1] for n in counts}
    print(
        f"\nquery a (50 AWX workflow jobs, 5 scalars) at {args.latency_ms:g} ms upstream latency,"
        f" wrk -t1 -c32 -d{args.seconds:g}s, {args.rounds} interleaved rounds"
        + (", Redis on" if args.redis_url else "")
    )
    base = statistics.median(r.rps for r in results[1])
    print(
        f"{'workers':>7} {'req/s median (min-max)':>24} {'p50 ms':>7} {'errors':>6} {'ratio':>6}"
        "  CPU s per worker (share)"
    )
    for n in counts:
        rps = [r.rps for r in results[n]]
        median = statistics.median(rps)
        p50 = statistics.median(r.p50_ms for r in results[n])
        errors = sum(r.errors for r in results[n])
        total = sum(shares[n]) or 1.0
        cpu = ", ".join(f"{s:.1f} ({s / total:.0%})" for s in shares[n])
        print(
            f"{n:>7} {f'{median:.0f} ({min(rps):.0f}-{max(rps):.0f})':>24} {p50:7.1f}"
            f" {errors:6d} {median / base:6.2f}  {cpu}"
        )
    print("AWX sandbox (one process per stack): GETs per gateway request (GETs coalesce")
    print("within a process, not across workers), and its CPU seconds over the rounds")
    for n in counts:
        answered = sum(r.rps for r in results[n]) * args.seconds
        print(f"{n:>7} {awx_calls[n] / answered:.2f} GETs per request, {awx_cpu[n]:.1f} CPU s")
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
