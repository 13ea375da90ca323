"""The client span of one upstream round trip, when traces are on.

:meth:`~gateway.upstreams.client.UpstreamClient._send` sends through
:func:`traced_request` when it has a tracer. The span is a child of the
current one (the GraphQL request's, see
:mod:`gateway.observability.request_spans`) and its W3C ``traceparent`` goes
upstream with the request, so an upstream that traces continues the trace.
Each attempt of a retried GET is a span of its own; a GET that joined an
identical one in flight has none (the one that went out belongs to the
request that sent it).

Attributes, per the HTTP client conventions: ``http.request.method``,
``url.path`` as the route template (``/api/v2/jobs/{id}/``: never the sent
path's ids, never its query string, which may carry a token),
``server.address``, ``server.port``, ``http.response.status_code`` and
``error.type`` (the status, or what failed); and ``gateway.upstream``.
"""

from __future__ import annotations

import asyncio
from functools import lru_cache
from urllib.parse import urlsplit

from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer, set_span_in_context
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from gateway.observability.labels import route_template
from gateway.upstreams.wire import Query, Wire, WireAnswer, WireFailure

W3C = TraceContextTextMapPropagator()


@lru_cache(maxsize=4096)
def _template(route: str) -> str:
    return route_template(route)


def server_of(url: str) -> dict[str, str | int]:
    """``server.address`` and ``server.port`` of an upstream's base URL."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return {"server.address": parts.hostname or "", "server.port": port}


async def traced_request(
    tracer: Tracer,
    wire: Wire,
    upstream: str,
    server: dict[str, str | int],
    method: str,
    url: str,
    route: str,
    query: Query,
    headers: dict[str, str],
    content: bytes | None,
) -> WireAnswer:
    """``wire.send(...)`` inside a client span, with its ``traceparent`` in ``headers``."""
    template = _template(route)
    span = tracer.start_span(
        f"{method} {template}",
        kind=SpanKind.CLIENT,
        attributes={
            "http.request.method": method,
            "url.path": template,
            "gateway.upstream": upstream,
            **server,
        },
    )
    W3C.inject(headers, context=set_span_in_context(span))
    try:
        response = await wire.send(method, url, query, headers, content)
    except BaseException as exc:
        # The exception's type only: its message may name the host or the query string.
        cause = exc.__cause__ if isinstance(exc, WireFailure) and exc.__cause__ else exc
        failure = (
            "cancelled"
            if isinstance(exc, asyncio.CancelledError)
            else f"{type(cause).__module__}.{type(cause).__qualname__}"
        )
        span.set_attribute("error.type", failure)
        span.set_status(Status(StatusCode.ERROR))
        span.end()
        raise
    status = response.status
    span.set_attribute("http.response.status_code", status)
    if status >= 400:
        span.set_attribute("error.type", str(status))
        span.set_status(Status(StatusCode.ERROR))
    span.end()
    return response
