"""The graph: Strawberry types, queries and mutations, one module per domain.

:func:`build_schema` assembles them into the ``Schema`` the gateway serves;
``jobs-gateway schema`` prints its SDL, committed as ``schema.graphql``.
"""

from __future__ import annotations

import logging
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from gateway.errors import GatewayError
from schema.extensions import ErrorShaping
from schema.flow_job_mutations import FlowJobMutations
from schema.flow_jobs import FlowJob, FlowJobQueries
from schema.jobs import JobQueries
from schema.node_lookup import NodeQueries
from schema.operations_job_mutations import OperationsJobMutations
from schema.operations_jobs import OperationsJob, OperationsJobQueries
from schema.partial_errors import PartialErrors
from schema.workflow_job_mutations import WorkflowJobMutations
from schema.workflow_jobs import JobTemplate, WorkflowJob, WorkflowJobNode, WorkflowJobQueries

logger = logging.getLogger("gateway.graphql")

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
    *, max_depth: int = 12, introspection: bool = True, max_aliases: int = 50
) -> GatewaySchema:
    """The gateway's schema with its protective extensions."""
    from strawberry.extensions import DisableIntrospection

    extensions: list[Any] = [
        ErrorShaping,
        PartialErrors,
        lambda: QueryDepthLimiter(max_depth=max_depth),
        lambda: MaxAliasesLimiter(max_alias_count=max_aliases),
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        types=[FlowJob, OperationsJob, WorkflowJob, JobTemplate, WorkflowJobNode],
        extensions=extensions,
        config=StrawberryConfig(auto_camel_case=True),
    )


def print_sdl() -> str:
    """The SDL of the schema."""
    schema: Any = build_schema()
    return str(schema.as_str()) + "\n"
