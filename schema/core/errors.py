"""Schema extensions: how errors reach the client.

:class:`ErrorShaping` runs once per operation (never per field) and rewrites
each error:

- a :class:`~gateway.errors.GatewayError` keeps its message and gets its
  ``extensions`` (``code``, ``upstream``, ``request``, ``response``);
- a GraphQL validation or coercion error gets ``code`` ``GRAPHQL_VALIDATION_FAILED``
  or ``BAD_USER_INPUT``;
- anything else is a bug: it is logged with its traceback and the client
  sees ``Internal server error`` with code ``INTERNAL_SERVER_ERROR``, never
  the exception text.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from gateway.errors import GatewayError

logger = logging.getLogger("gateway.graphql")


def shape_error(error: GraphQLError) -> GraphQLError:
    """The client-safe version of one error."""
    original = error.original_error
    while isinstance(original, GraphQLError) and original.original_error is not None:
        original = original.original_error
    if isinstance(original, GatewayError):
        return GraphQLError(
            original.message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions=original.extensions(),
        )
    if original is None or isinstance(original, GraphQLError):
        if error.extensions and "code" in error.extensions:
            return error
        code = "GRAPHQL_VALIDATION_FAILED" if error.path is None else "BAD_USER_INPUT"
        return GraphQLError(
            error.message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={**(error.extensions or {}), "code": code},
        )
    logger.error("unexpected error at %s", error.path, exc_info=original)
    return GraphQLError(
        "Internal server error",
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": "INTERNAL_SERVER_ERROR"},
    )


class ErrorShaping(SchemaExtension):
    """Rewrites the errors of each operation into their client-safe shape."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = [shape_error(e) for e in errors]  # type: ignore[union-attr]
