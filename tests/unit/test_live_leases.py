"""Poll leases against the real Redis, short leases: who leads, renewals, fencing, lapses."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio

from gateway.config import RedisSettings
from gateway.live.leases import PollLeases, Result
from gateway.shared_state import SharedState, open_shared_state


@pytest.fixture
async def shared(redis_url: str, redis_prefix: str) -> AsyncIterator[SharedState]:
    state = open_shared_state(RedisSettings(url=redis_url, key_prefix=redis_prefix))
    assert state is not None
    yield state
    await state.aclose()


async def test_one_token_holds_a_lease_renews_it_and_releases_it(shared: SharedState) -> None:
    a = PollLeases(shared, "replica-a", lease_seconds=5)
    b = PollLeases(shared, "replica-b", lease_seconds=5)
    names = a.names("poll-1")
    assert names == b.names("poll-1")
    assert names.lease.startswith(shared.prefix)
    assert "{poll-1}" in names.lease  # one hash slot for the poll's keys

    assert (await a.take(names)).held
    assert (await a.take(names)).held  # its own lease counts as taken
    assert not (await b.take(names)).held
    assert await a.renew(names)
    assert not await b.renew(names)
    assert 4000 < await shared.redis.pttl(names.lease) <= 5000
    assert not await b.release(names)  # not the holder: nothing happens
    assert await shared.redis.get(names.lease) == b"replica-a"
    assert await a.release(names)
    assert await shared.redis.get(names.lease) is None
    assert (await b.take(names)).held
    assert not await a.renew(names)


async def test_publication_is_fenced_numbered_kept_and_sent(
    shared: SharedState, redis_url: str
) -> None:
    a = PollLeases(shared, "replica-a", lease_seconds=5)
    b = PollLeases(shared, "replica-b", lease_seconds=5)
    names = a.names("poll-2")
    listener = redis.asyncio.Redis.from_url(redis_url)
    pubsub = listener.pubsub(ignore_subscribe_messages=True)
    try:
        await pubsub.subscribe(names.channel)
        assert (await a.take(names)).held
        assert await a.publish(names, b'{"value":"one"}') == 1
        assert await b.publish(names, b'{"value":"not the leader"}') == 0
        assert await a.publish(names, b'{"value":"two"}') == 2
        received = []
        for _ in range(10):  # the subscription's confirmation reads as None
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=2)
            if message is not None:
                received.append(message["data"])
            if len(received) == 2:
                break
        assert received == [b'1 {"value":"one"}', b'2 {"value":"two"}']
        claim = await b.take(names, want_last=True)
        assert not claim.held
        assert claim.last == Result(2, b'{"value":"two"}')
        # the last result outlives the lease a few times, no longer
        assert 5000 < await shared.redis.pttl(names.last) <= 15000
    finally:
        await pubsub.aclose()  # type: ignore[no-untyped-call]
        await listener.aclose()


async def test_a_lease_not_renewed_lapses_and_another_replica_takes_it(
    shared: SharedState,
) -> None:
    dying = PollLeases(shared, "replica-dying", lease_seconds=0.3)
    other = PollLeases(shared, "replica-other", lease_seconds=0.3)
    names = dying.names("poll-3")
    assert (await dying.take(names)).held
    tries = 0
    while not (await other.take(names)).held:
        tries += 1
        assert tries < 200, "the lease never lapsed"
        await asyncio.sleep(0.05)
    assert tries >= 1  # it was held until it lapsed
    assert not await dying.renew(names)
    assert await dying.publish(names, b"{}") == 0  # a leader that lost its lease is fenced off
    assert await shared.redis.get(names.last) is None


def test_results_parse() -> None:
    assert Result.parse(b'12 {"value":1}') == Result(12, b'{"value":1}')
    assert Result.parse(b"garbage") is None
