"""``createFlowJob`` claims in Redis: one create per ``clientJobId`` across every process.

:class:`RedisCreateClaims` implements :class:`gateway.create_claims.CreateClaims`
with redis-py's :class:`redis.asyncio.lock.Lock` (``SET NX PX`` with a
token; Lua compare-and-pexpire to extend; Lua compare-and-delete to release)
and a record of the job each finished create made or found. For one key
(``<prefix>creates:lock:<clientJobId>``):

1. **Record first.** ``GET creates:record:<clientJobId>``: a job recorded by
   an earlier create (any process) is answered at once, ``created: false``,
   with no upstream call.
2. **Claim.** Identical creates of one process first take turns on its own
   per-key lock (:class:`~gateway.keyed_locks.KeyedLocks`), so a burst of
   repeats costs Redis one claimant per process, not one per request. Then
   a fencing number (``INCR creates:fence``) and a random part make
   the claim's token (``<fence>:<hex>``); ``SET NX PX`` with the lease
   (``GATEWAY_CREATE_LOCK_LEASE_SECONDS``). A second caller tries again every
   :data:`WAIT_POLL` seconds, reading the record between tries (the holder
   writes it before letting go), for at most ``GATEWAY_CREATE_LOCK_WAIT_SECONDS``;
   then it goes on unclaimed: it may still find the job by the upstream
   lookup, but it may not POST (``CREATE_IN_PROGRESS``).
3. **Lease.** While the holder looks the key up, a renewal task resets the
   lease every third of it (compare-and-pexpire: only while the token is
   still ours). A holder that dies stops renewing and the key is free again
   within one lease.
4. **Check before the POST.** Right before the POST, the renewal stops and one
   compare-and-pexpire both proves the claim is still this create's (same
   token, so same fencing number) and stretches it over everything the POST
   and its settling may take (the request's deadline, plus a margin): from
   then on the claim outlives the create even if Redis becomes unreachable.
   A claim found lost (or not checkable) means no POST: ``CREATE_IN_PROGRESS``
   (or ``CREATE_UNAVAILABLE``), nothing sent.
5. **Record, then release.** The job made (or found, or settled after a lost
   answer) is recorded (``SET NX EX GATEWAY_CREATE_RECORD_SECONDS``: the first
   record stands), then the claim is released by compare-and-delete.

Redis down or slow while claiming: the create is refused with
``CREATE_UNAVAILABLE`` before anything is sent, counted and logged through
:meth:`~gateway.shared_state.SharedState.failed` (feature ``creates``). It
never falls back to an unprotected POST. Writing the record or releasing may
fail without harm: the job exists and is answered; the claim expires by
itself; the next repeat finds the job by the upstream lookup.

Why redis-py's lock rather than one of our own: it already does the token
handling and the three Lua scripts this needs, and it is the Redis project's
own client; its blocking ``acquire`` is not used, since a waiter here must also
read the record between tries (and answer from it without ever holding the
claim). The fencing number cannot be checked by the jobs store (it takes no
such token); it orders the claims, travels in the token that the
pre-POST compare checks, and is kept in the record and the logs, so an
operator can tell which claim made a job.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import orjson
from redis.asyncio.lock import Lock
from redis.exceptions import LockNotOwnedError

from gateway.create_claims import CreateClaim, CreateInProgress, CreateUnavailable
from gateway.keyed_locks import KeyedLocks
from gateway.shared_state.connection import RedisFailure, SharedState

Doc = dict[str, Any]

logger = logging.getLogger("gateway.create_claims")

FEATURE = "creates"
"""The feature name of this module's Redis failures (metrics label, log line)."""

WAIT_POLL = 0.05
"""Seconds between two tries of a waiting create (each try: one SET NX, one GET)."""

COVER_MARGIN = 2.0
"""Seconds the pre-POST check adds to the time the POST and its settling may take."""

UNAVAILABLE = (
    "createFlowJob is unavailable: the gateway could not reach the shared state that "
    "keeps two identical creates from both happening. Nothing was sent to the jobs store; "
    "retry with the same clientJobId."
)


class RedisCreateClaims:
    """Claims on ``clientJobId`` s held in Redis (see the module docstring)."""

    def __init__(
        self,
        shared: SharedState,
        *,
        lease: float,
        wait: float,
        record_seconds: int,
        poll: float = WAIT_POLL,
    ) -> None:
        self.shared = shared
        self.lease = lease
        self.wait = wait
        self.record_seconds = record_seconds
        self.poll = poll
        self.local = KeyedLocks()
        """This process's turn per key, taken before the Redis claim."""

    def lock_key(self, client_job_id: str) -> str:
        """The key of the claim's lock."""
        return self.shared.key("creates", "lock", client_job_id)

    def record_key(self, client_job_id: str) -> str:
        """The key of the record ``clientJobId -> job``."""
        return self.shared.key("creates", "record", client_job_id)

    @asynccontextmanager
    async def claim(self, client_job_id: str) -> AsyncIterator[CreateClaim]:
        """Hold the claim (or answer the record) for the body; released after it.

        Identical creates of this process first queue on its own per-key lock
        (no Redis traffic while they wait), so one of them at a time talks to
        Redis; the wait for both together is bounded by ``wait``.
        """
        loop = asyncio.get_running_loop()
        give_up_at = loop.time() + self.wait
        async with AsyncExitStack() as local_turn:
            try:
                async with asyncio.timeout_at(give_up_at):
                    await local_turn.enter_async_context(self.local.hold(client_job_id))
            except TimeoutError:
                may_lock = False  # waited out behind this process's own holder
            else:
                may_lock = True
            claim = await self._take(client_job_id, give_up_at, may_lock=may_lock)
            try:
                yield claim
            finally:
                await claim.release()

    async def _take(self, client_job_id: str, give_up_at: float, *, may_lock: bool) -> RedisClaim:
        """Read the record, then claim the key, trying until ``give_up_at``."""
        redis = self.shared.redis
        loop = asyncio.get_running_loop()
        try:
            recorded = await self._recorded(client_job_id)
            if recorded is not None or not may_lock:
                self.shared.succeeded()
                return RedisClaim(self, client_job_id, recorded=recorded)
            fence = int(await redis.incr(self.shared.key("creates", "fence")))
            token = f"{fence}:{uuid.uuid4().hex}"
            lock = Lock(
                redis,
                self.lock_key(client_job_id),
                timeout=self.lease,
                thread_local=False,
                raise_on_release_error=False,
            )
            while not await lock.acquire(blocking=False, token=token):
                recorded = await self._recorded(client_job_id)
                if recorded is not None:
                    self.shared.succeeded()
                    return RedisClaim(self, client_job_id, recorded=recorded)
                if loop.time() >= give_up_at:
                    self.shared.succeeded()
                    logger.info(
                        "create claim for %s still held by another request after %.1f s",
                        client_job_id,
                        self.wait,
                    )
                    return RedisClaim(self, client_job_id)
                await asyncio.sleep(self.poll)
        except RedisFailure as error:
            self.shared.failed(FEATURE, error)
            raise CreateUnavailable(UNAVAILABLE, client_job_id=client_job_id) from None
        try:
            # the holder before us may have recorded its job just before letting go
            recorded = await self._recorded(client_job_id)
        except RedisFailure as error:
            self.shared.failed(FEATURE, error)
            await RedisClaim(self, client_job_id, lock=lock, fence=fence).release()
            raise CreateUnavailable(UNAVAILABLE, client_job_id=client_job_id) from None
        self.shared.succeeded()
        claim = RedisClaim(self, client_job_id, recorded=recorded, lock=lock, fence=fence)
        if recorded is None:
            claim.start_renewing()
        return claim

    async def _recorded(self, client_job_id: str) -> Doc | None:
        """The job recorded for the key, or None (raises the Redis failures)."""
        raw = await self.shared.redis.get(self.record_key(client_job_id))
        if raw is None:
            return None
        try:
            record = orjson.loads(raw)
        except orjson.JSONDecodeError:
            record = None
        doc = record.get("doc") if isinstance(record, dict) else None
        if not isinstance(doc, dict) or record.get("clientJobId") != client_job_id:
            logger.warning("ignoring a create record for %s that is not one", client_job_id)
            return None
        return doc

    async def write_record(self, client_job_id: str, doc: Doc, fence: int | None) -> None:
        """Record the job of the key (first record stands); a failure is only reported."""
        job_id = doc.get("jobId")
        if not isinstance(job_id, str) or not job_id:
            return  # nothing to answer a repeat with: it will look the key up
        value = orjson.dumps(
            {"clientJobId": client_job_id, "jobId": job_id, "fence": fence, "doc": doc}
        )
        try:
            await self.shared.redis.set(
                self.record_key(client_job_id), value, ex=self.record_seconds, nx=True
            )
        except RedisFailure as error:
            self.shared.failed(FEATURE, error)
            return
        self.shared.succeeded()


class RedisClaim:
    """One create's hold on one key: held (with a lock), answered from the record, or neither."""

    def __init__(
        self,
        claims: RedisCreateClaims,
        client_job_id: str,
        *,
        recorded: Doc | None = None,
        lock: Lock | None = None,
        fence: int | None = None,
    ) -> None:
        self.claims = claims
        self.client_job_id = client_job_id
        self.recorded = recorded
        self.lock = lock
        self.fence = fence
        self._stop_renewing = asyncio.Event()
        self._renewal: asyncio.Task[None] | None = None

    def start_renewing(self) -> None:
        """Reset the lease every third of it until :meth:`confirm` or :meth:`release`."""
        self._renewal = asyncio.create_task(self._renew())

    async def _renew(self) -> None:
        assert self.lock is not None
        interval = self.claims.lease / 3
        shared = self.claims.shared
        while True:
            try:
                await asyncio.wait_for(self._stop_renewing.wait(), timeout=interval)
                return
            except TimeoutError:
                pass
            try:
                await self.lock.reacquire()  # compare-and-pexpire to the full lease
            except LockNotOwnedError:
                logger.warning(
                    "create claim %s for %s lost while looking it up",
                    self.fence,
                    self.client_job_id,
                )
                return
            except RedisFailure as error:
                shared.failed(FEATURE, error)  # tried again next time; the check decides
            else:
                shared.succeeded()

    async def _end_renewal(self) -> None:
        """Stop renewing and wait for a renewal in flight (it must not shorten the cover)."""
        self._stop_renewing.set()
        if self._renewal is not None:
            await asyncio.wait([self._renewal])
            self._renewal = None

    async def confirm(self, cover: float) -> None:
        """Prove the claim is still ours and stretch it over ``cover`` seconds, or refuse."""
        if self.lock is None:
            raise CreateInProgress(
                f"another request is creating the job with clientJobId {self.client_job_id} "
                f"and did not finish within {self.claims.wait:g} s; nothing was sent. Retry "
                "with the same clientJobId: the job it makes will be answered.",
                client_job_id=self.client_job_id,
            )
        await self._end_renewal()
        shared = self.claims.shared
        try:
            await self.lock.extend(max(cover + COVER_MARGIN, self.claims.lease), replace_ttl=True)
        except LockNotOwnedError:
            logger.warning(
                "create claim %s for %s expired before its POST; not sent",
                self.fence,
                self.client_job_id,
            )
            raise CreateInProgress(
                f"this create's claim on clientJobId {self.client_job_id} expired before it was "
                "sent, and another request may be creating it; nothing was sent. Retry with "
                "the same clientJobId.",
                client_job_id=self.client_job_id,
            ) from None
        except RedisFailure as error:
            shared.failed(FEATURE, error)
            raise CreateUnavailable(UNAVAILABLE, client_job_id=self.client_job_id) from None
        shared.succeeded()

    async def record(self, doc: Doc) -> None:
        """Record the job for the repeats to come (a failure is reported, not raised)."""
        await self.claims.write_record(self.client_job_id, doc, self.fence)

    async def release(self) -> None:
        """Stop renewing and let the key go (compare-and-delete); failures only reported."""
        await self._end_renewal()
        if self.lock is None:
            return
        shared = self.claims.shared
        try:
            await self.lock.release()
        except LockNotOwnedError:
            logger.warning(
                "create claim %s for %s had expired when released", self.fence, self.client_job_id
            )
        except RedisFailure as error:
            shared.failed(FEATURE, error)  # the lease ends it
        else:
            shared.succeeded()
