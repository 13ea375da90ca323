"""The Starlette application: ``/graphql`` (HTTP and WebSocket; GraphiQL on a
browser's GET, its files under ``/graphiql/static/``), ``/healthz``, ``/readyz``
and ``/metrics`` (see :mod:`gateway.observability`, :mod:`gateway.readiness`).

The lifespan opens one pooled wire per upstream (:mod:`gateway.upstreams.transport`)
and closes them on shutdown; each GraphQL request gets a fresh :class:`~gateway.context.Context`
(upstream APIs bound to the caller, new loaders).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from opentelemetry.sdk.trace import TracerProvider
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute

from gateway.body_limit import BodyLimit
from gateway.config import Settings, load_settings
from gateway.cors import cors_middleware
from gateway.create_claims import CreateClaims, LocalCreateClaims
from gateway.graphql_post_lane import GraphQLPostLane
from gateway.live.hub import LocalPollHub, PollHub
from gateway.live.redis_hub import RedisPollHub
from gateway.observability.metrics import GatewayMetrics, RequestCounter
from gateway.observability.middleware import RequestObservation
from gateway.observability.tracing import exporting_provider, gateway_tracer, sdk_disabled
from gateway.observability.view import ObservedGraphQL
from gateway.persisted_operations import SharedQueries
from gateway.readiness import readiness_endpoint
from gateway.response_cache import build_response_cache
from gateway.shared_state import SharedState, open_shared_state
from gateway.shared_state.create_claims import RedisCreateClaims
from gateway.shutdown import TrackWebSockets, WebSocketConnections
from gateway.upstream_names import Upstream
from gateway.upstreams.client import UpstreamClient
from gateway.upstreams.transport import build_http_client
from schema import GatewaySchema

STREAMS_END_WAIT = 2.0
"""Seconds, at most, the live streams get to end (``complete``) before the WebSockets close."""


def create_claims(shared: SharedState | None, settings: Settings) -> CreateClaims:
    """In Redis when the gateway shares state, else this process's own per-key locks."""
    if shared is None or settings.redis is None:
        return LocalCreateClaims()
    return RedisCreateClaims(
        shared,
        lease=settings.redis.create_lease,
        wait=settings.redis.create_wait,
        record_seconds=settings.redis.create_record_seconds,
    )


def create_app(
    settings: Settings | None = None, *, tracer_provider: TracerProvider | None = None
) -> Starlette:
    """The gateway app; settings default to the environment.

    ``app.state.metrics`` holds its :class:`GatewayMetrics` (``None`` with
    ``GATEWAY_METRICS=false``), ``app.state.websockets`` its open WebSocket
    connections (closed with 1001 at shutdown, see :mod:`gateway.shutdown`),
    ``app.state.tracer_provider`` the provider it traces into (``None``: off),
    ``app.state.live`` its shared pollers (:mod:`gateway.live`; with
    ``GATEWAY_REDIS_URL``, from the lifespan on, shared across replicas by
    :class:`~gateway.live.redis_hub.RedisPollHub`) and
    ``app.state.before_shutdown`` what a graceful shutdown runs first: the
    live streams end with ``complete``, then the WebSockets close with 1001.

    Traces (:mod:`gateway.observability.tracing`): with ``tracer_provider``
    the app traces into it (tests pass one with an in-memory exporter; its
    owner shuts it down); else, with ``GATEWAY_TRACES=true``, the app makes
    an OTLP-exporting provider of its own and shuts it down (flushing its
    spans) with the app; else it does not trace.
    """
    settings = settings or load_settings()
    metrics = GatewayMetrics() if settings.metrics else None
    own_provider = None
    if tracer_provider is None and settings.traces and not sdk_disabled():
        tracer_provider = own_provider = exporting_provider()
    tracer = gateway_tracer(tracer_provider)
    websockets = WebSocketConnections()
    # with GATEWAY_REDIS_URL the lifespan puts a hub shared across replicas in its place
    live: PollHub = LocalPollHub(settings.subscription_poll_seconds, observer=metrics)

    async def before_shutdown() -> None:
        """End the live streams (each gets its ``complete``), then close the WebSockets (1001)."""
        had_streams = live.active_subscriptions > 0
        await live.close(drain=STREAMS_END_WAIT)
        if had_streams:
            await asyncio.sleep(0.01)  # the streams' last sends, after they left the hub
        await websockets.close_all()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        https = {
            name: build_http_client(settings.upstream(name), transport=settings.http_transport)
            for name in Upstream
        }
        observer = metrics or RequestCounter()
        clients = {
            name: UpstreamClient(settings.upstream(name), http, observer=observer, tracer=tracer)
            for name, http in https.items()
        }
        if metrics is not None:
            metrics.breakers_closed(clients.values())
        nonlocal live
        shared = open_shared_state(settings.redis, observer=metrics)
        app.state.shared = shared
        if shared is not None and settings.apq:
            graphql.persisted.shared = SharedQueries(
                shared, ttl=settings.apq_ttl, max_text_length=settings.max_query_length
            )
        schema.response_cache = build_response_cache(settings, shared, observer=metrics)
        if shared is not None:
            live = app.state.live = RedisPollHub(
                shared,
                settings.subscription_poll_seconds,
                settings.subscription_lease_seconds,
                observer=metrics,
            )
        try:
            yield {
                "clients": clients,
                "create_claims": create_claims(shared, settings),
                "live": live,
                "shared": shared,
            }
        finally:
            schema.response_cache = None
            graphql.persisted.shared = None
            await live.close()
            if shared is not None:
                await shared.aclose()
            for http in https.values():
                await http.aclose()
            if own_provider is not None:
                own_provider.shutdown()

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    graphql = ObservedGraphQL(settings, metrics=metrics, request_log=settings.request_log)
    assert isinstance(graphql.schema, GatewaySchema)
    schema: GatewaySchema = graphql.schema
    document_cache = getattr(graphql.schema, "document_cache", None)
    if metrics is not None and document_cache is not None:
        metrics.watch_document_cache(document_cache)
    extra_routes = [Route("/metrics", metrics.endpoint, methods=["GET"])] if metrics else []
    # GraphiQL's files, routed after /graphql (and never reached by the POST lane's requests)
    page = graphql.graphiql_page
    graphiql_routes = page.routes() if page is not None else []
    app = Starlette(
        middleware=[
            # outermost: every answer gets the CORS headers, preflights stop here (none when off)
            *cors_middleware(
                settings.cors_origins,
                allow_credentials=settings.cors_allow_credentials,
                max_age=settings.cors_max_age,
            ),
            Middleware(
                RequestObservation,
                metrics=metrics,
                request_log=settings.request_log,
                tracer=tracer,
            ),
            Middleware(TrackWebSockets, connections=websockets),
            # a checked POST query is answered here, before routing and the view
            Middleware(GraphQLPostLane, view=graphql),
            Middleware(BodyLimit, max_bytes=settings.max_body_bytes),
        ],
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readiness_endpoint(settings), methods=["GET"]),
            *extra_routes,
            Route("/graphql", graphql),  # other methods: a coded 405 from the view
            WebSocketRoute("/graphql", graphql),
            *graphiql_routes,
        ],
        lifespan=lifespan,
    )
    app.state.metrics = metrics
    app.state.websockets = websockets
    app.state.live = live
    app.state.shared = None  # the lifespan's SharedState with GATEWAY_REDIS_URL
    app.state.before_shutdown = before_shutdown
    app.state.tracer_provider = tracer_provider
    return app
