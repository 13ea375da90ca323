"""The ``/graphql`` view, observed: operation name, outcome, error codes, ``requestId``.

Over HTTP a checked document runs on the schema's fast path, without the
extension pipeline, so the HTTP request is observed here, at the view, which
every answer passes: the operation's name when the body is parsed, and its
outcome and error codes when the result is turned into the response, where
each error also gets ``extensions.requestId``. Operations over the WebSocket
go through the pipeline; :class:`~gateway.observability.extension.Observe`,
put first among the schema's extensions, observes those.
"""

from __future__ import annotations

from typing import Any, cast

import strawberry
from cross_web import AsyncHTTPRequestAdapter
from starlette.requests import Request
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.types import ExecutionResult

from gateway.config import Settings
from gateway.graphql_view import GatewayGraphQL
from gateway.observability.extension import Observe, StampRequestId, outcome_of
from gateway.observability.metrics import GatewayMetrics
from gateway.observability.observation import current
from gateway.observability.operation_type import operation_head
from gateway.observability.request_spans import DOCUMENT

OPERATION_NAME_MAX = 128


class ObservedGraphQL(GatewayGraphQL):
    """The gateway's view, filling in the request's observation."""

    def __init__(
        self, settings: Settings, *, metrics: GatewayMetrics | None, request_log: bool
    ) -> None:
        super().__init__(settings)

        def observe() -> Observe:  # one per operation: strawberry keeps state on it
            return Observe(metrics=metrics, request_log=request_log)

        schema = self.schema
        assert isinstance(schema, strawberry.Schema)
        # Observe first, so that it leaves each operation last and sees its errors
        # shaped; the stamp last, so that it runs on streamed results after shaping.
        schema.extensions = (observe, *schema.extensions, StampRequestId)

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:
        data = await super().parse_http_body(request)
        self.note_operation(data.query, data.operation_name)
        return data

    def note_operation(self, query: str | None, operation_name: str | None) -> None:
        """The operation's name into the request's observation (its type and, when
        ``GATEWAY_TRACE_DOCUMENT`` asks, its text into the request's span)."""
        observation = current.get()
        if observation is not None:
            kind, found = operation_head(query, operation_name)
            name = operation_name or found
            observation.operation = name[:OPERATION_NAME_MAX] if name else None
            if observation.span is not None:
                observation.operation_type = kind
                if self.settings.trace_document and query:
                    observation.span.set_attribute(DOCUMENT, query)

    def answer_of(self, result: ExecutionResult) -> dict[str, Any]:
        response = super().answer_of(result)
        _observe_answer(result, response)
        return response

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response = await super().process_result(request, result)
        _observe_answer(result, cast("dict[str, Any]", response))
        return response


def _observe_answer(result: ExecutionResult, response: dict[str, Any]) -> None:
    """The outcome and error codes into the request's observation; ``requestId`` into errors."""
    observation = current.get()
    if observation is None:
        return
    observation.outcome = outcome_of(result.data, result.errors)
    formatted = cast("list[dict[str, Any]]", response.get("errors") or [])
    for error in formatted:
        extensions = error.setdefault("extensions", {})
        code = extensions.get("code")
        if isinstance(code, str):
            observation.error_codes.append(code)
        extensions["requestId"] = observation.request_id
