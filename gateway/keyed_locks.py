"""Per-key ``asyncio.Lock`` s, for creates that must not run twice at once.

``createFlowJob`` looks a ``clientJobId`` up and POSTs only when it finds no
job. Two identical calls arriving together would both look, both find
nothing and both POST: the jobs store does not deduplicate, so that makes two
jobs. Holding :meth:`KeyedLocks.hold` for the ``clientJobId`` around the
look-then-create makes the second call wait and then find the first one's job.

A registry serialises calls within one gateway process: it is the whole
claim without Redis (:class:`~gateway.create_claims.LocalCreateClaims`; several
processes still race, and the upstream lookup is what narrows that window),
and the local turn taken before the Redis claim with ``GATEWAY_REDIS_URL``
(:class:`~gateway.shared_state.create_claims.RedisCreateClaims`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class KeyedLocks:
    """One lock per key, kept only while someone holds or awaits it (no growth)."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    def __len__(self) -> int:
        """How many keys are held or awaited now."""
        return len(self._locks)

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        """Hold the lock of ``key`` for the body of the ``async with``."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[key] -= 1
            if self._users[key] == 0:
                del self._users[key]
                del self._locks[key]
