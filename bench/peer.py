"""jobs-gateway side by side with Hive Gateway (``../shared/peer``), on the same sandbox.

Run: ``python -m bench.peer [--rounds 3] [--seconds 8] [--queries a,b,c]``.

What it does, all on this machine:

1. copies ``../shared/peer`` to ``.bench/peer`` and runs ``npm install`` there
   once (Hive Gateway 2.15.1 with the OpenAPI source; needs Node and npm);
2. starts the sandbox upstreams on 127.0.0.1:19001-19003 (the ports the
   peer's ``mesh.config.ts`` bakes in), each in its own process as three
   systems would be (``--sandbox-processes 1``: all in one, as this bench
   did before 2026-12-02), with ``--latency-ms`` latency, composes
   the supergraph and starts Hive Gateway (one process) and jobs-gateway (one
   worker);
3. **throughput** (targets P3): for each query pair of ``queries/`` (``jg_X``
   for jobs-gateway, ``hv_X`` for Hive: the same data), ``--rounds``
   interleaved rounds of ``wrk -t1 -c32 -d<seconds>s`` on each gateway; prints
   the median requests per second, the spread (min-max) and the ratio; for
   query ``c`` also the REST call it needs, alone, loaded the same way in the
   same rounds: no gateway that asks the upstream for each answer (without a
   response cache) passes that rate, so it bounds the ratio ``c`` can reach;
4. **latency** (targets P4, P2, P5) with ``hey -c 1`` (sequential): the
   overhead of one object over the direct REST call at 0 ms latency, the
   fan-out over the slowest upstream call at ``--latency-ms``, and the big
   200-job answer at 0 ms latency;
5. **memory** (target P6): jobs-gateway's RSS before and after a load at 200
   concurrent connections.

Needs ``wrk`` and ``hey`` (Debian packages). The machine is noisy: read the
ratios within one run, not the absolute figures across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.processes import free_port

ROOT = Path(__file__).resolve().parent.parent
SANDBOX_PORTS = {"jobstore": 19001, "opsmanager": 19002, "awx": 19003}
HIVE_PORT = 19010
TOKEN = "sandbox-token"
C_REST = f"http://127.0.0.1:{SANDBOX_PORTS['awx']}/api/v2/workflow_jobs/7/"
"""The upstream call of query ``c`` as Hive makes it (ours asks the list with ``id__in=7``)."""
QUERY_NAMES = {
    "a": "50 AWX workflow jobs, 5 scalars",
    "b": "a + jobTemplate { name }",
    "c": "one workflow job by id",
    "fan": "one object from each upstream",
    "big": "200 flow jobs, every field, steps",
}


@dataclass(frozen=True)
class WrkResult:
    """One wrk run's figures."""

    rps: float
    p50_ms: float
    errors: int
    requests: int = 0


def _wait(url: str, timeout: float = 60.0, method: str = "GET") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if method == "GET":
                httpx.get(url, timeout=1.0)
            else:
                httpx.post(url, json={"query": "{ __typename }"}, timeout=2.0)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def prepare_peer(source: Path, work: Path) -> Path:
    """The peer's folder with its node_modules (installed once)."""
    if not (work / "node_modules" / ".bin" / "hive-gateway").exists():
        if work.exists():
            shutil.rmtree(work)
        shutil.copytree(source, work)
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund"],  # noqa: S607
            cwd=work,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return work


@contextmanager
def _process(args: list[str], **kwargs: object) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(args, **kwargs)  # type: ignore[call-overload]  # noqa: S603
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def set_latency(latency_ms: float) -> None:
    """Every sandbox upstream's latency, changed at run time."""
    for port in SANDBOX_PORTS.values():
        httpx.put(
            f"http://127.0.0.1:{port}/_sandbox/faults", json={"latency_ms": latency_ms}
        ).raise_for_status()


def wrk(
    url: str, body: Path, seconds: float, connections: int = 32, script: Path | None = None
) -> WrkResult:
    """One wrk run with the peer's post.lua (``script``: else the one beside ``body``'s
    folder); its RESULT line parsed."""
    out = subprocess.run(  # noqa: S603
        [  # noqa: S607
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds:g}s",
            "-s",
            str(script or body.parent.parent / "post.lua"),
            url,
        ],
        env={**os.environ, "BODY_FILE": str(body)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT"))
    fields = dict(part.split("=") for part in line.split()[1:])
    errors = int(fields["gql_errors"]) + int(fields["non200"]) + int(fields["sock_err"])
    return WrkResult(float(fields["rps"]), float(fields["p50_ms"]), errors, int(fields["n"]))


def wrk_get(url: str, seconds: float, headers: str, connections: int = 32) -> float:
    """Requests per second of ``wrk -t1`` GETs of ``url`` (the upstream itself, no gateway)."""
    out = subprocess.run(  # noqa: S603
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "-H", headers, url],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"Requests/sec:\s+([0-9.]+)", out)
    if match is None:
        raise RuntimeError(f"wrk printed no rate:\n{out}")
    if "Non-2xx" in out or "Socket errors" in out:  # a refused token would pass for a fast upstream
        raise RuntimeError(f"the upstream answered with errors:\n{out}")
    return float(match.group(1))


def hey_p50(url: str, body: Path | None, requests: int = 300, headers: str = "") -> float:
    """Sequential p50 latency in ms (POST of ``body``, or GET when it is None)."""
    args = ["hey", "-n", str(requests), "-c", "1"]
    if body is not None:
        args += ["-m", "POST", "-T", "application/json", "-D", str(body)]
    if headers:
        args += ["-H", headers]
    out = subprocess.run(  # noqa: S603
        [*args, url], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"50%+ in ([0-9.]+) secs", out)
    if match is None:
        raise RuntimeError(f"hey printed no p50:\n{out}")
    return float(match.group(1)) * 1000


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def throughput(
    urls: dict[str, str], queries: Path, names: list[str], rounds: int, seconds: float
) -> None:
    print(f"\nthroughput: wrk -t1 -c32 -d{seconds:g}s, {rounds} interleaved rounds")
    print(f"{'query':<36} {'jobs-gateway rps':>22} {'hive rps':>22} {'ours/hive':>10}")
    for name in names:
        runs: dict[str, list[WrkResult]] = {"jg": [], "hv": []}
        alone: list[float] = []
        for _ in range(rounds):
            for gw in ("jg", "hv"):
                runs[gw].append(wrk(urls[gw], queries / f"{gw}_{name}.json", seconds))
            if name == "c":
                alone.append(wrk_get(C_REST, seconds, f"Authorization: Bearer {TOKEN}"))
        cells = []
        for gw in ("jg", "hv"):
            rps = [r.rps for r in runs[gw]]
            errors = sum(r.errors for r in runs[gw])
            note = f" err={errors}" if errors else ""
            cells.append(f"{statistics.median(rps):7.0f} ({min(rps):.0f}-{max(rps):.0f}){note}")
        ratio = statistics.median(r.rps for r in runs["jg"]) / statistics.median(
            r.rps for r in runs["hv"]
        )
        print(f"{name + ': ' + QUERY_NAMES[name]:<36} {cells[0]:>22} {cells[1]:>22} {ratio:10.2f}")
        if alone:
            ceiling = statistics.median(alone)
            hive = statistics.median(r.rps for r in runs["hv"])
            ours = statistics.median(r.rps for r in runs["jg"])
            print(
                f"{'   its REST call alone (no gateway)':<36} "
                f"{f'{ceiling:7.0f} ({min(alone):.0f}-{max(alone):.0f})':>22}"
                f"   ours {ours / ceiling:.0%} of it; 1.5 x Hive = {1.5 * hive:.0f}"
                f" = {1.5 * hive / ceiling:.0%} of it"
            )


def latency(urls: dict[str, str], queries: Path, latency_ms: float) -> None:
    auth = f"Authorization: Bearer {TOKEN}"
    set_latency(0)
    rest = hey_p50(C_REST, None, headers=auth)
    print("\nlatency: hey -c 1 (sequential), p50 ms")
    print(f"P4 one object at 0 ms latency: REST {rest:.2f}")
    for gw in ("jg", "hv"):
        p50 = hey_p50(urls[gw], queries / f"{gw}_c.json")
        print(f"   {gw}: {p50:.2f} (overhead {p50 - rest:+.2f})")
    for gw in ("jg", "hv"):
        print(
            f"P5 big answer at 0 ms, {gw}: {hey_p50(urls[gw], queries / f'{gw}_big.json', 50):.1f}"
        )
    set_latency(latency_ms)
    slowest = max(
        hey_p50(C_REST, None, 100, auth),
        hey_p50(
            f"http://127.0.0.1:{SANDBOX_PORTS['jobstore']}/jobs/v1/bson/6aba5da145f2ffb42c92fdff",
            None,
            100,
            auth,
        ),
        hey_p50(
            f"http://127.0.0.1:{SANDBOX_PORTS['opsmanager']}/operations-manager/jobs/6ab875e74ceb46d39fe62e36",
            None,
            100,
            auth,
        ),
    )
    print(f"P2 fan-out at {latency_ms:g} ms: slowest single call {slowest:.2f}")
    for gw in ("jg", "hv"):
        p50 = hey_p50(urls[gw], queries / f"{gw}_fan.json", 100)
        print(f"   {gw}: {p50:.2f} ({p50 / slowest:.2f}x the slowest call)")


def memory(url: str, pid: int, queries: Path, seconds: float) -> None:
    before = rss_mb(pid)
    result = wrk(url, queries / "jg_a.json", seconds, connections=200)
    after = rss_mb(pid)
    print(
        f"\nP6 jobs-gateway RSS: {before:.0f} MB -> {after:.0f} MB after {result.rps * seconds:.0f}"
        f" requests at 200 connections ({result.errors} errors)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer", type=Path, default=ROOT.parent / "shared" / "peer")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--queries", default="a,b,c")
    parser.add_argument(
        "--sandbox-processes",
        type=int,
        choices=(1, 3),
        default=3,
        help="the sandbox upstreams in one process, or one each (the default)",
    )
    args = parser.parse_args()
    for tool in ("wrk", "hey", "npm", "node"):
        if shutil.which(tool) is None:
            sys.exit(f"bench.peer needs {tool} (apt-get install wrk hey nodejs npm)")
    peer = prepare_peer(args.peer, ROOT / ".bench" / "peer")
    queries = peer / "queries"
    port = free_port()
    env = {**os.environ}
    for name, sandbox_port in SANDBOX_PORTS.items():
        env[f"GATEWAY_{name.upper()}_URL"] = f"http://127.0.0.1:{sandbox_port}"
        env[f"GATEWAY_{name.upper()}_TOKEN"] = TOKEN
    sandbox = [sys.executable, "-m", "gateway.cli", "sandbox", "--latency-ms", str(args.latency_ms)]
    ports = [arg for name, port in SANDBOX_PORTS.items() for arg in (f"--{name}-port", str(port))]
    # Three upstream systems are three servers: by default each sandbox upstream runs in
    # its own process, so one upstream's work does not queue behind another's.
    sandbox_runs = (
        [[*sandbox, *ports]]
        if args.sandbox_processes == 1
        else [[*sandbox, *ports, "--only", name] for name in SANDBOX_PORTS]
    )
    with ExitStack() as sandboxes:
        for sandbox_args in sandbox_runs:
            sandboxes.enter_context(_process(sandbox_args, cwd=ROOT))
        for sandbox_port in SANDBOX_PORTS.values():
            _wait(f"http://127.0.0.1:{sandbox_port}/_sandbox/stats")
        subprocess.run(
            ["npx", "mesh-compose", "-o", "supergraph.graphql"],  # noqa: S607
            cwd=peer,
            check=True,
            capture_output=True,
        )
        hive = [
            str(peer / "node_modules" / ".bin" / "hive-gateway"),
            "supergraph",
            "supergraph.graphql",
            "--host",
            "127.0.0.1",
            "--port",
            str(HIVE_PORT),
            "--fork",
            "1",
        ]
        ours = [
            sys.executable,
            "-m",
            "gateway.cli",
            "serve",
            "--port",
            str(port),
        ]
        with (
            _process(
                hive,
                cwd=peer,
                env={**os.environ, "NODE_ENV": "production"},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ),
            # as deployed: metrics and the JSON request log on (the log to /dev/null)
            _process(
                ours, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            ) as gateway,
        ):
            urls = {
                "jg": f"http://127.0.0.1:{port}/graphql",
                "hv": f"http://127.0.0.1:{HIVE_PORT}/graphql",
            }
            for url in urls.values():
                _wait(url, method="POST")
            print(json.dumps({"latency_ms": args.latency_ms, "rounds": args.rounds}))
            throughput(urls, queries, args.queries.split(","), args.rounds, args.seconds)
            latency(urls, queries, args.latency_ms)
            memory(urls["jg"], gateway.pid, queries, args.seconds)


if __name__ == "__main__":
    main()
