"""The Starlette application: ``/graphql`` (HTTP and WebSocket), ``/healthz``.

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
from gateway.graphql_view import GatewayGraphQL
from gateway.keyed_locks import KeyedLocks
from gateway.upstream_names import Upstream
from gateway.upstreams.client import UpstreamClient
from gateway.upstreams.transport import build_http_client


def create_app(settings: Settings | None = None) -> Starlette:
    """The gateway app; settings default to the environment."""
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        https = {
            name: build_http_client(settings.upstream(name), transport=settings.http_transport)
            for name in Upstream
        }
        clients = {
            name: UpstreamClient(settings.upstream(name), http) for name, http in https.items()
        }
        try:
            yield {"clients": clients, "create_locks": KeyedLocks()}
        finally:
            for http in https.values():
                await http.aclose()

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    graphql = GatewayGraphQL(settings)
    return Starlette(
        middleware=[
            # outermost: a checked POST query is answered before the rest of the stack
            Middleware(GraphQLPostLane, view=graphql),
            Middleware(BodyLimit, max_bytes=settings.max_body_bytes),
        ],
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/graphql", graphql),  # other methods: a coded 405 from the view
            WebSocketRoute("/graphql", graphql),
        ],
        lifespan=lifespan,
    )
