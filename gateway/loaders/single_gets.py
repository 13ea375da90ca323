"""Single GETs of one loader batch, run concurrently under a bound.

For reads an upstream has no batch form of (a job's detail, a line range of
its output): each key is its own request, at most :data:`SINGLE_GET_CONCURRENCY`
in flight at once, and a failed request fails only its own key.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from gateway.upstreams.call_groups import gather_calls_settled

K = TypeVar("K")
V = TypeVar("V")

SINGLE_GET_CONCURRENCY = 16
"""Single GETs of one batch in flight at once."""


async def each_concurrently(
    keys: list[K], fetch: Callable[[K], Awaitable[V]], concurrency: int = SINGLE_GET_CONCURRENCY
) -> list[V | Exception]:
    """``fetch`` of every key, at most ``concurrency`` at once; a failure is its key's value.

    aiodataloader rejects just the key whose value is an ``Exception``.
    """
    semaphore = asyncio.Semaphore(concurrency)

    async def one(key: K) -> V:
        async with semaphore:
            return await fetch(key)

    return await gather_calls_settled([one(k) for k in keys])
