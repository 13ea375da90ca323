"""Upstream calls made together: ``asyncio.gather``, a lone call awaited in place.

A batch read splits its keys into chunks and a list read its window into
pages, one request each, run concurrently; nearly always there is one chunk
(up to 200 ids), one key or one page.
``asyncio.gather`` wraps each awaitable in a task, and a task takes its first
step on the next loop turn: for one call, a task and a turn for nothing on
the way to the upstream (and, on Python 3.11, a ``getpid`` system call to find
the running loop). Under load a loop turn is a fraction of a millisecond of
other requests' work. With two or more, these are ``asyncio.gather``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from typing import TypeVar

T = TypeVar("T")


async def gather_calls(calls: Sequence[Awaitable[T]]) -> list[T]:
    """The results of ``calls``, run concurrently; the first failure is raised."""
    if len(calls) == 1:
        return [await calls[0]]
    return list(await asyncio.gather(*calls))


async def gather_calls_settled(calls: Sequence[Awaitable[T]]) -> list[T | Exception]:
    """The result or the exception of each of ``calls``, run concurrently.

    A failure is its call's value (aiodataloader rejects just that key); a
    cancellation or another ``BaseException`` is raised.
    """
    if len(calls) == 1:
        try:
            return [await calls[0]]
        except Exception as exc:
            return [exc]
    results = await asyncio.gather(*calls, return_exceptions=True)
    settled: list[T | Exception] = []
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, Exception):
            raise result
        settled.append(result)
    return settled
