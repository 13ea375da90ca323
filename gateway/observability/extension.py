"""The schema extension that reads each operation's name and outcome.

It runs once per operation (``on_operation``, never per field) and must be
the first extension of the schema: extensions leave ``on_operation`` in
reverse order, so the first one sees the errors after
:class:`~schema.core.errors.ErrorShaping` has rewritten them, reads their
final ``code`` and adds ``requestId`` to their ``extensions``.

Over HTTP the middleware has opened the request's observation and emits it;
an operation over the WebSocket has none, so the extension opens one for the
operation and emits it itself.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from gateway.observability.emit import emit
from gateway.observability.labels import new_request_id
from gateway.observability.metrics import GatewayMetrics
from gateway.observability.observation import Observation, current

OPERATION_NAME_MAX = 128


class Observe(SchemaExtension):
    """Fills the request's observation in; stamps ``requestId`` on each error."""

    def __init__(self, *, metrics: GatewayMetrics | None, request_log: bool) -> None:
        self.metrics = metrics
        self.request_log = request_log

    def on_operation(self) -> Iterator[None]:
        observation = current.get()
        own = observation is None
        if observation is None:
            observation = Observation(request_id=new_request_id(), metrics=self.metrics)
            current.set(observation)
        started = time.perf_counter()
        yield
        context = self.execution_context
        name = context.operation_name
        observation.operation = name[:OPERATION_NAME_MAX] if name else None
        errors: list[GraphQLError] = list(getattr(context.result, "errors", None) or [])
        observation.outcome = _outcome(getattr(context.result, "data", None), errors)
        for error in errors:
            extensions: dict[str, Any] = dict(error.extensions or {})
            code = extensions.get("code")
            if isinstance(code, str):
                observation.error_codes.append(code)
            extensions["requestId"] = observation.request_id
            error.extensions = extensions
        if own:
            emit(
                observation,
                metrics=self.metrics,
                request_log=self.request_log,
                status=None,
                seconds=time.perf_counter() - started,
            )


def _outcome(data: object, errors: list[GraphQLError]) -> str:
    """``ok``; ``errors`` (it ran, some fields failed); ``refused`` (it never ran)."""
    if not errors:
        return "ok"
    if data is None and all(error.path is None for error in errors):
        return "refused"
    return "errors"
