"""Where cached answers live: this process (:class:`LocalStore`) or Redis (:class:`RedisStore`).

An entry is the answer's ``data`` as JSON bytes, with the time it was stored
and the generations of the systems it read (see :mod:`gateway.response_cache`).
A lookup reads the entry and the systems' current generations together (one
Redis round trip: ``MGET``); it is a hit only when they are the same.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol

from gateway.shared_state import RedisFailure, SharedState

FEATURE = "response_cache"
"""The feature name under which Redis failures are reported."""


class StoreUnavailable(Exception):
    """The store could not be read or written (Redis down or slow); already reported."""


@dataclass(frozen=True, slots=True)
class Lookup:
    """What a lookup found: the entry's data and age (``None``: a miss) and the generations now."""

    data: bytes | None
    age: float
    generations: tuple[int, ...]


class ResponseStore(Protocol):
    """A place for cached answers with per-system generations."""

    async def lookup(self, key: str, systems: tuple[str, ...]) -> Lookup:
        """The entry of ``key`` if stored under the current generations of ``systems``."""
        ...

    async def store(
        self, key: str, systems: tuple[str, ...], generations: tuple[int, ...], data: bytes
    ) -> None:
        """Keep ``data`` under ``key`` for the TTL, stamped with ``generations``."""
        ...

    async def invalidate(self, systems: tuple[str, ...]) -> None:
        """Move the generations of ``systems``: every entry that read them is a miss from now."""
        ...


def _encode(generations: tuple[int, ...], stored_at: float, data: bytes) -> bytes:
    head = ",".join(str(g) for g in generations) + f"|{stored_at:.3f}\n"
    return head.encode() + data


def _decode(raw: bytes) -> tuple[tuple[int, ...], float, bytes] | None:
    head, sep, data = raw.partition(b"\n")
    gens, bar, stored_at = head.partition(b"|")
    if not sep or not bar:
        return None
    try:
        generations = tuple(int(g) for g in gens.split(b",")) if gens else ()
        return generations, float(stored_at), data
    except ValueError:
        return None


def _generation(raw: object) -> int:
    if isinstance(raw, bytes) and raw.isdigit():
        return int(raw)
    return 0


class LocalStore:
    """Entries in this process: least recently used first out, bounded in bytes."""

    def __init__(self, *, ttl: float, max_bytes: int) -> None:
        self.ttl = ttl
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_bytes // 16
        self._entries: OrderedDict[str, tuple[float, tuple[int, ...], bytes]] = OrderedDict()
        self._bytes = 0
        self._generations: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def _current(self, systems: tuple[str, ...]) -> tuple[int, ...]:
        return tuple(self._generations.get(system, 0) for system in systems)

    async def lookup(self, key: str, systems: tuple[str, ...]) -> Lookup:
        now = time.monotonic()
        current = self._current(systems)
        entry = self._entries.get(key)
        if entry is None:
            return Lookup(None, 0.0, current)
        stored_at, generations, data = entry
        if now - stored_at >= self.ttl or generations != current:
            self._drop(key)
            return Lookup(None, 0.0, current)
        self._entries.move_to_end(key)
        return Lookup(data, now - stored_at, current)

    async def store(
        self, key: str, systems: tuple[str, ...], generations: tuple[int, ...], data: bytes
    ) -> None:
        if len(data) > self.max_entry_bytes or generations != self._current(systems):
            return  # too big, or a mutation ran meanwhile: the answer may be stale already
        self._drop(key)
        self._entries[key] = (time.monotonic(), generations, data)
        self._bytes += len(data)
        while self._bytes > self.max_bytes:
            oldest = next(iter(self._entries))
            self._drop(oldest)

    async def invalidate(self, systems: tuple[str, ...]) -> None:
        for system in systems:
            self._generations[system] = self._generations.get(system, 0) + 1

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= len(entry[2])


class RedisStore:
    """Entries in Redis, shared by every replica; each expires after the TTL (``PX``)."""

    def __init__(self, shared: SharedState, *, ttl: float, max_entry_bytes: int) -> None:
        self.shared = shared
        self.ttl_ms = max(1, round(ttl * 1000))
        self.max_entry_bytes = max_entry_bytes

    def _entry_key(self, key: str) -> str:
        return self.shared.key("cache", "entry", key)

    def _generation_key(self, system: str) -> str:
        return self.shared.key("cache", "generation", system)

    async def lookup(self, key: str, systems: tuple[str, ...]) -> Lookup:
        keys = [self._entry_key(key), *(self._generation_key(s) for s in systems)]
        try:
            raw, *gens = await self.shared.redis.mget(keys)
        except RedisFailure as error:
            self.shared.failed(FEATURE, error)
            raise StoreUnavailable from None
        self.shared.succeeded()
        current = tuple(_generation(g) for g in gens)
        decoded = _decode(raw) if isinstance(raw, bytes) else None
        if decoded is None or decoded[0] != current:
            return Lookup(None, 0.0, current)
        _, stored_at, data = decoded
        return Lookup(data, max(0.0, time.time() - stored_at), current)

    async def store(
        self, key: str, systems: tuple[str, ...], generations: tuple[int, ...], data: bytes
    ) -> None:
        if len(data) > self.max_entry_bytes:
            return
        value = _encode(generations, time.time(), data)
        try:
            await self.shared.redis.set(self._entry_key(key), value, px=self.ttl_ms)
        except RedisFailure as error:
            self.shared.failed(FEATURE, error)
            raise StoreUnavailable from None
        self.shared.succeeded()

    async def invalidate(self, systems: tuple[str, ...]) -> None:
        try:
            async with self.shared.redis.pipeline(transaction=False) as pipe:
                for system in systems:
                    pipe.incr(self._generation_key(system))
                await pipe.execute()
        except RedisFailure as error:
            self.shared.failed(FEATURE, error)
            raise StoreUnavailable from None
        self.shared.succeeded()
