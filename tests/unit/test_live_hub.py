"""The shared poll hub with an in-process fake source whose every poll the test hands out.

The fake's ``fetch`` waits for the test to release a value, so each poll is a
step the test takes: counts are exact without any timing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import pytest

from gateway.live.hub import Audience, LocalPollHub, Polled, PollSpec
from tests.waiting import until


class FakeSource:
    """A source whose polls return what the test releases, one value per poll."""

    def __init__(self) -> None:
        self.values: asyncio.Queue[object] = asyncio.Queue()
        self.calls = 0

    async def fetch(self) -> str:
        self.calls += 1
        value = await self.values.get()
        if isinstance(value, Exception):
            raise value
        assert isinstance(value, str)
        return value

    def spec(self, key: str = "job-1", final: str | None = None) -> PollSpec[str]:
        return PollSpec(key=key, fetch=self.fetch, final=lambda v: v == final)


class Observer:
    def __init__(self) -> None:
        self.subscriptions: dict[str, int] = {}
        self.pollers = 0
        self.polls: dict[tuple[str, str], int] = {}

    def subscription_changed(self, transport: str, delta: int) -> None:
        self.subscriptions[transport] = self.subscriptions.get(transport, 0) + delta

    def poller_changed(self, delta: int) -> None:
        self.pollers += delta

    def polled(self, upstream: str, outcome: str) -> None:
        self.polls[upstream, outcome] = self.polls.get((upstream, outcome), 0) + 1


async def next_value(feed: AsyncIterator[Polled[str]]) -> Polled[str]:
    return await asyncio.wait_for(anext(feed), 5)


async def test_fifty_subscribers_of_one_key_share_one_poller_and_one_fetch_per_poll() -> None:
    source = FakeSource()
    hub = LocalPollHub(interval=0)
    async with AsyncExitStack() as stack:
        feeds = [await stack.enter_async_context(hub.subscribe(source.spec())) for _ in range(50)]
        assert hub.pollers_started == 1
        assert hub.active_pollers == 1
        assert hub.active_subscriptions == 50
        for value in ("queued", "running", "running"):
            source.values.put_nowait(value)
            got = [await next_value(feed) for feed in feeds]
            assert {p.value for p in got} == {value}
        await asyncio.sleep(0)
        # three polls released, one more waiting for its value: four fetches, not 200
        assert source.calls == 4
        assert hub.polls_made == 3
    await asyncio.sleep(0)
    assert hub.active_pollers == 0
    assert hub.active_subscriptions == 0


async def test_the_last_subscriber_leaving_stops_the_poller_after_its_poll_in_flight() -> None:
    source = FakeSource()
    hub = LocalPollHub(interval=0)
    async with hub.subscribe(source.spec()) as feed:
        source.values.put_nowait("running")
        assert (await next_value(feed)).value == "running"
        await asyncio.sleep(0)
        assert source.calls == 2  # the next poll is waiting for its answer
    assert hub.active_pollers == 0
    source.values.put_nowait("late answer")
    for _ in range(5):
        await asyncio.sleep(0)
    # the poll in flight was finished and counted, and none followed it
    assert source.calls == 2
    assert hub.polls_made == 2


async def test_a_late_subscriber_gets_the_latest_outcome_first() -> None:
    source = FakeSource()
    hub = LocalPollHub(interval=0)
    async with hub.subscribe(source.spec()) as first:
        source.values.put_nowait("running")
        assert (await next_value(first)).value == "running"
        async with hub.subscribe(source.spec()) as second:
            assert (await next_value(second)).value == "running"
            assert hub.pollers_started == 1
            source.values.put_nowait("paused")
            assert (await next_value(second)).value == "paused"
            assert (await next_value(first)).value == "paused"


async def test_a_final_value_ends_every_feed_and_the_poller() -> None:
    source = FakeSource()
    hub = LocalPollHub(interval=0)
    async with (
        hub.subscribe(source.spec(final="done")) as a,
        hub.subscribe(source.spec(final="done")) as b,
    ):
        source.values.put_nowait("done")
        assert [p.value async for p in a] == ["done"]
        assert [p.value async for p in b] == ["done"]
        assert hub.active_pollers == 0
    assert source.calls == 1


async def test_a_failed_poll_is_an_outcome_and_polling_goes_on() -> None:
    source = FakeSource()
    observer = Observer()
    hub = LocalPollHub(interval=0, observer=observer)
    spec = PollSpec(
        key="k",
        fetch=source.fetch,
        outcomes=lambda p: [("jobstore", "ok" if p.error is None else "error")],
    )
    async with hub.subscribe(spec, transport="sse") as feed:
        assert observer.subscriptions == {"sse": 1}
        await asyncio.sleep(0)  # the poller's task starts
        assert observer.pollers == 1
        source.values.put_nowait(ConnectionError("down"))
        failed = await next_value(feed)
        assert isinstance(failed.error, ConnectionError)
        assert failed.value is None
        source.values.put_nowait("running")
        assert (await next_value(feed)).value == "running"
        await until(lambda: source.calls == 3)
    assert observer.subscriptions == {"sse": 0}
    assert observer.pollers == 1  # its third poll is still waiting for an answer
    source.values.put_nowait("answer of the poll in flight")
    for _ in range(5):
        await asyncio.sleep(0)
    assert observer.pollers == 0
    assert observer.polls == {("jobstore", "error"): 1, ("jobstore", "ok"): 2}


async def test_different_keys_poll_apart() -> None:
    one, two = FakeSource(), FakeSource()
    hub = LocalPollHub(interval=0)
    async with hub.subscribe(one.spec("a")) as a, hub.subscribe(two.spec("b")) as b:
        assert hub.active_pollers == 2
        one.values.put_nowait("from a")
        two.values.put_nowait("from b")
        assert (await next_value(a)).value == "from a"
        assert (await next_value(b)).value == "from b"


async def test_close_ends_every_feed_and_later_subscriptions_end_at_once() -> None:
    source = FakeSource()
    hub = LocalPollHub(interval=0)
    async with hub.subscribe(source.spec()) as feed:
        await asyncio.sleep(0)
        await hub.close()
        assert [p async for p in feed] == []
        assert hub.active_pollers == 0
    async with hub.subscribe(source.spec("other")) as feed:
        assert [p async for p in feed] == []
    assert hub.pollers_started == 1


async def test_the_interval_spaces_the_polls() -> None:
    source = FakeSource()
    hub = LocalPollHub(interval=3600)
    async with hub.subscribe(source.spec()) as feed:
        source.values.put_nowait("running")
        assert (await next_value(feed)).value == "running"
        source.values.put_nowait("never read")
        for _ in range(5):
            await asyncio.sleep(0)
        assert source.calls == 1  # the next poll waits for the interval


@pytest.mark.parametrize("subscribers", [1, 3])
async def test_a_slow_subscriber_keeps_the_newest_outcomes(subscribers: int) -> None:
    source = FakeSource()
    hub = LocalPollHub(interval=0)
    async with AsyncExitStack() as stack:
        feeds = [
            await stack.enter_async_context(hub.subscribe(source.spec()))
            for _ in range(subscribers)
        ]
        for n in range(40):
            source.values.put_nowait(str(n))
        await until(lambda: hub.polls_made == 40)
        for feed in feeds:
            first = await next_value(feed)
            assert first.value == "24"  # 16 kept: the oldest were dropped


async def test_close_waits_for_the_subscribers_to_leave() -> None:
    source = FakeSource()
    hub = LocalPollHub(interval=0)
    left: list[str] = []

    async def follow(name: str) -> None:
        async with hub.subscribe(source.spec()) as feed:
            async for _ in feed:
                pass
            await asyncio.sleep(0)  # a stream's last send
        left.append(name)

    tasks = [asyncio.create_task(follow(name)) for name in ("a", "b")]
    await until(lambda: hub.active_subscriptions == 2)
    await hub.close(drain=5)
    assert sorted(left) == ["a", "b"]
    assert hub.active_subscriptions == 0
    await asyncio.gather(*tasks)


async def _drain(feed: AsyncIterator[Polled[str]]) -> list[str | None]:
    return [polled.value async for polled in feed]


async def test_an_audience_gives_a_late_joiner_the_latest_outcome_and_ends_every_feed() -> None:
    audience: Audience[str] = Audience()
    early = audience.join()
    audience.deliver(Polled(value="RUNNING"))
    late = audience.join()
    audience.deliver(Polled(value="PAUSED"))
    assert audience.leave(early) is False  # the late one is still there
    audience.end()
    assert await _drain(late.feed()) == ["RUNNING", "PAUSED"]
    assert list(early.items) == [Polled(value="RUNNING"), Polled(value="PAUSED")]
    assert audience.leave(late) is True
