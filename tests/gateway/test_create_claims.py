"""``clientJobId`` claims in Redis (gateway.shared_state.create_claims), on the real Redis.

The gateway and the jobs store stay out of it: what is checked is the claim
itself (who holds it, what waits, what is refused) and the record.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from gateway.app import create_claims
from gateway.config import ConfigError, load_settings
from gateway.create_claims import (
    CreateInProgress,
    CreateUnavailable,
    LocalCreateClaims,
)
from gateway.observability.metrics import GatewayMetrics
from gateway.shared_state import SharedState, open_shared_state
from gateway.shared_state.create_claims import RedisCreateClaims
from tests.conftest import complete_env
from tests.redis_proxy import RedisProxy

DOC = {"jobId": "6b0f7956ca936756133da075", "metadata": {"jobTitle": "Claimed"}}


def _shared(url: str, prefix: str, metrics: GatewayMetrics | None = None) -> SharedState:
    settings = load_settings(complete_env(GATEWAY_REDIS_URL=url, GATEWAY_REDIS_KEY_PREFIX=prefix))
    shared = open_shared_state(settings.redis, observer=metrics)
    assert shared is not None
    return shared


@pytest.fixture
async def shared(redis_url: str, redis_prefix: str) -> AsyncIterator[SharedState]:
    state = _shared(redis_url, redis_prefix)
    yield state
    await state.aclose()


def _claims(shared: SharedState, *, lease: float = 5.0, wait: float = 5.0) -> RedisCreateClaims:
    return RedisCreateClaims(shared, lease=lease, wait=wait, record_seconds=60)


def _cid() -> str:
    return str(uuid.uuid4())


async def test_a_claim_is_held_then_recorded_and_released(shared: SharedState) -> None:
    claims = _claims(shared)
    cid = _cid()
    async with claims.claim(cid) as claim:
        assert claim.recorded is None
        token = await shared.redis.get(claims.lock_key(cid))
        assert token is not None
        fence, _, random_part = token.decode().partition(":")
        assert int(fence) >= 1
        assert len(random_part) == 32
        await claim.confirm(10.0)
        assert await shared.redis.pttl(claims.lock_key(cid)) > 10_000  # stretched over the POST
        await claim.record(DOC)
    assert await shared.redis.exists(claims.lock_key(cid)) == 0  # released
    assert 0 < await shared.redis.ttl(claims.record_key(cid)) <= 60
    async with claims.claim(cid) as again:  # a repeat: answered from the record, no lock taken
        assert again.recorded == DOC
        assert await shared.redis.exists(claims.lock_key(cid)) == 0


async def test_fencing_numbers_grow_claim_after_claim(shared: SharedState) -> None:
    claims = _claims(shared)
    fences = []
    for _ in range(3):
        cid = _cid()
        async with claims.claim(cid):
            token = await shared.redis.get(claims.lock_key(cid))
            assert token is not None
            fences.append(int(token.decode().partition(":")[0]))
    assert fences == sorted(fences)
    assert len(set(fences)) == 3


async def test_a_second_claimant_waits_then_answers_from_the_record(
    redis_url: str, redis_prefix: str
) -> None:
    # two SharedStates: two processes' clients, one Redis
    first_state, second_state = _shared(redis_url, redis_prefix), _shared(redis_url, redis_prefix)
    first, second = _claims(first_state), _claims(second_state)
    cid = _cid()
    holding = asyncio.Event()
    finish = asyncio.Event()
    order: list[str] = []

    async def holder() -> None:
        async with first.claim(cid) as claim:
            holding.set()
            await finish.wait()
            await claim.confirm(5.0)
            await claim.record(DOC)
            order.append("recorded")

    async def repeat() -> None:
        await holding.wait()
        async with second.claim(cid) as claim:
            order.append("answered")
            assert claim.recorded == DOC

    try:
        tasks = [asyncio.create_task(holder()), asyncio.create_task(repeat())]
        await holding.wait()
        await asyncio.sleep(0.2)  # the repeat is waiting meanwhile
        assert order == []
        finish.set()
        await asyncio.gather(*tasks)
        assert order == ["recorded", "answered"]
    finally:
        await first_state.aclose()
        await second_state.aclose()


async def test_a_waiter_gives_up_after_the_bound_and_may_not_post(shared: SharedState) -> None:
    holder, waiter = _claims(shared), _claims(shared, wait=0.2)
    cid = _cid()
    async with holder.claim(cid), waiter.claim(cid) as claim:
        assert claim.recorded is None
        with pytest.raises(CreateInProgress) as refused:
            await claim.confirm(5.0)
    assert refused.value.extensions() == {
        "code": "CREATE_IN_PROGRESS",
        "clientJobId": cid,
        "retryable": True,
    }
    assert "nothing was sent" in refused.value.message


async def test_a_waiter_behind_its_own_process_is_bounded_too(shared: SharedState) -> None:
    claims = _claims(shared, wait=0.2)  # one process: the waiter queues on its local turn
    cid = _cid()
    async with claims.claim(cid), claims.claim(cid) as claim:
        assert claim.recorded is None
        with pytest.raises(CreateInProgress):
            await claim.confirm(5.0)
    assert len(claims.local) == 0


async def test_the_lease_is_renewed_while_the_create_works(shared: SharedState) -> None:
    claims = _claims(shared, lease=0.3)
    cid = _cid()
    async with claims.claim(cid) as claim:
        await asyncio.sleep(1.0)  # three leases: kept alive by the renewal
        assert await shared.redis.exists(claims.lock_key(cid)) == 1
        await claim.confirm(5.0)


async def test_a_claim_taken_over_is_not_confirmed(shared: SharedState) -> None:
    claims = _claims(shared)
    cid = _cid()
    async with claims.claim(cid) as claim:
        # as if the lease had run out and another process had claimed the key
        await shared.redis.set(claims.lock_key(cid), b"999999:someone-else", px=5000)
        with pytest.raises(CreateInProgress) as refused:
            await claim.confirm(5.0)
        assert "expired before it was sent" in refused.value.message
    # the other claimant's lock is left alone by our release (compare-and-delete)
    assert await shared.redis.get(claims.lock_key(cid)) == b"999999:someone-else"


async def test_a_crashed_holder_frees_the_key_within_one_lease(shared: SharedState) -> None:
    claims = _claims(shared, lease=0.3)
    cid = _cid()
    # a holder that stopped renewing (its process died): only its SET NX PX remains
    await shared.redis.set(claims.lock_key(cid), b"1:dead", nx=True, px=300)
    async with _claims(shared, wait=5.0).claim(cid) as claim:
        await claim.confirm(5.0)  # taken once the dead holder's lease ran out
        assert await shared.redis.get(claims.lock_key(cid)) != b"1:dead"


async def test_redis_refusing_connections_refuses_the_create(
    caplog: pytest.LogCaptureFixture,
) -> None:
    metrics = GatewayMetrics()
    state = _shared("redis://127.0.0.1:9/0", "nowhere:", metrics)
    try:
        with pytest.raises(CreateUnavailable) as refused:
            async with _claims(state).claim(_cid()):
                raise AssertionError("must not be reached: no claim without Redis")
    finally:
        await state.aclose()
    assert refused.value.code == "CREATE_UNAVAILABLE"
    assert refused.value.extensions()["retryable"] is True
    assert "Nothing was sent" in refused.value.message
    failures = metrics.registry.get_sample_value(
        "gateway_redis_failures_total", {"feature": "creates"}
    )
    assert failures == 1
    assert "redis unavailable for creates" in caplog.text


async def test_a_stalled_redis_refuses_the_create_and_a_cut_one_fails_the_check(
    redis_url: str, redis_prefix: str
) -> None:
    with RedisProxy.to(redis_url) as proxy:
        state = _shared(proxy.url, redis_prefix)
        claims = _claims(state)
        try:
            proxy.stall()
            with pytest.raises(CreateUnavailable):
                async with claims.claim(_cid()):
                    raise AssertionError("must not be reached")
            proxy.resume()

            cid = _cid()
            async with claims.claim(cid) as claim:
                proxy.stop()  # Redis goes away between the lookup and the POST
                with pytest.raises(CreateUnavailable):
                    await claim.confirm(5.0)
            proxy.start()
            # the claim left behind ends with its lease; the record was never written
            direct = aioredis.Redis.from_url(redis_url)
            try:
                assert await direct.exists(claims.record_key(cid)) == 0
            finally:
                await direct.aclose()
        finally:
            await state.aclose()


async def test_local_claims_serialise_one_key_and_record_nothing() -> None:
    claims = LocalCreateClaims()
    inside = 0
    peak = 0

    async def work() -> None:
        nonlocal inside, peak
        async with claims.claim("k") as claim:
            assert claim.recorded is None
            inside += 1
            peak = max(peak, inside)
            await claim.confirm(1.0)
            await asyncio.sleep(0.01)
            await claim.record(DOC)
            inside -= 1

    await asyncio.gather(work(), work(), work())
    assert peak == 1
    assert len(claims.locks) == 0
    async with claims.claim("k") as claim:
        assert claim.recorded is None


def test_the_create_claim_settings_are_read_with_redis() -> None:
    defaults = load_settings(complete_env(GATEWAY_REDIS_URL="redis://cache:6379/0")).redis
    assert defaults is not None
    assert (defaults.create_lease, defaults.create_wait) == (5.0, 10.0)
    assert defaults.create_record_seconds == 86_400
    given = load_settings(
        complete_env(
            GATEWAY_REDIS_URL="redis://cache:6379/0",
            GATEWAY_CREATE_LOCK_LEASE_SECONDS="2.5",
            GATEWAY_CREATE_LOCK_WAIT_SECONDS="0",
            GATEWAY_CREATE_RECORD_SECONDS="3600",
        )
    ).redis
    assert given is not None
    assert (given.create_lease, given.create_wait, given.create_record_seconds) == (2.5, 0, 3600)
    with pytest.raises(ConfigError, match="GATEWAY_CREATE_LOCK_LEASE_SECONDS"):
        load_settings(
            complete_env(
                GATEWAY_REDIS_URL="redis://cache:6379/0", GATEWAY_CREATE_LOCK_LEASE_SECONDS="0"
            )
        )


async def test_the_app_claims_in_redis_only_with_a_redis_url(redis_url: str) -> None:
    assert isinstance(create_claims(None, load_settings(complete_env())), LocalCreateClaims)
    settings = load_settings(
        complete_env(GATEWAY_REDIS_URL=redis_url, GATEWAY_CREATE_LOCK_WAIT_SECONDS="3")
    )
    state = open_shared_state(settings.redis)
    assert state is not None
    try:
        claims = create_claims(state, settings)
        assert isinstance(claims, RedisCreateClaims)
        assert (claims.lease, claims.wait, claims.record_seconds) == (5.0, 3.0, 86_400)
    finally:
        await state.aclose()
