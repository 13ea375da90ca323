"""Who polls a shared poll: a lease per poll in Redis, and the fenced publication of results.

Each poll name (:class:`gateway.live.wire.PollWire`) has, under the key prefix,

- ``live:{name}:lease``: the token of the replica that leads the poll, set
  with ``SET NX PX`` (only when nobody holds it) and kept by its holder with
  a compare-and-``PEXPIRE`` script each interval; a replica that stops
  deletes it with a compare-and-``DEL``, and one that dies simply stops
  renewing it: the lease lapses and a follower takes it;
- ``live:{name}:last``: the latest result, ``<seq> <json>``, for replicas
  that join later (kept a few leases);
- ``live:{name}:seq``: the number of the latest result, so a replica can
  tell an older result from a newer one whoever the leader was;
- the pub/sub channel ``live:{name}:results``, on which each result is
  published as ``<seq> <json>``.

:meth:`PollLeases.publish` is fenced: one script checks that the caller still
holds the lease, renews it, numbers the result, stores it and publishes it;
a leader that lost its lease (it stalled past it, Redis handed it to
another) publishes nothing. The braces in the names are a Redis Cluster hash
tag: one poll's keys live on one shard.
"""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from gateway.shared_state import SharedState

RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
"""Compare-and-PEXPIRE: renew the lease only if the caller's token holds it."""

RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""
"""Compare-and-DEL: give the lease up only if the caller's token holds it."""

PUBLISH = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local seq = redis.call('INCR', KEYS[3])
redis.call('PEXPIRE', KEYS[3], ARGV[3])
local message = seq .. ' ' .. ARGV[4]
redis.call('SET', KEYS[2], message, 'PX', ARGV[3])
redis.call('PUBLISH', ARGV[5], message)
return seq
"""
"""Fenced publication: holder check, renewal, numbering, latest result, PUBLISH."""

KEPT_LEASES = 3
"""The latest result and its number are kept this many leases after the last publication."""


@dataclass(frozen=True, slots=True)
class PollNames:
    """The Redis names of one shared poll (see the module docstring)."""

    lease: str
    last: str
    seq: str
    channel: str


@dataclass(frozen=True, slots=True)
class Result:
    """A published result: its number and its JSON text."""

    seq: int
    body: bytes

    @classmethod
    def parse(cls, message: bytes) -> Result | None:
        """A ``<seq> <json>`` message; None when it is not one."""
        head, _, body = message.partition(b" ")
        try:
            return cls(int(head), body)
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class Claim:
    """What trying to take a lease found: whether the caller holds it now, and the last result."""

    held: bool
    last: Result | None = None


class PollLeases:
    """The lease operations of one replica (its ``token``); every call may raise a Redis failure."""

    def __init__(self, shared: SharedState, token: str, lease_seconds: float) -> None:
        self.shared = shared
        self.token = token
        self.lease_ms = max(1, round(lease_seconds * 1000))
        self.kept_ms = self.lease_ms * KEPT_LEASES
        redis: Redis = shared.redis
        self._renew = redis.register_script(RENEW)
        self._release = redis.register_script(RELEASE)
        self._publish = redis.register_script(PUBLISH)

    def names(self, poll: str) -> PollNames:
        """The keys and the channel of the poll named ``poll``."""
        base = self.shared.key("live", "{" + poll + "}")
        return PollNames(
            lease=f"{base}:lease", last=f"{base}:last", seq=f"{base}:seq", channel=f"{base}:results"
        )

    async def take(self, names: PollNames, *, want_last: bool = False) -> Claim:
        """``SET NX PX`` the lease with this replica's token (and read the last result).

        A lease this replica's token already holds (a poll that stopped and
        started again before it was released) counts as taken.
        """
        async with self.shared.redis.pipeline(transaction=False) as pipe:
            pipe.set(names.lease, self.token, nx=True, px=self.lease_ms)
            pipe.get(names.lease)
            if want_last:
                pipe.get(names.last)
            answers = await pipe.execute()
        holder = answers[1]
        held = bool(answers[0]) or holder == self.token.encode()
        last = Result.parse(answers[2]) if want_last and answers[2] is not None else None
        return Claim(held=held, last=last)

    async def renew(self, names: PollNames) -> bool:
        """Extend the lease by one lease time if this replica holds it; whether it did."""
        renewed = await self._renew(keys=[names.lease], args=[self.token, self.lease_ms])
        return bool(renewed)

    async def release(self, names: PollNames) -> bool:
        """Delete the lease if this replica holds it; whether it did."""
        released = await self._release(keys=[names.lease], args=[self.token])
        return bool(released)

    async def publish(self, names: PollNames, body: bytes) -> int:
        """Renew, number, store and publish a result if this replica holds the lease.

        Its number (``seq``), or 0 when the lease is lost (nothing published).
        """
        seq = await self._publish(
            keys=[names.lease, names.last, names.seq],
            args=[self.token, self.lease_ms, self.kept_ms, body, names.channel],
        )
        return int(seq)
