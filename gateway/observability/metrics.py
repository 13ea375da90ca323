"""The gateway's Prometheus metrics, in a registry of their own per app.

A per-app :class:`~prometheus_client.CollectorRegistry` (not the process-wide
default) lets tests and several apps in one process keep separate counts.
Label children are cached in plain dicts, so a hot-path hook is a dict
lookup and an ``inc``/``observe``, without prometheus-client's label lock.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response

from gateway.observability.labels import ANONYMOUS, BoundedLabels, operation_names, route_template
from gateway.observability.observation import current
from gateway.upstreams.client import UpstreamClient
from gateway.upstreams.observer import UpstreamObserver

if TYPE_CHECKING:
    from schema.core.document_cache import DocumentCache

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
BATCH_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
BREAKER_STATES = {"closed": 0, "half_open": 1, "open": 2}
ROUTES_PER_UPSTREAM = 64
ROUTE_CACHE = 4096
"""Raw paths remembered with their label (AWX paths carry ids, so they are many)."""


def _same(value: str) -> str:
    return value


class GatewayMetrics(UpstreamObserver):
    """Every metric of one app, and the upstream client's observer that feeds them."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.graphql_requests = Counter(
            "gateway_graphql_requests",
            "GraphQL requests by operation name and outcome (ok, errors, refused).",
            ["operation", "outcome"],
            registry=r,
        )
        self.graphql_duration = Histogram(
            "gateway_graphql_request_duration_seconds",
            "GraphQL request latency, from the first byte in to the last byte out.",
            ["operation", "outcome"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.in_flight = Gauge(
            "gateway_graphql_requests_in_flight", "GraphQL HTTP requests being served.", registry=r
        )
        self.upstream_requests = Counter(
            "gateway_upstream_requests",
            "Upstream round trips by upstream, method, route template and outcome.",
            ["upstream", "method", "route", "outcome"],
            registry=r,
        )
        self.upstream_duration = Histogram(
            "gateway_upstream_request_duration_seconds",
            "Upstream round-trip latency by upstream and route template.",
            ["upstream", "route"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.retries = Counter(
            "gateway_upstream_retries",
            "GETs sent again after a failure.",
            ["upstream", "route"],
            registry=r,
        )
        self.coalesced_gets = Counter(
            "gateway_upstream_coalesced",
            "GETs that joined an identical one in flight instead of going out.",
            ["upstream", "route"],
            registry=r,
        )
        self.breaker_state = Gauge(
            "gateway_breaker_state",
            "Circuit breaker state per upstream and route kind: 0 closed, 1 half-open, 2 open.",
            ["upstream", "kind"],
            registry=r,
        )
        self.breaker_transitions = Counter(
            "gateway_breaker_transitions",
            "Circuit breaker state changes, by the state entered.",
            ["upstream", "kind", "state"],
            registry=r,
        )
        self.redis_failures = Counter(
            "gateway_redis_failures",
            "Redis calls that failed (down, slow, refused), by the feature that made them;"
            " reads then fell back to the process's own state, creates refused.",
            ["feature"],
            registry=r,
        )
        self.redis_available = Gauge(
            "gateway_redis_available",
            "1 while the last Redis call worked, 0 during an outage (only with GATEWAY_REDIS_URL).",
            registry=r,
        )
        self.response_cache_lookups = Counter(
            "gateway_response_cache_lookups",
            "Response cache lookups (GATEWAY_CACHE_TTL), by outcome: hit (answered without the"
            " upstreams), miss, unavailable (Redis down: the read went to the upstreams).",
            ["outcome"],
            registry=r,
        )
        self.response_cache_invalidations = Counter(
            "gateway_response_cache_invalidations",
            "Mutations that dropped the cached answers reading a system, by system.",
            ["system"],
            registry=r,
        )
        self.batch_sizes = Histogram(
            "gateway_dataloader_batch_size",
            "Keys per dataloader batch.",
            ["loader"],
            buckets=BATCH_BUCKETS,
            registry=r,
        )
        self.live_subscriptions = Gauge(
            "gateway_live_subscriptions",
            "Live subscriptions (jobUpdated, jobsChanged) open now, by transport (websocket, sse).",
            ["transport"],
            registry=r,
        )
        self.live_pollers = Gauge(
            "gateway_live_pollers",
            "Shared pollers running now: one per watched job or filter (and credential, "
            "in AUTH_MODE=forward), however many subscribers it has.",
            registry=r,
        )
        self.live_following = Gauge(
            "gateway_live_following",
            "Live polls this replica follows now: another replica polls and publishes through"
            " Redis (only with GATEWAY_REDIS_URL; gateway_live_pollers counts those it polls).",
            registry=r,
        )
        self.live_pollers_started = Counter(
            "gateway_live_pollers_started",
            "Shared pollers started.",
            registry=r,
        )
        self.live_polls = Counter(
            "gateway_live_polls",
            "Polls made by the shared pollers, by upstream read and outcome (ok, error).",
            ["upstream", "outcome"],
            registry=r,
        )
        self.operations = operation_names()
        self._routes: dict[str, BoundedLabels] = {}
        self._route_labels: dict[tuple[str, str], str] = {}
        self._children: dict[tuple[Any, ...], Any] = {}

    def redis_failed(self, feature: str) -> None:
        self.redis_failures.labels(feature).inc()

    def redis_up(self, up: bool) -> None:
        self.redis_available.set(1 if up else 0)

    def response_cache_lookup(self, outcome: str) -> None:
        self._child(self.response_cache_lookups, outcome).inc()

    def response_cache_invalidated(self, system: str) -> None:
        self._child(self.response_cache_invalidations, system).inc()

    def _child(self, metric: Any, *labels: str) -> Any:
        key = (id(metric), *labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*labels)
        return child

    def route(self, upstream: str, route: str) -> str:
        """The label of a route: its template, at most 64 distinct per upstream."""
        key = (upstream, route)
        label = self._route_labels.get(key)
        if label is None:
            bounded = self._routes.get(upstream)
            if bounded is None:
                bounded = self._routes[upstream] = BoundedLabels(ROUTES_PER_UPSTREAM, _same)
            label = bounded(route_template(route))
            if len(self._route_labels) < ROUTE_CACHE:
                self._route_labels[key] = label
        return label

    # GraphQL requests

    def graphql_request(self, name: str | None, outcome: str, seconds: float) -> None:
        """Count one GraphQL request and its latency, under its bounded operation name."""
        operation = ANONYMOUS if name is None else self.operations(name)
        self._child(self.graphql_requests, operation, outcome).inc()
        self._child(self.graphql_duration, operation, outcome).observe(seconds)

    def batch(self, loader: str, size: int) -> None:
        """A dataloader dispatched a batch of ``size`` keys."""
        self._child(self.batch_sizes, loader).observe(size)

    # UpstreamObserver

    def answered(
        self, upstream: str, method: str, route: str, outcome: str, seconds: float
    ) -> None:
        label = self.route(upstream, route)
        self._child(self.upstream_requests, upstream, method, label, outcome).inc()
        if outcome != "breaker_open":
            self._child(self.upstream_duration, upstream, label).observe(seconds)
            _count_call(upstream)

    def retried(self, upstream: str, route: str) -> None:
        self._child(self.retries, upstream, self.route(upstream, route)).inc()

    def coalesced(self, upstream: str, route: str) -> None:
        self._child(self.coalesced_gets, upstream, self.route(upstream, route)).inc()

    def breaker_changed(self, upstream: str, kind: str, state: str) -> None:
        self._child(self.breaker_state, upstream, kind).set(BREAKER_STATES[state])
        self._child(self.breaker_transitions, upstream, kind, state).inc()

    def breakers_closed(self, clients: Iterable[UpstreamClient]) -> None:
        """Show the new clients' breakers as closed (without counting a transition)."""
        for client in clients:
            for kind in client.breakers:
                self._child(self.breaker_state, client.name.value, kind.value).set(0)

    def watch_document_cache(self, cache: DocumentCache) -> None:
        """Expose ``cache``'s hits, misses and entries, read at each scrape."""
        self.registry.register(DocumentCacheCollector(cache))

    # PollObserver (gateway.live.hub)

    def subscription_changed(self, transport: str, delta: int) -> None:
        self._child(self.live_subscriptions, transport).inc(delta)

    def poller_changed(self, delta: int) -> None:
        self.live_pollers.inc(delta)
        if delta > 0:
            self.live_pollers_started.inc(delta)

    def polled(self, upstream: str, outcome: str) -> None:
        self._child(self.live_polls, upstream, outcome).inc()

    def following_changed(self, delta: int) -> None:
        self.live_following.inc(delta)

    # exposition

    async def endpoint(self, request: Request) -> Response:
        """``GET /metrics``: the registry in the Prometheus text format."""
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


class DocumentCacheCollector(Collector):
    """The document cache's counts, read when scraped: nothing to do per request."""

    def __init__(self, cache: DocumentCache) -> None:
        self.cache = cache

    def collect(self) -> Iterable[Metric]:
        cache = self.cache
        yield CounterMetricFamily(
            "gateway_document_cache_hits",
            "GraphQL requests whose query text was found already parsed and validated "
            "(counted once per request, at its first lookup).",
            value=cache.hits,
        )
        yield CounterMetricFamily(
            "gateway_document_cache_misses",
            "GraphQL requests whose query text was not in the document cache "
            "(parsed and validated then; a syntax error or a text too long to keep "
            "misses every time).",
            value=cache.misses,
        )
        yield GaugeMetricFamily(
            "gateway_document_cache_entries",
            "Query texts in the document cache.",
            value=len(cache),
        )


class RequestCounter(UpstreamObserver):
    """The observer when metrics are off: only the per-request upstream call counts."""

    def answered(
        self, upstream: str, method: str, route: str, outcome: str, seconds: float
    ) -> None:
        if outcome != "breaker_open":
            _count_call(upstream)


def _count_call(upstream: str) -> None:
    """One more call in the log line of the request being served (if any)."""
    observation = current.get()
    if observation is not None:
        observation.upstream_calls[upstream] += 1
