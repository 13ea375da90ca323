"""State shared by every worker and replica of one deployment, in Redis.

One process on one core keeps its state in memory: the ``createFlowJob``
locks, the persisted operations, the subscription pollers. Several processes
(``serve --workers N``, replicas behind a load balancer) each keep their own
unless ``GATEWAY_REDIS_URL`` points them at one Redis.

- :mod:`gateway.shared_state.connection`: the one asyncio Redis client of a
  process (:class:`SharedState`), its key names and how a Redis failure is
  reported (logged once per outage, counted in metrics) so that each feature
  can fall back to its in-process behaviour, or refuse, as it must.
- :mod:`gateway.shared_state.create_claims`: the ``clientJobId`` claim of
  ``createFlowJob`` (a Redis lock with a lease, checked right before the
  POST) and the record that answers repeats.
- The live polls behind the subscriptions are shared through it by
  :class:`gateway.live.redis_hub.RedisPollHub` (leases, pub/sub).

Without ``GATEWAY_REDIS_URL`` there is no :class:`SharedState` and nothing
imports a Redis connection: ``make demo`` and the tests need no Redis.
"""

from gateway.shared_state.connection import RedisFailure, SharedState, open_shared_state

__all__ = ["RedisFailure", "SharedState", "open_shared_state"]
