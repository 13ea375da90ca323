"""The process's Redis client, its key names, and the bookkeeping of Redis failures.

Every feature that shares state goes through one :class:`SharedState`:

- ``state.redis`` is a ``redis.asyncio.Redis`` (redis-py) with a connection
  pool, short socket timeouts (``GATEWAY_REDIS_TIMEOUT``) and no retries of
  its own: a feature decides what a failure means (a read falls back to the
  process's own state; a create refuses rather than risk a duplicate).
- :meth:`SharedState.key` names a key under the deployment's prefix, so one
  Redis can serve several deployments and tests.
- :meth:`SharedState.failed` is called with the feature's name when a Redis
  call fails: the first failure of an outage is logged as a warning (without
  the error's arguments, which may hold a key), later ones at debug, and each
  is counted (``gateway_redis_failures_total{feature}``);
  :meth:`SharedState.succeeded` ends the outage (logged once at info).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Protocol

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from gateway.config import RedisSettings

logger = logging.getLogger("gateway.redis")

RedisFailure = (RedisError, OSError, TimeoutError)
"""What a Redis call can raise when Redis is down, slow or refuses (catch these)."""


class RedisObserver(Protocol):
    """What the metrics hear of Redis (:class:`gateway.observability.metrics.GatewayMetrics`)."""

    def redis_failed(self, feature: str) -> None: ...

    def redis_up(self, up: bool) -> None: ...


@dataclass(eq=False)
class SharedState:
    """One process's handle on the shared state: the client, key names, failure reports."""

    redis: Redis
    prefix: str
    observer: RedisObserver | None = None
    _down: bool = field(default=False, init=False)

    def key(self, *parts: str) -> str:
        """A key under the deployment's prefix: ``prefix`` + ``parts`` joined by ``:``."""
        return self.prefix + ":".join(parts)

    @property
    def down(self) -> bool:
        """Whether the last Redis call of any feature failed (an outage is under way)."""
        return self._down

    def failed(self, feature: str, error: BaseException) -> None:
        """Report a failed Redis call of ``feature``; the caller then falls back or refuses."""
        if not self._down:
            logger.warning(
                "redis unavailable for %s (%s): falling back where the feature can",
                feature,
                type(error).__name__,
            )
        else:
            logger.debug("redis still unavailable for %s (%s)", feature, type(error).__name__)
        self._down = True
        if self.observer is not None:
            self.observer.redis_failed(feature)
            self.observer.redis_up(False)

    def succeeded(self) -> None:
        """Report a Redis call that worked: ends an outage (logged once)."""
        if self._down:
            logger.info("redis available again")
            self._down = False
            if self.observer is not None:
                self.observer.redis_up(True)

    async def ping(self) -> bool:
        """Whether Redis answers now (a failure is reported as feature ``ping``)."""
        try:
            await self.redis.ping()
        except RedisFailure as error:
            self.failed("ping", error)
            return False
        self.succeeded()
        return True

    async def aclose(self) -> None:
        """Close the client and its pool."""
        await self.redis.aclose()


def open_shared_state(
    settings: RedisSettings | None, *, observer: RedisObserver | None = None
) -> SharedState | None:
    """The process's :class:`SharedState`, or None without ``GATEWAY_REDIS_URL``.

    No connection is made here: the pool connects on first use, so a Redis
    that is down at start-up does not stop the gateway (its reads fall back).
    """
    if settings is None:
        return None
    client = Redis.from_url(
        settings.url,
        username=settings.username,
        password=settings.password,
        socket_timeout=settings.timeout,
        socket_connect_timeout=settings.timeout,
        health_check_interval=30,
        # no retries of its own (redis-py 6 retries three times by default): a lock's
        # SET NX sent twice could see its own first write, and a caller waits on it
        retry=Retry(NoBackoff(), 0),
        retry_on_timeout=False,
        decode_responses=False,
    )
    if observer is not None:
        observer.redis_up(True)
    return SharedState(redis=client, prefix=settings.key_prefix, observer=observer)
