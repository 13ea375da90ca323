"""The graph: one package per domain, assembled into the schema the gateway serves.

- :mod:`schema.core`: nodes and global ids, pagination, scalars, shared
  filter fields, user errors and error shaping;
- :mod:`schema.jobstore`, :mod:`schema.opsmanager`, :mod:`schema.awx`: each
  system's ``types``, ``inputs``, ``queries``, ``mutations`` and
  ``resolvers``;
- :mod:`schema.view`: the cross-system ``jobs`` and ``jobCounts``.

Resolvers stay thin: they read their arguments and call one function (a
``resolvers`` module next door, a type's ``load``, or :mod:`gateway.view`),
which goes to the loaders and the upstream clients. :func:`build_schema`
assembles the schema; ``jobs-gateway schema`` prints its SDL, committed as
``schema.graphql``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from gateway.errors import GatewayError
from schema.awx.mutations import WorkflowJobMutations
from schema.awx.queries import WorkflowJobQueries
from schema.awx.types import JobTemplate, WorkflowJob, WorkflowJobNode
from schema.core.demand_control import DemandControl
from schema.core.errors import ErrorShaping
from schema.core.lookup import NodeQueries, register_node_types
from schema.core.partial_errors import PartialErrors
from schema.jobstore.mutations import FlowJobMutations
from schema.jobstore.queries import FlowJobQueries
from schema.jobstore.types import FlowJob
from schema.opsmanager.mutations import OperationsJobMutations
from schema.opsmanager.queries import OperationsJobQueries
from schema.opsmanager.types import OperationsJob
from schema.view.queries import JobQueries

logger = logging.getLogger("gateway.graphql")

NODE_TYPES = (FlowJob, OperationsJob, WorkflowJob, JobTemplate, WorkflowJobNode)
register_node_types(*NODE_TYPES)

Query = merge_types(
    "Query", (NodeQueries, FlowJobQueries, OperationsJobQueries, WorkflowJobQueries, JobQueries)
)
Mutation = merge_types("Mutation", (FlowJobMutations, OperationsJobMutations, WorkflowJobMutations))


class GatewaySchema(strawberry.Schema):
    """The schema, logging expected errors briefly and only bugs with a traceback."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            original = error.original_error
            if isinstance(original, GatewayError):
                logger.info("%s at %s: %s", original.code, error.path, original.message)
            elif original is None or isinstance(original, GraphQLError):
                logger.debug("request error: %s", error.message)
            # bugs are logged, with their traceback, by ErrorShaping


def build_schema(
    *,
    max_depth: int = 12,
    introspection: bool = True,
    max_aliases: int = 50,
    max_cost: int = 20_000,
    first_extensions: Sequence[Any] = (),
) -> GatewaySchema:
    """The gateway's schema with its protective extensions.

    ``first_extensions`` go before the others, so they leave each operation
    last and see its errors in their final shape (the gateway's
    :class:`~gateway.observability.extension.Observe`).
    """
    from strawberry.extensions import DisableIntrospection

    extensions: list[Any] = [
        *first_extensions,
        ErrorShaping,
        PartialErrors,
        lambda: QueryDepthLimiter(max_depth=max_depth),
        lambda: MaxAliasesLimiter(max_alias_count=max_aliases),
        lambda: DemandControl(max_cost=max_cost),
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        types=list(NODE_TYPES),
        extensions=extensions,
        config=StrawberryConfig(auto_camel_case=True),
    )


def print_sdl() -> str:
    """The SDL of the schema."""
    schema: Any = build_schema()
    return str(schema.as_str()) + "\n"
