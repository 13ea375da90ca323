"""Hubs shared through the real Redis, several in one process (each its own client and token).

Sources whose ``fetch`` waits for the test to release a value make each poll
a step the test takes, so poll counts are exact. Outages go through
:class:`tests.redis_proxy.RedisProxy`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack
from functools import partial

import pytest

from gateway.config import RedisSettings
from gateway.errors import UpstreamRequest, UpstreamUnavailable
from gateway.live.hub import MAILBOX, Polled, PollSpec
from gateway.live.redis_hub import RedisPollHub, Role
from gateway.live.wire import PollWire, RelayedUpstreamError
from gateway.shared_state import SharedState, open_shared_state
from gateway.upstream_names import Upstream
from tests.redis_proxy import RedisProxy
from tests.unit.test_live_hub import FakeSource, Observer
from tests.waiting import until as until_held

LEASE = 0.5
INTERVAL = 0.02

WIRE: PollWire[str] = PollWire(name="job-1", encode=lambda v: v, decode=str)

until = partial(until_held, pause=0.01)  # Redis answers in real time


class SharedObserver(Observer):
    def __init__(self) -> None:
        super().__init__()
        self.following = 0

    def following_changed(self, delta: int) -> None:
        self.following += delta


class Counting:
    """A source that answers at once: ``<name>-<n>`` for its n-th poll."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.calls = 0

    async def fetch(self) -> str:
        self.calls += 1
        return f"{self.name}-{self.calls}"


def spec_of(fetch: Callable[[], object], final: str | None = None) -> PollSpec[str]:
    return PollSpec(key="job-1", fetch=fetch, final=lambda v: v == final, wire=WIRE)  # type: ignore[arg-type]


async def next_value(feed: AsyncIterator[Polled[str]]) -> Polled[str]:
    return await asyncio.wait_for(anext(feed), 10)


async def follows(feed: AsyncIterator[Polled[str]], prefix: str) -> bool:
    """Whether the feed (past what it had queued) gives three values of ``prefix`` in a row."""
    run = 0
    for _ in range(MAILBOX + 10):
        value = (await next_value(feed)).value
        run = run + 1 if value is not None and value.startswith(prefix) else 0
        if run == 3:
            return True
    return False


@pytest.fixture
async def states(redis_url: str, redis_prefix: str) -> AsyncIterator[Callable[..., SharedState]]:
    """Make SharedStates on the test's prefix (each its own client); closed after the test."""
    made: list[SharedState] = []

    def make(url: str = redis_url) -> SharedState:
        state = open_shared_state(RedisSettings(url=url, key_prefix=redis_prefix, timeout=0.5))
        assert state is not None
        made.append(state)
        return state

    yield make
    for state in made:
        await state.aclose()


@pytest.fixture
def proxy(redis_url: str) -> Iterator[RedisProxy]:
    with RedisProxy.to(redis_url) as running:
        yield running


def hub_on(state: SharedState, observer: SharedObserver | None = None, **kw: float) -> RedisPollHub:
    kw.setdefault("lease_seconds", LEASE)
    kw.setdefault("interval", INTERVAL)
    return RedisPollHub(state, observer=observer, **kw)  # type: ignore[arg-type]


async def test_three_replicas_share_one_poll_and_every_subscriber_gets_each_value(
    states: Callable[..., SharedState],
) -> None:
    source = FakeSource()  # one upstream: every replica's fetch counts here
    observers = [SharedObserver() for _ in range(3)]
    hubs = [hub_on(states(), observer) for observer in observers]
    async with AsyncExitStack() as stack:
        feeds = []
        for hub in hubs:  # one after the other: the first leads
            for _ in range(10):
                feeds.append(await stack.enter_async_context(hub.subscribe(spec_of(source.fetch))))
            await until(lambda hub=hub: hub.role("job-1") is not Role.IDLE)  # type: ignore[misc]
        assert [hub.role("job-1") for hub in hubs] == [
            Role.LEADING,
            Role.FOLLOWING,
            Role.FOLLOWING,
        ]
        for value in ("queued", "running", "paused"):
            source.values.put_nowait(value)
            got = [await next_value(feed) for feed in feeds]
            assert {p.value for p in got} == {value}, value
        await until(lambda: source.calls == 4)  # the fourth poll waits for its value
        assert [hub.polls_made for hub in hubs] == [3, 0, 0]
        assert [o.pollers for o in observers] == [1, 0, 0]
        assert [o.following for o in observers] == [0, 1, 1]
        assert [o.subscriptions for o in observers] == [{"other": 10}] * 3
        source.values.put_nowait("the poll in flight")
    for hub in hubs:
        await hub.close()
    assert source.calls == 4
    assert [o.pollers for o in observers] == [0, 0, 0]
    assert [o.following for o in observers] == [0, 0, 0]


async def test_a_late_joiner_gets_the_last_result_from_redis_without_polling(
    states: Callable[..., SharedState],
) -> None:
    source = FakeSource()
    leader, late = hub_on(states(), interval=3600), hub_on(states(), interval=3600)
    async with leader.subscribe(spec_of(source.fetch)) as first:
        source.values.put_nowait("running")
        assert (await next_value(first)).value == "running"
        async with late.subscribe(spec_of(source.fetch)) as second:
            assert (await next_value(second)).value == "running"
            assert late.role("job-1") is Role.FOLLOWING
    assert (late.polls_made, leader.polls_made, source.calls) == (0, 1, 1)
    await leader.close()
    await late.close()


async def test_the_leader_leaving_hands_over_and_nobody_polls_once_everyone_left(
    states: Callable[..., SharedState],
) -> None:
    one, two = Counting("one"), Counting("two")
    state = states()
    first, second = hub_on(state), hub_on(states())
    leaving = first.subscribe(spec_of(one.fetch))
    await leaving.__aenter__()
    await until(lambda: first.role("job-1") is Role.LEADING, "leading")
    async with second.subscribe(spec_of(two.fetch)) as follower_feed:
        await until(lambda: second.role("job-1") is Role.FOLLOWING, "following")
        await until(lambda: one.calls >= 3)
        assert two.calls == 0
        await leaving.__aexit__(None, None, None)
        # the leader's last subscriber left: its lease is released, the follower leads
        await until(lambda: second.role("job-1") is Role.LEADING, "the follower leading")
        calls = one.calls
        seen = [(await next_value(follower_feed)).value for _ in range(20)]
        assert any(v is not None and v.startswith("two-") for v in seen)
        assert one.calls == calls  # the first replica polls no more
    await until(lambda: second.active_pollers == 0)
    lease = second.leases.names("job-1").lease
    assert await state.redis.exists(lease) == 0  # released: nobody leads, nobody polls
    calls = (one.calls, two.calls)
    await asyncio.sleep(10 * INTERVAL)
    assert (one.calls, two.calls) == calls
    await first.close()
    await second.close()


async def test_an_errored_poll_reaches_the_followers_as_the_same_error(
    states: Callable[..., SharedState],
) -> None:
    source = FakeSource()
    leader, follower = hub_on(states()), hub_on(states())
    error = UpstreamUnavailable(
        "the jobs store is unavailable (HTTP 503)",
        request=UpstreamRequest(Upstream.JOBSTORE, "GET", "/jobs/v1/bson/abc"),
        status=503,
    )
    async with leader.subscribe(spec_of(source.fetch)) as mine:
        await until(lambda: leader.role("job-1") is Role.LEADING)
        async with follower.subscribe(spec_of(source.fetch)) as theirs:
            await until(lambda: follower.role("job-1") is Role.FOLLOWING)
            source.values.put_nowait(error)
            assert (await next_value(mine)).error is error
            relayed = (await next_value(theirs)).error
            assert isinstance(relayed, RelayedUpstreamError)
            assert relayed.message == error.message
            assert relayed.extensions() == error.extensions()
            assert relayed.extensions()["code"] == "UPSTREAM_UNAVAILABLE"
            source.values.put_nowait("running")
            assert (await next_value(theirs)).value == "running"
    await leader.close()
    await follower.close()


async def test_a_final_value_ends_the_feeds_on_every_replica(
    states: Callable[..., SharedState],
) -> None:
    source = FakeSource()
    leader, follower = hub_on(states()), hub_on(states())
    async with AsyncExitStack() as stack:
        mine = await stack.enter_async_context(leader.subscribe(spec_of(source.fetch, "done")))
        await until(lambda: leader.role("job-1") is Role.LEADING)
        theirs = await stack.enter_async_context(follower.subscribe(spec_of(source.fetch, "done")))
        await until(lambda: follower.role("job-1") is Role.FOLLOWING)
        source.values.put_nowait("done")
        assert [p.value async for p in mine] == ["done"]
        assert [p.value async for p in theirs] == ["done"]
    await until(lambda: leader.active_pollers == 0)
    assert source.calls == 1
    await leader.close()
    await follower.close()


async def test_a_leader_cut_off_from_redis_polls_for_its_own_and_the_lease_moves(
    states: Callable[..., SharedState], proxy: RedisProxy
) -> None:
    cut, other = Counting("cut"), Counting("other")
    cut_state = states(proxy.url)
    cut_observer = SharedObserver()
    cut_hub, other_hub = hub_on(cut_state, cut_observer), hub_on(states())
    async with AsyncExitStack() as stack:
        cut_feed = await stack.enter_async_context(cut_hub.subscribe(spec_of(cut.fetch)))
        await until(lambda: cut_hub.role("job-1") is Role.LEADING, "the proxied hub leading")
        other_feed = await stack.enter_async_context(other_hub.subscribe(spec_of(other.fetch)))
        await until(lambda: other_hub.role("job-1") is Role.FOLLOWING)
        assert other.calls == 0

        proxy.stop()  # Redis unreachable for the leader only
        await until(lambda: cut_hub.role("job-1") is Role.LOCAL, "local polling")
        assert cut_state.down
        assert not cut_hub.shared_now
        assert cut_observer.pollers == 1  # it still polls, now for itself
        # its lease lapses unrenewed: the other replica leads within a lease
        await until(lambda: other_hub.role("job-1") is Role.LEADING, "the other leading")
        for feed, name in ((cut_feed, "cut"), (other_feed, "other")):
            values = [(await next_value(feed)).value for _ in range(30)]
            assert any(v is not None and v.startswith(f"{name}-") for v in values), values

        proxy.start()
        await until(lambda: cut_hub.role("job-1") is Role.FOLLOWING, "following again")
        assert cut_hub.shared_now
        assert not cut_state.down
        assert (cut_observer.pollers, cut_observer.following) == (0, 1)
        calls = cut.calls
        before = other.calls
        await until(lambda: other.calls >= before + 5)
        assert await follows(cut_feed, "other-")
        assert cut.calls == calls  # shared again: one poller for both
    await cut_hub.close()
    await other_hub.close()


async def test_a_redis_outage_for_everyone_polls_locally_and_shares_again_after(
    states: Callable[..., SharedState], proxy: RedisProxy
) -> None:
    sources = [Counting(f"r{i}") for i in range(3)]
    hubs = [hub_on(states(proxy.url)) for _ in range(3)]
    async with AsyncExitStack() as stack:
        feeds = [
            await stack.enter_async_context(hub.subscribe(spec_of(source.fetch)))
            for hub, source in zip(hubs, sources, strict=True)
        ]

        def roles() -> list[Role]:
            return sorted((hub.role("job-1") for hub in hubs), key=lambda r: r.value)

        await until(lambda: roles() == [Role.FOLLOWING, Role.FOLLOWING, Role.LEADING], "shared")
        proxy.stop()
        await until(lambda: roles() == [Role.LOCAL] * 3, "every replica polling locally")
        for feed, source in zip(feeds, sources, strict=True):
            # the stream goes on: values of this replica's own polls
            values = [(await next_value(feed)).value for _ in range(5)]
            assert any(v is not None and v.startswith(f"{source.name}-") for v in values)
        proxy.start()
        await until(lambda: roles() == [Role.FOLLOWING, Role.FOLLOWING, Role.LEADING], "again")
        counts = [s.calls for s in sources]
        leader = next(i for i, hub in enumerate(hubs) if hub.role("job-1") is Role.LEADING)
        await until(lambda: sources[leader].calls >= counts[leader] + 5)
        after = [s.calls - c for s, c in zip(sources, counts, strict=True)]
        assert [n for i, n in enumerate(after) if i != leader] == [0, 0]
    for hub in hubs:
        await hub.close()
