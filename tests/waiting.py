"""Waiting in a test for something to hold, without a fixed sleep."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


async def until(
    condition: Callable[[], bool],
    what: str = "the condition",
    *,
    seconds: float = 10.0,
    pause: float = 0.0,
) -> None:
    """Let the loop run (``pause`` seconds between checks; 0: one loop turn) until
    ``condition`` holds; fails after ``seconds``, which never happens when all is well."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} never held")
        await asyncio.sleep(pause)
