"""Shared pollers: one polling task per watched thing, however many subscribers watch it.

The upstreams cannot push, so live job status is polled. A :class:`PollHub`
keys each poll by what it reads *and for whom* (:class:`PollSpec.key`): the
first subscriber of a key starts one asyncio task that calls the spec's
``fetch`` every ``interval`` seconds (from the start of one poll to the start
of the next) and hands each outcome (:class:`Polled`) to every subscriber of
the key; a subscriber that joins a running poller gets its latest outcome
first. When the last subscriber leaves, the poller stops (after the poll in
flight, if any, so every request sent is a poll counted): a dropped client
stops its share of polling. A poll whose outcome the spec calls final
(a job that finished) ends the poller and every subscriber's feed.

A failed poll (any exception) is an outcome like any other, an error the
subscribers may report; the poller goes on at the next interval, so it
recovers when the upstream does.

:class:`LocalPollHub` keeps everything in this process. The interface is
small (:meth:`PollHub.subscribe`, :meth:`PollHub.close`, a few counts) so that
another hub, one whose pollers are shared across gateway replicas
(:class:`gateway.live.redis_hub.RedisPollHub`, with ``GATEWAY_REDIS_URL``), can
take its place without touching the subscriptions; such a hub needs each
spec's :class:`~gateway.live.wire.PollWire` to send its outcomes to the other
replicas.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Iterable, Iterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from gateway.live.wire import PollWire

logger = logging.getLogger("gateway.live")

T = TypeVar("T")

MAILBOX = 16
"""Outcomes a slow subscriber may have waiting; older ones are dropped first (the latest counts)."""


@dataclass(frozen=True, slots=True)
class Polled(Generic[T]):
    """One poll's outcome: the value read, or the exception that stopped the read."""

    value: T | None = None
    error: Exception | None = None


@dataclass(frozen=True, slots=True)
class PollSpec(Generic[T]):
    """What to poll and how to tell its outcomes apart.

    ``key`` identifies the poll: subscribers with equal keys share one poller
    (and the first one's ``fetch``), so the key must hold everything ``fetch``
    depends on, the caller's credential included where it is forwarded.
    ``final``: whether a value ends the watch. ``outcomes``: the
    ``(upstream, outcome)`` pairs one poll counts as, for metrics.
    ``wire``: how the poll's outcomes travel between replicas; a hub shared
    across replicas polls a spec without one in this process only.
    """

    key: Hashable
    fetch: Callable[[], Awaitable[T]]
    final: Callable[[T], bool] = lambda _value: False
    outcomes: Callable[[Polled[T]], Iterable[tuple[str, str]]] = lambda _polled: ()
    wire: PollWire[T] | None = None


class PollObserver(Protocol):
    """What a hub reports (metrics); every method must be cheap and never raise."""

    def subscription_changed(self, transport: str, delta: int) -> None:
        """A subscriber of ``transport`` joined (+1) or left (-1)."""

    def poller_changed(self, delta: int) -> None:
        """A poller's task started (+1) or ended (-1), its last poll counted."""

    def polled(self, upstream: str, outcome: str) -> None:
        """One poll read ``upstream`` with ``outcome`` (``ok``, ``error``)."""


class SharedPollObserver(PollObserver, Protocol):
    """What a hub shared across replicas reports besides (metrics)."""

    def following_changed(self, delta: int) -> None:
        """This replica began (+1) or stopped (-1) following a poll another replica leads."""


class PollHub(Protocol):
    """Shared polling behind the subscriptions (see the module docstring)."""

    def subscribe(
        self, spec: PollSpec[T], *, transport: str = "other"
    ) -> AbstractAsyncContextManager[AsyncIterator[Polled[T]]]:
        """Join the poll of ``spec.key``; the feed yields each outcome from now on.

        The feed ends when the watch is final or the hub closes; leaving the
        context leaves the poll.
        """
        ...

    async def close(self, drain: float = 0.0) -> None:
        """Stop every poller and end every feed (server shutdown).

        ``drain``: seconds to wait, at most, for the subscribers to leave (their
        streams to finish) before returning.
        """
        ...

    @property
    def active_pollers(self) -> int:
        """Pollers running now."""
        ...

    @property
    def active_subscriptions(self) -> int:
        """Subscribers now (joined and not yet left), on every key."""
        ...


class Mailbox(Generic[T]):
    """One subscriber's waiting outcomes, and whether its feed has ended (for hubs)."""

    def __init__(self) -> None:
        self.items: deque[Polled[T]] = deque(maxlen=MAILBOX)
        self.ended = False
        self.ready = asyncio.Event()

    def put(self, polled: Polled[T]) -> None:
        self.items.append(polled)
        self.ready.set()

    def end(self) -> None:
        self.ended = True
        self.ready.set()

    async def feed(self) -> AsyncIterator[Polled[T]]:
        while True:
            while self.items:
                yield self.items.popleft()
            if self.ended:
                return
            self.ready.clear()
            await self.ready.wait()


class Subscriptions:
    """How many subscriptions a hub serves, told to its observer by transport.

    Both hubs count alike: :meth:`held` wraps one subscriber's feed, and
    :meth:`all_left` waits, at most ``drain`` seconds, for the last to go
    (a graceful shutdown's streams end first).
    """

    def __init__(self, observer: PollObserver | None) -> None:
        self.observer = observer
        self.count = 0
        self._all_left = asyncio.Event()
        self._all_left.set()

    @contextlib.contextmanager
    def held(self, transport: str) -> Iterator[None]:
        """One subscription, counted while the ``with`` body runs."""
        self._changed(transport, +1)
        self.count += 1
        self._all_left.clear()
        try:
            yield
        finally:
            self._changed(transport, -1)
            self.count -= 1
            if not self.count:
                self._all_left.set()

    async def all_left(self, drain: float) -> None:
        """Wait until no subscription is left, at most ``drain`` seconds."""
        if drain > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._all_left.wait(), drain)

    def _changed(self, transport: str, delta: int) -> None:
        if self.observer is not None:
            self.observer.subscription_changed(transport, delta)


class Audience(Generic[T]):
    """The subscribers of one poll in this process, and the outcome a late joiner gets first.

    Both hubs hand outcomes out alike: :meth:`join` gives a subscriber its
    mailbox (with the latest outcome in it, if any), :meth:`deliver` puts an
    outcome in every mailbox, :meth:`end` ends every feed.
    """

    def __init__(self) -> None:
        self.mailboxes: set[Mailbox[T]] = set()
        self.latest: Polled[T] | None = None

    def join(self) -> Mailbox[T]:
        """A new subscriber's mailbox, the latest outcome already in it."""
        mailbox: Mailbox[T] = Mailbox()
        if self.latest is not None:
            mailbox.put(self.latest)
        self.mailboxes.add(mailbox)
        return mailbox

    def leave(self, mailbox: Mailbox[T]) -> bool:
        """Drop a subscriber's mailbox; whether none is left."""
        self.mailboxes.discard(mailbox)
        return not self.mailboxes

    def deliver(self, polled: Polled[T]) -> None:
        """Keep ``polled`` as the latest and put it in every mailbox."""
        self.latest = polled
        for mailbox in self.mailboxes:
            mailbox.put(polled)

    def end(self) -> None:
        """End every subscriber's feed."""
        for mailbox in self.mailboxes:
            mailbox.end()


def ended_feed() -> AsyncIterator[Polled[Any]]:
    """The feed a closed hub gives: no outcome, ended at once."""
    mailbox: Mailbox[Any] = Mailbox()
    mailbox.end()
    return mailbox.feed()


async def poll_outcome(spec: PollSpec[T], observer: PollObserver | None) -> Polled[T]:
    """One poll of ``spec``: its value, or its failure (any exception is an outcome), counted."""
    try:
        polled: Polled[T] = Polled(value=await spec.fetch())
    except asyncio.CancelledError:
        raise
    except Exception as error:  # every failure is an outcome; the poll goes on
        polled = Polled(error=error)
    if observer is not None:
        try:
            for upstream, outcome in spec.outcomes(polled):
                observer.polled(upstream, outcome)
        except Exception:  # metrics never break a poll
            logger.exception("counting a poll failed")
    return polled


@dataclass(eq=False)
class _Poller(Generic[T]):
    spec: PollSpec[T]
    audience: Audience[T] = field(default_factory=Audience)
    task: asyncio.Task[None] | None = None
    stopping: asyncio.Event = field(default_factory=asyncio.Event)


class LocalPollHub:
    """A :class:`PollHub` whose pollers are asyncio tasks of this process."""

    def __init__(self, interval: float, observer: PollObserver | None = None) -> None:
        self.interval = interval
        self.observer = observer
        self._pollers: dict[Hashable, _Poller[Any]] = {}
        self._closed = False
        self._subscriptions = Subscriptions(observer)
        self.pollers_started = 0
        """Pollers ever started (tests read it: N subscribers of one key start one)."""
        self.polls_made = 0
        """Polls ever made, every key together."""

    @property
    def active_pollers(self) -> int:
        return len(self._pollers)

    @property
    def active_subscriptions(self) -> int:
        return self._subscriptions.count

    @contextlib.asynccontextmanager
    async def subscribe(
        self, spec: PollSpec[T], *, transport: str = "other"
    ) -> AsyncIterator[AsyncIterator[Polled[T]]]:
        if self._closed:
            yield ended_feed()
            return
        poller: _Poller[T] = self._pollers.get(spec.key) or self._start(spec)
        mailbox = poller.audience.join()
        try:
            with self._subscriptions.held(transport):
                yield mailbox.feed()
        finally:
            if poller.audience.leave(mailbox) and self._pollers.get(spec.key) is poller:
                self._stop(poller)

    async def close(self, drain: float = 0.0) -> None:
        self._closed = True
        pollers = list(self._pollers.values())
        for poller in pollers:
            self._stop(poller, now=True)
        for poller in pollers:
            if poller.task is not None:
                with contextlib.suppress(asyncio.CancelledError):
                    await poller.task
        await self._subscriptions.all_left(drain)

    def _start(self, spec: PollSpec[T]) -> _Poller[T]:
        poller = self._pollers[spec.key] = _Poller(spec)
        poller.task = asyncio.create_task(self._run(poller), name=f"poll {spec.key!r:.80}")
        self.pollers_started += 1
        return poller

    def _stop(self, poller: _Poller[Any], *, now: bool = False) -> None:
        """Forget the poller and end its subscribers' feeds.

        Its task ends after the poll in flight, if any (so that every request
        sent is a poll counted), or at once with ``now`` (shutdown).
        """
        if self._pollers.get(poller.spec.key) is poller:
            del self._pollers[poller.spec.key]
        poller.stopping.set()
        if now and poller.task is not None and poller.task is not asyncio.current_task():
            poller.task.cancel()
        poller.audience.end()

    async def _run(self, poller: _Poller[T]) -> None:
        # The observer hears of a poller while its task runs: once it says none is
        # left, every request a poller sent has been answered and counted.
        self._observe_pollers(+1)
        try:
            await self._poll(poller)
        finally:
            self._observe_pollers(-1)

    async def _poll(self, poller: _Poller[T]) -> None:
        loop = asyncio.get_running_loop()
        spec = poller.spec
        while not poller.stopping.is_set():
            started = loop.time()
            polled = await poll_outcome(spec, self.observer)
            self.polls_made += 1
            poller.audience.deliver(polled)
            if polled.error is None and spec.final(polled.value):  # type: ignore[arg-type]
                self._stop(poller)
                return
            wait = max(0.0, started + self.interval - loop.time())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(poller.stopping.wait(), wait)

    def _observe_pollers(self, delta: int) -> None:
        if self.observer is not None:
            self.observer.poller_changed(delta)
