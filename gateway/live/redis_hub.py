"""Pollers shared across gateway replicas through Redis: one replica polls, every one streams.

:class:`RedisPollHub` is the :class:`~gateway.live.hub.PollHub` of a gateway
with ``GATEWAY_REDIS_URL``. For each poll (a :class:`~gateway.live.hub.PollSpec`
with a :class:`~gateway.live.wire.PollWire`) that has subscribers on this
replica, one task ticks every poll interval:

- **Leading.** The replica whose token holds the poll's lease
  (:mod:`gateway.live.leases`) renews it, polls the upstream, hands the
  outcome to its own subscribers and publishes it (fenced: only while it
  still holds the lease) on the poll's channel, with a number.
- **Following.** Any other replica with subscribers of the poll tries to take
  the lease each tick (``SET NX PX``), so that somebody leads while anybody
  watches: a leader that died stops renewing, its lease lapses, and a
  follower leads from its next tick (within one lease and one interval).
  Meanwhile the follower's subscribers get the leader's outcomes from the
  channel; a follower that joins late, or heard nothing during a tick, also
  reads the last result kept in Redis. Results are numbered, so an older one
  never follows a newer one.
- **Local.** While Redis fails (down, slow, refusing), every replica polls for
  its own subscribers exactly as :class:`~gateway.live.hub.LocalPollHub`
  does, and says so (:meth:`SharedState.failed <gateway.shared_state.SharedState.failed>`:
  a log line and ``gateway_redis_failures_total{feature="subscriptions"}``);
  it tries Redis again every ``retry_seconds`` and, once Redis answers,
  leads or follows again. Subscribers see no gap caused by Redis itself.

When a replica's last subscriber of a poll leaves, it stops (after the poll in
flight), gives up its lease and unsubscribes: another replica with
subscribers leads from its next tick; with none left anywhere, nobody polls.
A final outcome (a finished job) ends the poll on every replica.

The process keeps one pub/sub connection (``redis.asyncio`` ``PubSub``) for
every channel it listens to, read by one task. Polls without a wire are
polled in this process only (a :class:`~gateway.live.hub.LocalPollHub`).

Metrics: ``gateway_live_pollers`` counts the polls this replica makes now
(leading, or local during an outage), ``gateway_live_following`` those it
follows; ``gateway_live_polls_total`` counts this replica's upstream reads.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Generic, TypeVar

from redis.asyncio.client import PubSub

from gateway.live.hub import (
    Audience,
    LocalPollHub,
    Polled,
    PollSpec,
    SharedPollObserver,
    Subscriptions,
    ended_feed,
    poll_outcome,
)
from gateway.live.leases import PollLeases, PollNames, Result
from gateway.live.wire import PollWire, decode_error, encode_error
from gateway.shared_state import RedisFailure, SharedState

logger = logging.getLogger("gateway.live")

T = TypeVar("T")

FEATURE = "subscriptions"
"""The feature name of this hub's Redis failures (metrics label, log)."""

FAILURES = (*RedisFailure, RuntimeError)
"""What a Redis call of this hub may raise when Redis fails. ``RuntimeError``: redis-py's
pub/sub connection, cut while its reader waits, reconnects on a write and then
reads beside that reader (asyncio refuses two readers of one stream); the
connection is dropped and made anew, as after any failure."""

READ_WAIT = 1.0
"""Seconds one read of the pub/sub connection waits for a message before it reads again."""


class Role(Enum):
    """What this replica does for one poll during one tick."""

    IDLE = "idle"
    LEADING = "leading"
    FOLLOWING = "following"
    LOCAL = "local"

    @property
    def polls(self) -> bool:
        """Whether this replica reads the upstream in this role."""
        return self in (Role.LEADING, Role.LOCAL)


def encode_polled(wire: PollWire[T], polled: Polled[T]) -> bytes:
    """A poll outcome as the JSON that travels between replicas."""
    if polled.error is not None:
        data: dict[str, Any] = {"error": encode_error(polled.error)}
    else:
        data = {"value": wire.encode(polled.value)}  # type: ignore[arg-type]
    return json.dumps(data, separators=(",", ":"), allow_nan=False).encode()


def decode_polled(wire: PollWire[T], body: bytes) -> Polled[T]:
    """The outcome :func:`encode_polled` encoded, rebuilt."""
    data = json.loads(body)
    if "error" in data:
        return Polled(error=decode_error(data["error"]))
    return Polled(value=wire.decode(data["value"]))


@dataclass(eq=False)
class _SharedPoll(Generic[T]):
    spec: PollSpec[T]
    wire: PollWire[T]
    names: PollNames
    audience: Audience[T] = field(default_factory=Audience)
    seq: int = 0
    """The number of the latest shared result taken in (0: none since joining or an outage)."""
    heard: bool = False
    """A result came on the channel since the last tick."""
    listening: bool = False
    """The poll's channel is subscribed on this process's pub/sub connection."""
    held: bool = False
    """This replica's token holds the lease, as far as it knows."""
    finished: bool = False
    """A final outcome ended the poll: its lease is left to lapse rather than released, so
    that no follower polls a finished job again before it has heard the final outcome."""
    role: Role = Role.IDLE
    task: asyncio.Task[None] | None = None
    stopping: asyncio.Event = field(default_factory=asyncio.Event)


class RedisPollHub:
    """A :class:`~gateway.live.hub.PollHub` whose polls are shared through Redis (see above)."""

    def __init__(
        self,
        shared: SharedState,
        interval: float,
        lease_seconds: float,
        observer: SharedPollObserver | None = None,
        *,
        retry_seconds: float | None = None,
    ) -> None:
        self.shared = shared
        self.interval = interval
        self.observer = observer
        self.token = uuid.uuid4().hex
        self.leases = PollLeases(shared, self.token, lease_seconds)
        self.retry_seconds = retry_seconds if retry_seconds is not None else max(interval, 1.0)
        """Seconds between two tries of a Redis that failed (each tick polls locally meanwhile)."""
        self._local = LocalPollHub(interval, observer)
        self._polls: dict[str, _SharedPoll[Any]] = {}
        self._running: set[_SharedPoll[Any]] = set()
        """Polls whose task has not ended (a stopped one may finish its poll in flight)."""
        self._channels: dict[bytes, _SharedPoll[Any]] = {}
        self._pubsub: PubSub | None = None
        self._reader: asyncio.Task[None] | None = None
        self._pubsub_lock = asyncio.Lock()
        self._closing: set[asyncio.Task[None]] = set()
        self._up = True
        self._retry_at = 0.0
        self._closed = False
        self._subscriptions = Subscriptions(observer)
        self._polling = 0
        self.polls_made = 0
        """Upstream polls this replica made, every poll together."""

    @property
    def active_pollers(self) -> int:
        return self._polling + self._local.active_pollers

    @property
    def active_subscriptions(self) -> int:
        return self._subscriptions.count + self._local.active_subscriptions

    @property
    def shared_now(self) -> bool:
        """Whether polls are shared now (False during a Redis outage)."""
        return self._up

    def role(self, name: str) -> Role:
        """This replica's role for the poll named ``name`` (tests, diagnostics)."""
        poll = self._polls.get(name)
        return poll.role if poll is not None else Role.IDLE

    @contextlib.asynccontextmanager
    async def subscribe(
        self, spec: PollSpec[T], *, transport: str = "other"
    ) -> AsyncIterator[AsyncIterator[Polled[T]]]:
        wire = spec.wire
        if wire is None:
            async with self._local.subscribe(spec, transport=transport) as local_feed:
                yield local_feed
            return
        if self._closed:
            yield ended_feed()
            return
        poll: _SharedPoll[T] = self._polls.get(wire.name) or self._start(spec, wire)
        mailbox = poll.audience.join()
        try:
            with self._subscriptions.held(transport):
                yield mailbox.feed()
        finally:
            if poll.audience.leave(mailbox) and self._polls.get(wire.name) is poll:
                self._stop(poll)

    async def close(self, drain: float = 0.0) -> None:
        self._closed = True
        polls = list(self._running)
        for poll in polls:
            self._stop(poll, now=True)
        for poll in polls:
            if poll.task is not None:
                with contextlib.suppress(asyncio.CancelledError):
                    await poll.task
        for poll in polls:  # hand the leases over at once rather than after a lease
            await self._leave(poll)
        pubsub = self._detach_pubsub()
        if pubsub is not None:
            await self._close_quietly(pubsub)
        await self._local.close()
        for task in list(self._closing):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if drain > 0:
            await self._subscriptions.all_left(drain)
            await self._local.close(drain)

    # one poll's ticks

    async def _run(self, poll: _SharedPoll[T]) -> None:
        try:
            try:
                await self._tick_until_stopped(poll)
            finally:
                self._set_role(poll, Role.IDLE)
            await self._leave(poll)
        finally:
            self._running.discard(poll)

    async def _tick_until_stopped(self, poll: _SharedPoll[T]) -> None:
        loop = asyncio.get_running_loop()
        while not poll.stopping.is_set():
            started = loop.time()
            role = await self._claim(poll)
            if poll.stopping.is_set():  # a final result came while claiming
                return
            self._set_role(poll, role)
            if role.polls:
                polled = await self._poll_once(poll)
                poll.audience.deliver(polled)
                if role is Role.LEADING:
                    await self._publish(poll, polled)
                if self._final(poll, polled):
                    poll.finished = True
                    self._stop(poll)
                    return
            wait = max(0.0, started + self.interval - loop.time())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(poll.stopping.wait(), wait)

    async def _claim(self, poll: _SharedPoll[T]) -> Role:
        """Lead, follow, or (Redis failing) poll locally for this tick."""
        if not self._up and asyncio.get_running_loop().time() < self._retry_at:
            return Role.LOCAL
        try:
            if not poll.listening:
                await self._listen(poll)
            if poll.held:
                poll.held = await self.leases.renew(poll.names)
            if not poll.held:
                want_last = poll.audience.latest is None or (poll.seq > 0 and not poll.heard)
                claim = await self.leases.take(poll.names, want_last=want_last)
                poll.held = claim.held
                if claim.last is not None and not claim.held:
                    self._take_in(poll, claim.last)
        except FAILURES as error:
            self._went_down(error)
            return Role.LOCAL
        self._came_up()
        poll.heard = False
        return Role.LEADING if poll.held else Role.FOLLOWING

    async def _poll_once(self, poll: _SharedPoll[T]) -> Polled[T]:
        polled = await poll_outcome(poll.spec, self.observer)
        self.polls_made += 1
        return polled

    async def _publish(self, poll: _SharedPoll[T], polled: Polled[T]) -> None:
        try:
            body = encode_polled(poll.wire, polled)
        except (TypeError, ValueError):
            logger.exception("a poll outcome could not be encoded: not shared with other replicas")
            return
        try:
            seq = await self.leases.publish(poll.names, body)
        except FAILURES as error:
            self._went_down(error)
            return
        if seq:
            poll.seq = max(poll.seq, seq)
        else:  # the lease lapsed (this replica stalled past it): follow from the next tick
            poll.held = False

    @staticmethod
    def _final(poll: _SharedPoll[T], polled: Polled[T]) -> bool:
        return polled.error is None and poll.spec.final(polled.value)  # type: ignore[arg-type]

    def _take_in(self, poll: _SharedPoll[T], result: Result) -> None:
        """A result another replica published (on the channel, or kept as the last one)."""
        poll.heard = True
        if result.seq <= poll.seq or poll.stopping.is_set():
            return
        poll.seq = result.seq
        if poll.role is Role.LEADING:  # its own publication coming back
            return
        try:
            polled = decode_polled(poll.wire, result.body)
        except Exception:  # a result this version cannot read: wait for the next one
            logger.exception("a shared poll result could not be read")
            return
        poll.audience.deliver(polled)
        if self._final(poll, polled):
            self._stop(poll)

    def _start(self, spec: PollSpec[T], wire: PollWire[T]) -> _SharedPoll[T]:
        poll = self._polls[wire.name] = _SharedPoll(spec, wire, self.leases.names(wire.name))
        self._running.add(poll)
        poll.task = asyncio.create_task(self._run(poll), name=f"shared poll {wire.name:.40}")
        return poll

    def _stop(self, poll: _SharedPoll[Any], *, now: bool = False) -> None:
        """Forget the poll and end its subscribers' feeds (its task ends after its poll)."""
        if self._polls.get(poll.wire.name) is poll:
            del self._polls[poll.wire.name]
        poll.stopping.set()
        if now and poll.task is not None and poll.task is not asyncio.current_task():
            poll.task.cancel()
        poll.audience.end()

    async def _leave(self, poll: _SharedPoll[Any]) -> None:
        """Give the lease up and stop listening (when Redis answers; else the lease lapses)."""
        if not self._up or not ((poll.held and not poll.finished) or poll.listening):
            return
        try:
            if poll.held and not poll.finished:
                await self.leases.release(poll.names)
                poll.held = False
            if poll.listening:
                await self._unlisten(poll)
        except FAILURES as error:
            self._went_down(error)

    # the pub/sub connection

    async def _listen(self, poll: _SharedPoll[Any]) -> None:
        channel = poll.names.channel.encode()
        async with self._pubsub_lock:
            if self._pubsub is None:
                self._pubsub = self.shared.redis.pubsub(ignore_subscribe_messages=True)
            pubsub = self._pubsub
            self._channels[channel] = poll
            await pubsub.subscribe(channel)
            poll.listening = True
            if self._reader is None:
                self._reader = asyncio.create_task(self._read(pubsub), name="shared poll results")

    async def _unlisten(self, poll: _SharedPoll[Any]) -> None:
        channel = poll.names.channel.encode()
        async with self._pubsub_lock:
            poll.listening = False
            if self._channels.get(channel) is not poll:
                return  # a new poll of the same name listens on it now
            del self._channels[channel]
            if self._pubsub is not None:
                await self._pubsub.unsubscribe(channel)

    async def _read(self, pubsub: PubSub) -> None:
        """Hand each message on the channels to its poll, until the connection fails."""
        while True:
            try:
                message = await pubsub.get_message(
                    ignore_subscribe_messages=True, timeout=READ_WAIT
                )
            except FAILURES as error:
                self._went_down(error)
                return
            if message is None or message.get("type") != "message":
                continue
            poll = self._channels.get(message["channel"])
            result = Result.parse(message["data"])
            if poll is not None and result is not None:
                self._take_in(poll, result)

    def _detach_pubsub(self) -> PubSub | None:
        """Forget the pub/sub connection and stop its reader; the caller closes it."""
        pubsub, reader = self._pubsub, self._reader
        self._pubsub = self._reader = None
        self._channels.clear()
        if reader is not None and reader is not asyncio.current_task():
            reader.cancel()
        return pubsub

    @staticmethod
    async def _close_quietly(pubsub: PubSub) -> None:
        with contextlib.suppress(*FAILURES):
            await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def _forget_connections(self, pubsub: PubSub | None) -> None:
        """Close the pub/sub connection and the pool's idle ones, which the outage may have cut.

        Without this, each idle connection that died with the outage would fail
        once when next used, each time starting a new spell of local polling.
        """
        if pubsub is not None:
            await self._close_quietly(pubsub)
        with contextlib.suppress(*FAILURES):
            await self.shared.redis.connection_pool.disconnect(inuse_connections=False)

    # outages

    def _went_down(self, error: BaseException) -> None:
        """A Redis call failed: poll locally, try again after ``retry_seconds``."""
        self.shared.failed(FEATURE, error)
        self._retry_at = asyncio.get_running_loop().time() + self.retry_seconds
        if not self._up:
            return
        self._up = False
        logger.warning(
            "live polls: Redis unavailable (%s); each replica polls for its own subscribers"
            " until it answers again",
            type(error).__name__,
        )
        for poll in self._polls.values():
            poll.listening = False
            poll.seq = 0  # the numbering may restart (a Redis that lost its data)
        closing = asyncio.create_task(self._forget_connections(self._detach_pubsub()))
        self._closing.add(closing)
        closing.add_done_callback(self._closing.discard)

    def _came_up(self) -> None:
        self.shared.succeeded()
        if not self._up:
            self._up = True
            logger.info("live polls: Redis answers again; polls are shared again")

    # observation

    def _set_role(self, poll: _SharedPoll[Any], role: Role) -> None:
        before = poll.role
        if role is before:
            return
        poll.role = role
        if before.polls != role.polls:
            delta = 1 if role.polls else -1
            self._polling += delta
            if self.observer is not None:
                self.observer.poller_changed(delta)
        following = (before is Role.FOLLOWING, role is Role.FOLLOWING)
        if following[0] != following[1] and self.observer is not None:
            self.observer.following_changed(1 if following[1] else -1)
