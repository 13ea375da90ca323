"""What the response cache's hook costs when off, and what a hit costs: CPU per request, in process.

Drives the gateway's ASGI app directly (no sockets, no upstream: the query
is ``{ __typename }``, which the POST lane answers on the fast path), so the
figure is the gateway's own CPU time per request. Runs the app of whatever
tree is first on ``PYTHONPATH``; to compare with a tree without the cache,
run it from that tree too (e.g. ``git archive redisbase | tar -x -C /tmp/base``
and ``PYTHONPATH=/tmp/base``; ``--ttl`` is ignored there).
Run: `python -m bench.response_cache_overhead [--requests 20000] [--rounds 5] [--ttl 0]`.

On a shared machine the times drift by tens of percent between runs, so it
also prints a figure that does not drift: the Python function calls one
request makes (counted with ``sys.setprofile`` over 100 requests).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from typing import Any

import orjson

from gateway.app import create_app
from gateway.config import load_settings

BODY = orjson.dumps({"query": "query Probe { __typename }"})


async def _measure(requests: int, rounds: int, ttl: float) -> tuple[list[float], float]:
    env = {
        f"GATEWAY_{up}_{key}": value
        for up in ("JOBSTORE", "OPSMANAGER", "AWX")
        for key, value in (("URL", "http://127.0.0.1:9"), ("TOKEN", "unused"))
    }
    env.update(GATEWAY_REQUEST_LOG="false", GATEWAY_CACHE_TTL=str(ttl))
    app = create_app(load_settings(env))
    figures: list[float] = []
    async with app.router.lifespan_context(app) as state:
        scope: dict[str, Any] = {
            "type": "http",
            "method": "POST",
            "path": "/graphql",
            "raw_path": b"/graphql",
            "query_string": b"",
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(BODY)).encode()),
            ],
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 80),
            "scheme": "http",
            "http_version": "1.1",
            "root_path": "",
        }
        answers: list[bytes] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": BODY, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body":
                answers.append(message["body"])

        async def one() -> None:
            await app({**scope, "state": dict(state or {})}, receive, send)

        for _ in range(200):  # warm: the document checked, caches filled
            await one()
        for _ in range(rounds):
            answers.clear()
            start = time.process_time()
            for _ in range(requests):
                await one()
            figures.append((time.process_time() - start) / requests * 1e6)
            assert all(b'"__typename":"Query"' in answer for answer in answers), answers[-1]
        calls = 0

        def count(frame: object, event: str, arg: object) -> None:
            nonlocal calls
            if event == "call":
                calls += 1

        sys.setprofile(count)
        try:
            for _ in range(100):
                await one()
        finally:
            sys.setprofile(None)
    return figures, calls / 100


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--ttl", type=float, default=0.0)
    args = parser.parse_args()
    figures, calls = asyncio.run(_measure(args.requests, args.rounds, args.ttl))
    rounded = ", ".join(f"{f:.1f}" for f in figures)
    print(f"ttl={args.ttl:g}: CPU per request, microseconds: {rounded}")
    print(f"median {statistics.median(figures):.1f} us, min {min(figures):.1f} us")
    print(f"Python function calls per request: {calls:.1f}")


if __name__ == "__main__":
    main()
