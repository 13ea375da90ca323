"""A short-lived cache of list and count answers (``GATEWAY_CACHE_TTL``; off by default).

Dashboards ask the same ``jobs``/``jobCounts`` over and over, and every one
of those costs upstream requests. With ``GATEWAY_CACHE_TTL`` > 0 the answer of
such a query is reused for that many seconds:

- what is cached (:mod:`gateway.response_cache.policy`): a query operation
  whose root fields are all list or count reads (a static per-root-field
  policy); its answer only when it has no errors (partial ones included).
  Mutations never; a single-object read (``node``, ``flowJob``...) never.
- the key (:mod:`gateway.response_cache.cache`): the checked document's
  canonical text (graphql-core's printing of the parsed document: spacing and
  comments do not matter) and operation name, the variables as canonical JSON
  and, when an upstream uses ``AUTH_MODE=forward``, a SHA-256 of the caller's
  ``Authorization`` (never the credential itself).
- invalidation: each system (jobs store, operations manager, AWX) has a
  generation number; an answer is stored with the generations of the systems
  its fields read and is a miss once one of them moved. Every mutation run
  through the gateway moves the generations of the systems it acts on, after
  it ran (whatever its outcome).
- where (:mod:`gateway.response_cache.stores`): in Redis with
  ``GATEWAY_REDIS_URL`` (shared by the replicas), else in the process (bounded
  by ``GATEWAY_CACHE_MAX_BYTES``). Redis down: the cache is skipped (the read
  goes to the upstreams), reported as feature ``response_cache``.
- a hit says so: ``extensions.responseCache = {"hit": true, "ageSeconds": n}``;
  ``gateway_response_cache_lookups{outcome}`` counts hits, misses and
  lookups Redis could not answer.

The schema calls it in two places (:mod:`schema.core.fast_path` for checked
documents, :class:`schema.core.response_caching.ResponseCaching` in the
pipeline for a text seen for the first time); with the TTL at 0 there is no
:class:`ResponseCache` and each place only tests for ``None``.
"""

from gateway.response_cache.cache import CachePlan, ResponseCache, build_response_cache

__all__ = ["CachePlan", "ResponseCache", "build_response_cache"]
