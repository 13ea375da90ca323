"""The ASGI middleware that gives each HTTP request an id and observes ``/graphql``.

Every HTTP answer carries ``X-Request-ID``: the caller's, when it is sane
(:func:`~gateway.observability.labels.incoming_request_id`), else a new one.
Requests to ``/graphql`` are timed from the first byte in to the last byte
out and counted in flight; as their last byte goes out (or they fail without
an answer) the middleware emits their metrics and log line
(:mod:`gateway.observability.emit`), so whoever holds the answer can already
see them. Other paths (``/healthz``, ``/readyz``, ``/metrics``) are neither
counted nor logged. With traces on (a ``tracer``), each ``/graphql`` request
also gets a span (:mod:`gateway.observability.request_spans`), current while
it is served and ended with its metrics. WebSocket
connections pass through; the schema extension observes their operations.
A refusal answered before GraphQL ran (413 from the body limit, 400/405/415
from the view) gets ``requestId`` in its errors here, like every GraphQL error.
"""

from __future__ import annotations

import time

import orjson
from opentelemetry import context as trace_context
from opentelemetry.trace import Tracer, set_span_in_context
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.observability.emit import emit
from gateway.observability.labels import incoming_request_id, new_request_id
from gateway.observability.metrics import GatewayMetrics
from gateway.observability.observation import Observation, current
from gateway.observability.request_spans import end_request_span, start_request_span

HEADER = b"x-request-id"
OBSERVED_PATH = "/graphql"


class RequestObservation:
    """Request ids for every HTTP request; metrics, a log line and a span for GraphQL ones."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: GatewayMetrics | None,
        request_log: bool,
        tracer: Tracer | None = None,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.request_log = request_log
        self.tracer = tracer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope) or new_request_id()
        header = (HEADER, request_id.encode("ascii"))
        if scope["path"] != OBSERVED_PATH:

            async def send_id(message: Message) -> None:
                if message["type"] == "http.response.start":
                    message["headers"] = [*message.get("headers", ()), header]
                await send(message)

            await self.app(scope, receive, send_id)
            return
        observation = Observation(request_id=request_id, metrics=self.metrics)
        token = current.set(observation)
        span_token = None
        if self.tracer is not None:
            span = observation.span = start_request_span(
                self.tracer, scope["method"], OBSERVED_PATH, scope["headers"], request_id
            )
            span_token = trace_context.attach(set_span_in_context(span))
        if self.metrics is not None:
            self.metrics.in_flight.inc()
        started = time.perf_counter()
        status: int | None = None
        done = False

        def finish() -> None:
            nonlocal done
            done = True
            if self.metrics is not None:
                self.metrics.in_flight.dec()
            if observation.outcome is None:  # never reached the schema (GraphiQL, a 4xx)
                observation.outcome = "ok" if status is not None and status < 400 else "refused"
            emit(
                observation,
                metrics=self.metrics,
                request_log=self.request_log,
                status=status,
                seconds=time.perf_counter() - started,
            )
            if observation.span is not None:
                end_request_span(observation.span, observation, status)

        held: Message | None = None  # the start of a refusal, until its body is stamped

        async def send_observed(message: Message) -> None:
            nonlocal status, held
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
                if status >= 400:
                    held = message
                    return
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                # Before the last byte goes out: whoever has the answer sees its metrics.
                finish()
                if held is not None:
                    start, held = held, None
                    message = stamp_refusal(start, message, request_id)
                    await send(start)
            elif held is not None:  # a streamed error body: send it as it is
                start, held = held, None
                await send(start)
            await send(message)

        try:
            await self.app(scope, receive, send_observed)
        finally:
            current.reset(token)
            if span_token is not None:
                trace_context.detach(span_token)
            if not done:
                finish()


def stamp_refusal(start: Message, body: Message, request_id: str) -> Message:
    """The body of a refusal (a 4xx/5xx answer made before GraphQL ran, like the
    body limit's 413) with ``requestId`` in each error's ``extensions``.

    ``start``'s ``content-length`` is updated in place; a body that is not
    a JSON object with an ``errors`` list is left as it is.
    """
    try:
        document = orjson.loads(body.get("body", b""))
    except orjson.JSONDecodeError:
        return body
    errors = document.get("errors") if isinstance(document, dict) else None
    if not isinstance(errors, list):
        return body
    for error in errors:
        if isinstance(error, dict):
            extensions = error.get("extensions")
            if not isinstance(extensions, dict):
                extensions = error["extensions"] = {}
            extensions["requestId"] = request_id
    content = orjson.dumps(document)
    start["headers"] = [
        (name, str(len(content)).encode("ascii") if name.lower() == b"content-length" else value)
        for name, value in start["headers"]
    ]
    return {**body, "body": content}


def _request_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == HEADER:
            try:
                return incoming_request_id(value.decode("ascii"))
            except UnicodeDecodeError:
                return None
    return None
