"""Hostile documents against a running gateway: how fast each is refused, and what it costs others.

Each bomb is sent once (a new text, so the document cache cannot help)
while a second client polls ``/healthz`` every 5 ms; the table shows the
answer (status and code), the time to the refusal as the client sees it
(sending the body included), the upstream calls it caused (the sandboxes'
``/_sandbox/stats`` totals before and after) and the slowest ``/healthz``
seen meanwhile (the event loop's stall). Issue 10 asks for every refusal
under 10 ms with 0 upstream calls. The gateway and the sandbox upstreams run as
separate processes (:mod:`bench.processes`). ``--roomy`` lifts the text limits
(tokens, length) so the structural limits (aliases, root fields, nesting) are
the ones that refuse.
Run: `python -m bench.bombs [--roomy]`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiohttp

from bench.processes import running_stack

Attack = Callable[[aiohttp.ClientSession, str], Awaitable[tuple[str, float]]]
"""Sends one bomb: the answer, and the milliseconds from sending it to the answer."""


def fan_out(levels: int) -> str:
    """``F{i}`` spreads ``F{i+1}`` twice: 2**levels fields once expanded."""
    fragments = "".join(
        f"fragment F{i} on Query {{...F{i + 1} ...F{i + 1}}}" for i in range(levels)
    )
    return "{...F0}" + fragments + f"fragment F{levels} on Query {{__typename}}"


def chain(length: int) -> str:
    fragments = "".join(f"fragment F{i} on Query {{...F{i + 1}}}\n" for i in range(length))
    return "{ ...F0 }\n" + fragments + f"fragment F{length} on Query {{ __typename }}\n"


def repeated_fields(body_bytes: int) -> str:
    return "{" + "__typename " * ((body_bytes - 30) // 11) + "}"


def aliases(count: int) -> str:
    return "{" + " ".join(f"a{i}: __typename" for i in range(count)) + "}"


def first_code(body: object) -> str:
    if isinstance(body, dict) and body.get("errors"):
        return str(body["errors"][0].get("extensions", {}).get("code"))
    return "data"


def post(query: str) -> Attack:
    body = json.dumps({"query": query}).encode()  # before the clock: the client's own work

    async def send(session: aiohttp.ClientSession, url: str) -> tuple[str, float]:
        headers = {"content-type": "application/json"}
        started = time.perf_counter()
        async with session.post(f"{url}/graphql", data=body, headers=headers) as response:
            answer = f"{response.status} {first_code(await response.json(content_type=None))}"
        return answer, elapsed_ms(started)

    return send


def get(query: str) -> Attack:
    async def send(session: aiohttp.ClientSession, url: str) -> tuple[str, float]:
        started = time.perf_counter()
        csrf = {"x-graphql-csrf": "1"}  # CSRF prevention refuses a GET without it
        async with session.get(f"{url}/graphql", params={"query": query}, headers=csrf) as response:
            answer = f"{response.status} {first_code(await response.json(content_type=None))}"
        return answer, elapsed_ms(started)

    return send


def websocket(query: str) -> Attack:
    """Over graphql-transport-ws; the clock runs from sending ``subscribe`` to the answer.

    The answer is awaited while the message goes out: a message over the limit
    is refused from its frame header, before the client has sent it all.
    """
    message = json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}})

    async def send(session: aiohttp.ClientSession, url: str) -> tuple[str, float]:
        ws_url = url.replace("http://", "ws://") + "/graphql"
        async with session.ws_connect(
            ws_url, protocols=["graphql-transport-ws"], max_msg_size=0
        ) as ws:
            await ws.send_str(json.dumps({"type": "connection_init"}))
            await ws.receive()
            started = time.perf_counter()
            receiving = asyncio.create_task(ws.receive())
            # the connection may close while the payload goes out
            with contextlib.suppress(ConnectionError):
                await ws.send_str(message)
            answer = await receiving
            elapsed = elapsed_ms(started)
            if answer.type == aiohttp.WSMsgType.CLOSE:
                return f"ws close {answer.data}", elapsed
            if answer.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                return f"ws close {ws.close_code}", elapsed
            payload = json.loads(answer.data)
            code = first_code({"errors": payload.get("payload")})
            return f"ws {payload['type']} {code}", elapsed

    return send


def elapsed_ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


@dataclass(frozen=True)
class Row:
    attack: str
    size: int
    answer: str
    answer_ms: float
    upstream_calls: int
    healthz_max_ms: float


async def upstream_calls(session: aiohttp.ClientSession, upstreams: list[str]) -> int:
    """Requests the sandbox upstreams have answered so far, in all."""
    total = 0
    for base in upstreams:
        async with session.get(f"{base}/_sandbox/stats") as response:
            total += int((await response.json())["total"])
    return total


async def measure(
    session: aiohttp.ClientSession,
    url: str,
    upstreams: list[str],
    name: str,
    size: int,
    attack: Attack,
) -> Row:
    """Send one attack while polling /healthz: its time, its upstream calls, the worst poll."""
    calls_before = await upstream_calls(session, upstreams)
    done = asyncio.Event()
    polls: list[float] = []

    async def poll() -> None:
        while not done.is_set():
            started = time.perf_counter()
            async with session.get(f"{url}/healthz") as response:
                await response.read()
            polls.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(0.005)

    poller = asyncio.create_task(poll())
    await asyncio.sleep(0.02)
    answer, elapsed = await attack(session, url)
    done.set()
    await poller
    calls = await upstream_calls(session, upstreams) - calls_before
    return Row(name, size, answer, elapsed, calls, max(polls, default=0.0))


def attacks() -> list[tuple[str, str, Callable[[str], Attack]]]:
    """(name, query, how it is sent)."""
    cases: list[tuple[str, str, Callable[[str], Attack]]] = [
        ("baseline { __typename }", "{ __typename }", post),
    ]
    for levels in (16, 20, 22, 30):
        cases.append((f"fragment fan-out N={levels}", fan_out(levels), post))
    cases.append(("fragment fan-out N=22 over GET", fan_out(22) + " ", get))
    cases.append(("repeated fields, body just under 1 MiB", repeated_fields(1_048_000), post))
    cases.append(("repeated fields, body over 1 MiB", repeated_fields(1_100_000), post))
    cases.append(("10k aliases", aliases(10_000), post))
    cases.append(("5000-fragment chain", chain(5000), post))
    cases.append(("4.4 MB query over WebSocket", repeated_fields(4_400_000), websocket))
    cases.append(("fan-out N=30 over WebSocket", fan_out(30) + "  ", websocket))
    return cases


async def run(url: str, upstreams: list[str]) -> list[Row]:
    rows = []
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        await post("{ __typename }")(session, url)  # warm-up: the first request pays imports
        for name, query, how in attacks():
            size = len(query.encode())
            rows.append(await measure(session, url, upstreams, name, size, how(query)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--roomy", action="store_true", help="lift the token and length limits (10,000,000 each)"
    )
    args = parser.parse_args()
    env = {"GATEWAY_MAX_QUERY_TOKENS": "10000000", "GATEWAY_MAX_QUERY_LENGTH": "10000000"}
    with running_stack(env=env if args.roomy else {}) as stack:
        rows = asyncio.run(run(stack.gateway, list(stack.upstreams.values())))
    print(
        f"{'bomb':40} {'bytes':>9}  {'answer':38} {'ms to refusal':>13} {'upstream calls':>14}"
        f" {'/healthz max stall ms':>21}"
    )
    for row in rows:
        print(
            f"{row.attack:40} {row.size:>9}  {row.answer:38} {row.answer_ms:>13.1f}"
            f" {row.upstream_calls:>14} {row.healthz_max_ms:>21.1f}"
        )


if __name__ == "__main__":
    main()
