"""Assembles a sandbox upstream: its routes, the control routes and the middleware."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from sandbox.auth import AuthPolicy
from sandbox.faults import FaultPlan, FaultSettings
from sandbox.middleware import ErrorBody, SandboxMiddleware
from sandbox.responses import JSONBody
from sandbox.settings import SandboxSettings
from sandbox.stats import RequestStats
from sandbox.token_endpoint import IssuedTokens, control_routes, token_route


@dataclass(slots=True)
class SandboxControl:
    """What the control routes act on; kept on ``app.state.sandbox``."""

    name: str
    settings: SandboxSettings
    plan: FaultPlan
    stats: RequestStats = field(default_factory=RequestStats)
    reset_data: Callable[[], None] | None = None
    issued: IssuedTokens | None = None


def build_sandbox_app(
    *,
    name: str,
    routes: Sequence[BaseRoute],
    auth: AuthPolicy,
    error_body: ErrorBody,
    openapi: dict[str, Any],
    settings: SandboxSettings,
    reset_data: Callable[[], None] | None = None,
    unauthorized_headers: dict[str, str] | None = None,
    token_path: str | None = None,
    public_paths: frozenset[str] = frozenset(),
) -> Starlette:
    """A Starlette app serving ``routes`` plus ``/openapi.json`` and ``/_sandbox/*``.

    Control routes:
    - ``GET /_sandbox/stats``: request counts by method and route template;
    - ``POST /_sandbox/reset``: counts back to zero; ``{"data": true}`` also
      regenerates the seeded data;
    - ``GET``/``PUT /_sandbox/faults``: the latency and fault settings;
    - with ``token_path``, the OAuth2 token endpoint there (public: it checks
      the client itself) and its controls (:mod:`sandbox.token_endpoint`).

    ``public_paths``: routes answered without credentials.
    """
    control = SandboxControl(name=name, settings=settings, plan=FaultPlan(settings.faults))
    oauth_routes: list[BaseRoute] = []
    if token_path is not None:
        control.issued = IssuedTokens(settings.token_lifetime)
        auth = replace(auth, issued=control.issued)
        oauth_routes = [
            token_route(token_path, settings, control.issued),
            *control_routes(control.issued),
        ]
        public_paths = public_paths | {token_path}

    async def openapi_doc(request: Request) -> Response:
        return JSONBody(openapi)

    async def stats(request: Request) -> Response:
        return JSONBody(control.stats.snapshot())

    async def reset(request: Request) -> Response:
        body = await request.body()
        control.stats.reset()
        if body:
            try:
                wants = JSONBody.parse(body)
            except ValueError:
                return JSONBody({"detail": "body must be JSON"}, status_code=400)
            if isinstance(wants, dict) and wants.get("data") and reset_data is not None:
                reset_data()
        return JSONBody(control.stats.snapshot())

    async def faults(request: Request) -> Response:
        if request.method == "PUT":
            try:
                payload = JSONBody.parse(await request.body())
                if not isinstance(payload, dict):
                    raise ValueError("fault settings must be a JSON object")
                new = FaultSettings.from_json(payload)
            except (ValueError, TypeError) as exc:
                return JSONBody({"detail": str(exc)}, status_code=400)
            settings.faults = new
            control.plan.replace(new)
        return JSONBody(control.plan.settings.to_json())

    all_routes = [
        *routes,
        *oauth_routes,
        Route("/openapi.json", openapi_doc, methods=["GET"]),
        Route("/_sandbox/stats", stats, methods=["GET"]),
        Route("/_sandbox/reset", reset, methods=["POST"]),
        Route("/_sandbox/faults", faults, methods=["GET", "PUT"]),
    ]
    app = Starlette(
        routes=all_routes,
        middleware=[
            Middleware(
                SandboxMiddleware,
                routes=all_routes,
                auth=auth,
                error_body=error_body,
                plan=control.plan,
                stats=control.stats,
                unauthorized_headers=unauthorized_headers,
                public_paths=public_paths,
            )
        ],
    )
    app.state.sandbox = control
    return app
