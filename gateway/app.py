"""The Starlette application: ``/graphql`` (HTTP and WebSocket), ``/healthz``,
``/readyz`` and ``/metrics`` (see :mod:`gateway.observability`, :mod:`gateway.readiness`).

The lifespan opens one pooled ``httpx.AsyncClient`` per upstream and closes
them on shutdown; each GraphQL request gets a fresh :class:`~gateway.context.Context`
(upstream APIs bound to the caller, new loaders).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute

from gateway.body_limit import BodyLimit
from gateway.config import Settings, load_settings
from gateway.graphql_post_lane import GraphQLPostLane
from gateway.keyed_locks import KeyedLocks
from gateway.observability.metrics import GatewayMetrics, RequestCounter
from gateway.observability.middleware import RequestObservation
from gateway.observability.view import ObservedGraphQL
from gateway.readiness import readiness_endpoint
from gateway.shutdown import TrackWebSockets, WebSocketConnections
from gateway.upstream_names import Upstream
from gateway.upstreams.client import UpstreamClient
from gateway.upstreams.transport import build_http_client


def create_app(settings: Settings | None = None) -> Starlette:
    """The gateway app; settings default to the environment.

    ``app.state.metrics`` holds its :class:`GatewayMetrics` (``None`` with
    ``GATEWAY_METRICS=false``), ``app.state.websockets`` its open WebSocket
    connections (closed with 1001 at shutdown, see :mod:`gateway.shutdown`).
    """
    settings = settings or load_settings()
    metrics = GatewayMetrics() if settings.metrics else None
    websockets = WebSocketConnections()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        https = {
            name: build_http_client(settings.upstream(name), transport=settings.http_transport)
            for name in Upstream
        }
        observer = metrics or RequestCounter()
        clients = {
            name: UpstreamClient(settings.upstream(name), http, observer=observer)
            for name, http in https.items()
        }
        if metrics is not None:
            metrics.breakers_closed(clients.values())
        try:
            yield {"clients": clients, "create_locks": KeyedLocks()}
        finally:
            for http in https.values():
                await http.aclose()

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    graphql = ObservedGraphQL(settings, metrics=metrics, request_log=settings.request_log)
    extra_routes = [Route("/metrics", metrics.endpoint, methods=["GET"])] if metrics else []
    app = Starlette(
        middleware=[
            Middleware(RequestObservation, metrics=metrics, request_log=settings.request_log),
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
        ],
        lifespan=lifespan,
    )
    app.state.metrics = metrics
    app.state.websockets = websockets
    return app
