"""Upstream calls made together: a lone call runs in the caller's own task, at once."""

from __future__ import annotations

import asyncio

import pytest

from gateway.upstreams.call_groups import gather_calls, gather_calls_settled


async def _task_of(value: int) -> tuple[int, asyncio.Task[object] | None]:
    return value, asyncio.current_task()


async def _failing(message: str) -> int:
    raise ValueError(message)


async def test_a_lone_call_runs_in_the_callers_task() -> None:
    ((value, task),) = await gather_calls([_task_of(1)])
    assert value == 1
    assert task is asyncio.current_task()


async def test_several_calls_run_concurrently_in_tasks_of_their_own() -> None:
    both_started = asyncio.Barrier(2)

    async def call(value: int) -> tuple[int, asyncio.Task[object] | None]:
        await both_started.wait()  # only returns once the other call runs too
        return await _task_of(value)

    results = await asyncio.wait_for(gather_calls([call(1), call(2)]), 5)
    assert [value for value, _ in results] == [1, 2]
    assert all(task is not asyncio.current_task() for _, task in results)


async def test_the_first_failure_is_raised() -> None:
    with pytest.raises(ValueError, match="lone"):
        await gather_calls([_failing("lone")])
    with pytest.raises(ValueError, match="second"):
        await gather_calls([_task_of(1), _failing("second")])


@pytest.mark.parametrize("count", [1, 3])
async def test_settled_calls_give_each_failure_as_its_value(count: int) -> None:
    calls = [_failing(f"call {i}") if i % 2 == 0 else _task_of(i) for i in range(count)]
    results = await gather_calls_settled(calls)
    assert len(results) == count
    assert [str(r) for r in results if isinstance(r, Exception)] == [
        f"call {i}" for i in range(0, count, 2)
    ]
    assert [r[0] for r in results if isinstance(r, tuple)] == list(range(1, count, 2))


@pytest.mark.parametrize("count", [1, 2])
async def test_a_cancelled_settled_call_is_raised_not_returned(count: int) -> None:
    async def cancelled() -> int:
        raise asyncio.CancelledError

    calls = [cancelled(), *(_task_of(i) for i in range(count - 1))]
    with pytest.raises(asyncio.CancelledError):
        await gather_calls_settled(calls)
