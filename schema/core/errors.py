"""Schema extensions: how errors reach the client.

:class:`ErrorShaping` runs once per operation (never per field) and rewrites
each error:

- a :class:`~gateway.errors.GatewayError` keeps its message and gets its
  ``extensions`` (``code``, ``upstream``, ``request``, ``response``);
- a syntax error (including a query over the text limits) gets ``code``
  ``GRAPHQL_PARSE_FAILED``; a validation or coercion error
  ``GRAPHQL_VALIDATION_FAILED`` or ``BAD_USER_INPUT``; an error that already
  has a code keeps it;
- a ``RecursionError`` (a document nested beyond what the interpreter can
  walk, wherever it was found), or graphql-core abandoning validation for the
  same reason, is ``QUERY_TOO_COMPLEX``;
- any other error of the validation phase is ``GRAPHQL_VALIDATION_FAILED``,
  whatever exception a rule caught on the way (graphql-core's ``Int`` runs
  ``int()`` on a literal, which raises a plain ``ValueError`` past 4,300
  digits): it is about the document, never a bug of the gateway;
- a request problem strawberry reports inside a stream (GraphQL over SSE: a
  mutation sent with GET, no query, an ambiguous operation) is ``BAD_REQUEST``;
- anything else is a bug: it is logged with its traceback and the client
  sees ``Internal server error`` with code ``INTERNAL_SERVER_ERROR``, never
  the exception text.

With introspection off, the ``Did you mean ...?`` suggestions are removed
from messages too: they would name fields the schema no longer shows.

The operation hook shapes answers over HTTP; the stream-result hook shapes
those sent over the WebSocket, which leave before the operation hook ends.
:func:`shape_error` is idempotent, so an error may pass through both.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Iterator

from graphql import GraphQLError, GraphQLSyntaxError
from graphql.validation.validate import ValidationAbortedError
from strawberry.exceptions import MissingQueryError
from strawberry.extensions import SchemaExtension
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import StreamExecutionResult

from gateway.errors import GatewayError

logger = logging.getLogger("gateway.graphql")

SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?\s*$")
"""graphql-core's suggestion sentence, always at the end of its messages."""

NESTING_ABORT_MESSAGE = "Validation aborted."
"""graphql-core's message when fragments nest too deeply (its other abort names its reason)."""
TOO_COMPLEX_MESSAGE = "the query is nested too deeply to be processed: simplify its fragments"


REQUEST_PROBLEMS = (InvalidOperationTypeError, CannotGetOperationTypeError, MissingQueryError)
"""What strawberry finds wrong with a request before GraphQL runs (over HTTP: a coded 4xx)."""


def strip_suggestions(message: str) -> str:
    """``message`` without a trailing ``Did you mean ...?`` sentence."""
    return SUGGESTION.sub("", message)


def _with(error: GraphQLError, message: str, extensions: dict[str, object]) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=extensions,
    )


def _nesting_abort(error: GraphQLError) -> bool:
    """graphql-core's validation stopped because fragments nest beyond its recursion bound."""
    return isinstance(error, ValidationAbortedError) and error.message == NESTING_ABORT_MESSAGE


def shape_error(
    error: GraphQLError, *, hide_suggestions: bool = False, from_validation: bool = False
) -> GraphQLError:
    """The client-safe version of one error (``from_validation``: validation reported it)."""
    original = error.original_error
    while isinstance(original, GraphQLError) and original.original_error is not None:
        original = original.original_error
    if isinstance(original, GatewayError):
        return _with(error, original.message, original.extensions())
    if isinstance(original, RecursionError) or _nesting_abort(error):
        logger.info("query too complex at %s: nested too deeply", error.path)
        return _with(error, TOO_COMPLEX_MESSAGE, {"code": "QUERY_TOO_COMPLEX"})
    if isinstance(original, REQUEST_PROBLEMS):
        # a streaming transport reports these as the stream's result, not as a 4xx
        return _with(error, error.message, {"code": "BAD_REQUEST"})
    if from_validation and not isinstance(original, GraphQLError | None):
        return _with(error, error.message, {"code": "GRAPHQL_VALIDATION_FAILED"})
    if original is None or isinstance(original, GraphQLError):
        message = strip_suggestions(error.message) if hide_suggestions else error.message
        if error.extensions and "code" in error.extensions:
            return error if message == error.message else _with(error, message, error.extensions)
        if isinstance(error, GraphQLSyntaxError):
            code = "GRAPHQL_PARSE_FAILED"
        elif error.path is None:
            code = "GRAPHQL_VALIDATION_FAILED"
        else:
            code = "BAD_USER_INPUT"
        return _with(error, message, {**(error.extensions or {}), "code": code})
    logger.error("unexpected error at %s", error.path, exc_info=original)
    return _with(error, "Internal server error", {"code": "INTERNAL_SERVER_ERROR"})


def shape_result(
    result: object,
    *,
    hide_suggestions: bool = False,
    validation_errors: Collection[GraphQLError] = (),
) -> None:
    """Shape the errors of ``result`` (anything with an ``errors`` list) in place.

    ``validation_errors`` are those the validation phase reported.
    """
    errors = getattr(result, "errors", None)
    if errors:
        from_validation = {id(e) for e in validation_errors}
        result.errors = [  # type: ignore[attr-defined]
            shape_error(
                e, hide_suggestions=hide_suggestions, from_validation=id(e) in from_validation
            )
            for e in errors
        ]


class ErrorShaping(SchemaExtension):
    """Rewrites the errors of each operation into their client-safe shape."""

    def __init__(self, *, hide_suggestions: bool = False) -> None:
        self.hide_suggestions = hide_suggestions

    def on_operation(self) -> Iterator[None]:
        yield
        shape_result(
            self.execution_context.result,
            hide_suggestions=self.hide_suggestions,
            validation_errors=self.execution_context.pre_execution_errors or (),
        )

    def on_stream_result(self, result: StreamExecutionResult) -> Iterator[None]:
        shape_result(result, hide_suggestions=self.hide_suggestions)
        yield
