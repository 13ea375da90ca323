"""The per-key lock registry that serialises creates with the same key."""

from __future__ import annotations

import asyncio

from gateway.keyed_locks import KeyedLocks


async def test_same_key_runs_one_at_a_time_and_other_keys_do_not_wait() -> None:
    locks = KeyedLocks()
    inside: dict[str, int] = {"a": 0, "b": 0}
    peak: dict[str, int] = {"a": 0, "b": 0}

    async def work(key: str) -> None:
        async with locks.hold(key):
            inside[key] += 1
            peak[key] = max(peak[key], inside[key])
            await asyncio.sleep(0.01)
            inside[key] -= 1

    await asyncio.gather(work("a"), work("a"), work("a"), work("b"))
    assert peak == {"a": 1, "b": 1}
    assert len(locks) == 0  # nothing kept once nobody holds or awaits a key


async def test_a_cancelled_waiter_does_not_leak_its_key() -> None:
    locks = KeyedLocks()
    holding = asyncio.Event()
    release = asyncio.Event()

    async def holder() -> None:
        async with locks.hold("k"):
            holding.set()
            await release.wait()

    async def waiter() -> None:
        async with locks.hold("k"):
            pass

    first = asyncio.create_task(holder())
    await holding.wait()
    second = asyncio.create_task(waiter())
    await asyncio.sleep(0)
    second.cancel()
    release.set()
    await first
    await asyncio.gather(second, return_exceptions=True)
    assert len(locks) == 0
