"""The loaders' batch: aiodataloader's window of keys, its batch function a loop turn sooner."""

from __future__ import annotations

import asyncio

from gateway.loaders.batching import BatchLoader


class _Recording(BatchLoader[int, int]):
    """Doubles its keys; records each batch and the loop turn it started in."""

    def __init__(self, turns: list[int]) -> None:
        super().__init__()
        self.turns = turns
        self.batches: list[tuple[int, list[int]]] = []

    async def batch_load_fn(self, keys: list[int]) -> list[int]:
        self.batches.append((self.turns[0], list(keys)))
        return [2 * key for key in keys]


def _count_turns(loop: asyncio.AbstractEventLoop, turns: list[int], left: int) -> None:
    """Add one to ``turns[0]`` at the start of each of the next ``left`` loop turns."""
    turns[0] += 1
    if left > 1:
        loop.call_soon(_count_turns, loop, turns, left - 1)


def _keys(loader: _Recording) -> list[list[int]]:
    return [keys for _, keys in loader.batches]


async def test_the_batch_function_runs_on_the_second_turn_after_the_first_key() -> None:
    loop = asyncio.get_running_loop()
    turns = [0]
    loop.call_soon(_count_turns, loop, turns, 10)  # queued before the load
    loader = _Recording(turns)
    values = await asyncio.gather(loader.load(1), loader.load(2), loader.load(1))
    assert values == [2, 4, 2]
    # aiodataloader's own scheduling runs it on the third turn
    assert loader.batches == [(2, [1, 2])]


async def test_a_key_asked_for_on_the_next_turn_joins_the_batch() -> None:
    loader = _Recording([0])
    first = loader.load(1)
    await asyncio.sleep(0)  # a nested field resolved a turn later
    second = loader.load(2)
    assert await asyncio.gather(first, second) == [2, 4]
    assert _keys(loader) == [[1, 2]]


async def test_keys_from_tasks_started_in_the_same_turn_share_one_batch() -> None:
    loader = _Recording([0])

    async def field(key: int) -> int:
        return await loader.load(key)

    assert await asyncio.gather(*(field(key) for key in (3, 4, 5))) == [6, 8, 10]
    assert _keys(loader) == [[3, 4, 5]]


async def test_a_key_asked_for_once_the_batch_has_left_goes_in_the_next() -> None:
    loader = _Recording([0])
    first = loader.load(1)
    await asyncio.sleep(0)
    await asyncio.sleep(0)  # the batch function has its keys by now
    second = loader.load(2)
    assert await asyncio.gather(first, second) == [2, 4]
    assert _keys(loader) == [[1], [2]]


async def test_without_batching_each_key_is_dispatched_at_once() -> None:
    loader = _Recording([0])
    loader.batch = False
    assert await asyncio.gather(loader.load(7), loader.load(8)) == [14, 16]
    assert _keys(loader) == [[7], [8]]


async def test_keys_over_the_batch_size_go_in_concurrent_chunks() -> None:
    loader = _Recording([0])
    loader.max_batch_size = 2
    assert await asyncio.gather(*(loader.load(key) for key in range(5))) == [0, 2, 4, 6, 8]
    assert sorted(_keys(loader)) == [[0, 1], [2, 3], [4]]
    assert loader._running == set()


async def test_a_failing_batch_fails_each_of_its_keys() -> None:
    class _Failing(BatchLoader[int, int]):
        async def batch_load_fn(self, keys: list[int]) -> list[int]:
            raise RuntimeError("upstream down")

    loader = _Failing()
    results = await asyncio.gather(loader.load(1), loader.load(2), return_exceptions=True)
    assert [str(r) for r in results] == ["upstream down", "upstream down"]
    assert all(isinstance(r, RuntimeError) for r in results)
