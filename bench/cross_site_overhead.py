"""What CSRF prevention and CORS cost per request, in process, with no sockets.

The gateway's ASGI app (lifespan run, metrics and request log at their
defaults) answers ``{ __typename }`` many times, called directly as the
server would: a JSON ``POST`` (the POST lane's hot path, which CSRF prevention
never touches) and a ``GET`` with ``X-GraphQL-CSRF`` (the view, which checks
it). Variants, each in its own process, alternating over ``--rounds``:

- ``cors off``: the defaults (CSRF prevention on, no CORS origins: no CORS
  middleware);
- ``cors on``: ``GATEWAY_CORS_ORIGINS`` set, the requests from that origin;
- ``csrf off``: ``GATEWAY_CSRF_PREVENTION=false``;
- ``baseline``: with ``--baseline-src DIR``, a checkout without this code
  (``git archive main | tar -x -C DIR``), at its defaults.

Prints the process's CPU time per request in microseconds (the median of the
rounds) per variant and request kind: CPU time, not wall time, so that other
work on a shared machine counts less. No upstream is called
(``{ __typename }``), so the figures are the gateway's own work. Run:
``python -m bench.cross_site_overhead [--requests 5000] [--rounds 5] [--baseline-src DIR]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
ROOT = HERE.parents[1]
ORIGIN = "https://app.example.com"
UPSTREAMS = ("JOBSTORE", "OPSMANAGER", "AWX")
BASE_ENV = {
    **{f"GATEWAY_{up}_URL": "http://127.0.0.1:9" for up in UPSTREAMS},
    **{f"GATEWAY_{up}_TOKEN": "bench" for up in UPSTREAMS},
}
VARIANTS: dict[str, dict[str, str]] = {
    "cors off": {},
    "cors on": {"GATEWAY_CORS_ORIGINS": ORIGIN},
    "csrf off": {"GATEWAY_CSRF_PREVENTION": "false"},
}
BODY = b'{"query": "{ __typename }"}'


def _scope(method: str, query_string: bytes, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": query_string,
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def _measure(requests: int, origin: bool) -> dict[str, float]:
    # imported here: from the tree on PYTHONPATH (this one, or the baseline's)
    from gateway.app import create_app
    from gateway.config import load_settings

    app = create_app(load_settings({**BASE_ENV, **os.environ}))
    state: dict[str, Any] = {}
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    lifespan = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": state}, inbox.get, outbox.put)
    )
    await inbox.put({"type": "lifespan.startup"})
    assert (await outbox.get())["type"] == "lifespan.startup.complete"
    extra = [(b"origin", ORIGIN.encode())] if origin else []
    kinds = {
        "POST (lane)": _scope(
            "POST",
            b"",
            [
                (b"host", b"127.0.0.1:8000"),
                (b"content-type", b"application/json"),
                (b"content-length", str(len(BODY)).encode()),
                *extra,
            ],
        ),
        "GET (view)": _scope(
            "GET",
            b"query=%7B+__typename+%7D",
            [(b"host", b"127.0.0.1:8000"), (b"x-graphql-csrf", b"1"), *extra],
        ),
    }
    figures: dict[str, float] = {}
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": BODY, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    for kind, scope in kinds.items():
        for _ in range(200):  # warm: the document cache, the lane's checked text
            await app({**scope, "state": dict(state)}, receive, send)
        statuses.clear()
        started = time.process_time()
        for _ in range(requests):
            await app({**scope, "state": dict(state)}, receive, send)
        elapsed = time.process_time() - started
        assert statuses == [200] * requests, sorted(set(statuses))
        figures[kind] = elapsed / requests * 1e6
    await inbox.put({"type": "lifespan.shutdown"})
    await lifespan
    return figures


def _run(src: Path, env: dict[str, str], requests: int, origin: bool) -> dict[str, float]:
    command = [sys.executable, str(HERE), "--measure", "--requests", str(requests)]
    if origin:
        command.append("--origin")
    done = subprocess.run(  # noqa: S603 - this script, fixed arguments
        command,
        env={**os.environ, **env, "PYTHONPATH": str(src), "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--baseline-src", type=Path)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--origin", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(asyncio.run(_measure(args.requests, args.origin))))
        return
    runs: list[tuple[str, Path, dict[str, str]]] = [
        (name, ROOT, env) for name, env in VARIANTS.items()
    ]
    if args.baseline_src is not None:
        runs.insert(0, ("baseline", args.baseline_src.resolve(), {}))
    results: dict[str, list[dict[str, float]]] = {name: [] for name, _, _ in runs}
    for round_ in range(args.rounds):
        for name, src, env in runs:
            figures = _run(src, env, args.requests, origin=name == "cors on")
            results[name].append(figures)
            shown = ", ".join(f"{kind} {us:.1f} us" for kind, us in figures.items())
            print(f"round {round_ + 1} {name:>9}: {shown}", flush=True)
    print(f"median of {args.rounds} rounds, {args.requests} requests each, CPU us per request:")
    for name, rounds in results.items():
        kinds = rounds[0].keys()
        shown = ", ".join(f"{k} {statistics.median(r[k] for r in rounds):.1f}" for k in kinds)
        print(f"  {name:>9}: {shown}")


if __name__ == "__main__":
    main()
