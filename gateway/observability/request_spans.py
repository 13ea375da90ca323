"""The span of one GraphQL HTTP request, continuing the caller's W3C ``traceparent``.

:class:`~gateway.observability.middleware.RequestObservation` opens it (when
traces are on) as a server span whose parent is the ``traceparent`` (and
``tracestate``) the caller sent, if any, and makes it the current span, so
the upstream calls made while serving the request (loader batches and shared
GETs included: their tasks copy the context) become its children. It is
named ``POST /graphql`` until the operation is known, then
``<type> <name>`` (``query Recent``), as the semantic conventions for
GraphQL name it.

Its attributes are the operation's name and type, the request id, the HTTP
status, the outcome and the error codes: never variables, headers or
credentials, and the document's text only with ``GATEWAY_TRACE_DOCUMENT=true``
(which the view adds, :meth:`~gateway.observability.view.ObservedGraphQL.note_operation`).
"""

from __future__ import annotations

from collections.abc import Iterable

from opentelemetry.context import Context
from opentelemetry.propagators.textmap import Getter
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from gateway.observability.labels import operation_label
from gateway.observability.observation import Observation

W3C = TraceContextTextMapPropagator()
_PROPAGATED = frozenset({b"traceparent", b"tracestate"})

OPERATION_NAME = "graphql.operation.name"
OPERATION_TYPE = "graphql.operation.type"
DOCUMENT = "graphql.document"
REQUEST_ID = "gateway.request_id"
OUTCOME = "gateway.outcome"
ERROR_CODES = "gateway.error_codes"


class _AsgiHeaders(Getter[dict[str, list[str]]]):
    def get(self, carrier: dict[str, list[str]], key: str) -> list[str] | None:
        return carrier.get(key)

    def keys(self, carrier: dict[str, list[str]]) -> list[str]:
        return list(carrier)


_GETTER = _AsgiHeaders()


def caller_context(headers: Iterable[tuple[bytes, bytes]]) -> Context | None:
    """The trace context the caller sent (``traceparent``, ``tracestate``), if any."""
    carrier: dict[str, list[str]] = {}
    for name, value in headers:
        if name in _PROPAGATED:
            carrier.setdefault(name.decode("ascii"), []).append(value.decode("latin-1"))
    if not carrier:
        return None
    return W3C.extract(carrier, getter=_GETTER)


def start_request_span(
    tracer: Tracer, method: str, path: str, headers: Iterable[tuple[bytes, bytes]], request_id: str
) -> Span:
    """The server span of one request, child of the caller's span if it sent one."""
    return tracer.start_span(
        f"{method} {path}",
        context=caller_context(headers),
        kind=SpanKind.SERVER,
        attributes={
            "http.request.method": method,
            "url.path": path,
            "http.route": path,
            REQUEST_ID: request_id,
        },
    )


def end_request_span(span: Span, observation: Observation, status: int | None) -> None:
    """Name the span after its operation, add what the request did, and end it.

    The status is ``ERROR`` for a 5xx answer or an operation that ran with
    errors; a refusal (the caller's mistake, like a 4xx) leaves it unset.
    """
    name = operation_label(observation.operation) if observation.operation else None
    kind = observation.operation_type
    if kind is not None:
        span.update_name(f"{kind} {name}" if name else kind)
        span.set_attribute(OPERATION_TYPE, kind)
    if name:
        span.set_attribute(OPERATION_NAME, name)
    outcome = observation.outcome or "refused"
    span.set_attribute(OUTCOME, outcome)
    if observation.error_codes:
        span.set_attribute(ERROR_CODES, sorted(set(observation.error_codes)))
    if status is not None:
        span.set_attribute("http.response.status_code", status)
    if (status is not None and status >= 500) or outcome == "errors":
        codes = observation.error_codes
        span.set_status(Status(StatusCode.ERROR, codes[0] if codes else None))
    span.end()
