"""Errors for part of a field: data from the sources that answered, errors for the rest.

GraphQL lets a resolver either return a value or fail its field. The
cross-system view needs both at once: ``jobs`` answers with the jobs of the
systems that replied *and* reports the system that failed as a GraphQL error
carrying ``extensions.upstream``. Failing the field would throw away the good
part; a nullable "errors" sub-field would only show the failure to callers who
select it.

The mechanism: :class:`PartialErrors`, a schema extension that runs once per
operation (never per field), opens a per-operation list in a
:class:`~contextvars.ContextVar`; a resolver calls :func:`report_partial_error`
to add an error to it; when the operation ends the extension appends the list
to ``result.errors``. A ContextVar (rather than an attribute of the request
context) keeps this private to the two ends that use it: asyncio tasks copy the
context when they are created, so every resolver task of the operation sees the
same list object.

The error's ``path`` is the field that answered partially (e.g. ``["jobs"]``)
while that field still has data: the way federated gateways report a subgraph
that failed under a field that resolved.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from gateway.errors import GatewayError

logger = logging.getLogger("gateway.graphql")

_collected: ContextVar[list[GraphQLError] | None] = ContextVar("partial_errors", default=None)


def report_partial_error(
    path: list[str | int], error: GatewayError, **extra_extensions: Any
) -> bool:
    """Add ``error`` to the response without failing the field at ``path``.

    ``extra_extensions`` are added to the error's own ``extensions`` (e.g. the
    ``source`` whose part is missing). Returns ``False`` when no
    :class:`PartialErrors` extension is running (the error is then only logged;
    callers also say it in their own ``warnings``).
    """
    errors = _collected.get()
    if errors is None:
        logger.warning("partial error without a collector at %s: %s", path, error.message)
        return False
    errors.append(
        GraphQLError(
            error.message,
            path=path,
            extensions={**error.extensions(), **extra_extensions},
        )
    )
    return True


@contextmanager
def collecting_partial_errors() -> Iterator[list[GraphQLError]]:
    """Open the operation's list of partial errors; it holds them when the block ends."""
    errors: list[GraphQLError] = []
    token = _collected.set(errors)
    try:
        yield errors
    finally:
        _collected.reset(token)


class PartialErrors(SchemaExtension):
    """Appends the errors reported with :func:`report_partial_error` to the result."""

    def on_operation(self) -> Iterator[None]:
        with collecting_partial_errors() as errors:
            yield
        result = self.execution_context.result
        if errors and result is not None:
            result.errors = [*(result.errors or []), *errors]


def partial_errors_reported() -> bool:
    """Whether the running operation has reported a partial error so far."""
    return bool(_collected.get())
