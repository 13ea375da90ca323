"""The schema extension that observes operations over the WebSocket.

Over HTTP the middleware opens each request's observation and the view
(:mod:`gateway.observability.view`) fills it in, since a checked document
skips the extensions. An operation over the WebSocket has no observation:
this extension, put first among the schema's extensions so it leaves each
operation last, opens one, reads the operation's name, outcome and error
codes, and emits it. It runs once per operation, never per field.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import StreamExecutionResult

from gateway.observability.emit import emit
from gateway.observability.labels import new_request_id
from gateway.observability.metrics import GatewayMetrics
from gateway.observability.observation import Observation, current

OPERATION_NAME_MAX = 128


class Observe(SchemaExtension):
    """Observes one operation that no HTTP request observes (one over the WebSocket)."""

    def __init__(self, *, metrics: GatewayMetrics | None, request_log: bool) -> None:
        self.metrics = metrics
        self.request_log = request_log

    def on_operation(self) -> Iterator[None]:
        if current.get() is not None:  # over HTTP: the view and the middleware observe it
            yield
            return
        observation = Observation(request_id=new_request_id(), metrics=self.metrics)
        current.set(observation)
        started = time.perf_counter()
        yield
        context = self.execution_context
        name = context.operation_name
        observation.operation = name[:OPERATION_NAME_MAX] if name else None
        errors: list[GraphQLError] = list(getattr(context.result, "errors", None) or [])
        observation.outcome = outcome_of(getattr(context.result, "data", None), errors)
        for error in errors:
            code = (error.extensions or {}).get("code")
            if isinstance(code, str):
                observation.error_codes.append(code)
            error.extensions = {**(error.extensions or {}), "requestId": observation.request_id}
        emit(
            observation,
            metrics=self.metrics,
            request_log=self.request_log,
            status=None,
            seconds=time.perf_counter() - started,
        )


class StampRequestId(SchemaExtension):
    """Adds ``requestId`` to the errors of each result streamed over the WebSocket.

    It must come after :class:`~schema.core.errors.ErrorShaping`, which
    rewrites those errors as the result goes out: the stamp goes on the
    shaped errors, just before they are sent.
    """

    def on_stream_result(self, result: StreamExecutionResult) -> Iterator[None]:
        observation = current.get()
        errors: list[GraphQLError] | None = getattr(result, "errors", None)
        if observation is not None and errors:
            for error in errors:
                error.extensions = {**(error.extensions or {}), "requestId": observation.request_id}
        yield


def outcome_of(data: object, errors: list[GraphQLError] | None) -> str:
    """``ok``; ``errors`` (it ran, some fields failed); ``refused`` (it never ran)."""
    if not errors:
        return "ok"
    if data is None and all(error.path is None for error in errors):
        return "refused"
    return "errors"
