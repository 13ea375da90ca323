"""CORS for browsers on other origins, and the WebSocket's ``Origin`` check.

``GATEWAY_CORS_ORIGINS`` lists the exact origins (``https://app.example.com``,
scheme, host and port, no path) whose pages may call ``/graphql`` from a
browser; empty (the default) sends no CORS header at all and adds no
middleware. ``*`` allows any origin, but only with
``GATEWAY_CORS_ALLOW_CREDENTIALS=false`` (the default): browsers refuse a
credentialed answer to ``*``. Credentials here are cookies and browser-held
HTTP auth; a page that sends its own ``Authorization`` header needs no
credentials mode. Preflights are answered for ``GET``, ``POST`` and
``OPTIONS`` with :data:`ALLOWED_HEADERS` and kept by the browser for
``GATEWAY_CORS_MAX_AGE`` seconds (default 600).

Starlette's ``CORSMiddleware`` does the work. It is the outermost middleware,
so that the answers of the POST lane (:mod:`gateway.graphql_post_lane`), of
the refusals and of ``/healthz`` carry the headers, and a preflight
``OPTIONS`` is answered before the view (which refuses ``OPTIONS`` with 405).
Preflights are not counted in the request metrics or log.

A WebSocket handshake is not subject to CORS, and a page on any site can open
one with the user's cookies (cross-site WebSocket hijacking). Strawberry's
view checks the handshake's ``Origin`` (its ``allowed_origins``, given the
same list): a handshake from a page on another origin than the gateway's own
``Host`` that is not in the list (any, with ``*``) is refused before it is
accepted, which the server sends as HTTP 403. With no CORS origins, only
same-origin pages (GraphiQL) and clients that send no ``Origin`` (not
browsers) may connect.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from gateway.csrf import PREFLIGHT_HEADERS
from gateway.observability.middleware import HEADER as REQUEST_ID

ALLOWED_METHODS = ("GET", "POST", "OPTIONS")
ALLOWED_HEADERS = (
    "accept",
    "authorization",
    "content-type",
    *PREFLIGHT_HEADERS,
    "apollographql-client-name",
    "apollographql-client-version",
    "traceparent",
    "tracestate",
    "x-request-id",
    "x-cost-dry-run",
)
"""Request headers a page on an allowed origin may send (asked for in its preflight)."""
EXPOSED_HEADERS = (REQUEST_ID.decode(),)
"""Answer headers a page may read besides the safelisted ones."""


def cors_middleware(
    origins: Sequence[str], *, allow_credentials: bool, max_age: int
) -> list[Middleware]:
    """Starlette's ``CORSMiddleware`` for ``origins``; none at all when the list is empty."""
    if not origins:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=list(origins),
            allow_methods=list(ALLOWED_METHODS),
            allow_headers=list(ALLOWED_HEADERS),
            allow_credentials=allow_credentials,
            expose_headers=list(EXPOSED_HEADERS),
            max_age=max_age,
        )
    ]
