"""The graph: one package per domain, assembled into the schema the gateway serves.

- :mod:`schema.core`: nodes and global ids, pagination, scalars, shared
  filter fields, user errors and error shaping;
- :mod:`schema.jobstore`, :mod:`schema.opsmanager`, :mod:`schema.awx`: each
  system's ``types``, ``inputs``, ``queries``, ``mutations`` and
  ``resolvers``;
- :mod:`schema.view`: the cross-system ``jobs`` and ``jobCounts``, and the live
  ``jobUpdated`` and ``jobsChanged`` subscriptions.

Resolvers stay thin: they read their arguments and call one function (a
``resolvers`` module next door, a type's ``load``, or :mod:`gateway.view`),
which goes to the loaders and the upstream clients. :func:`build_schema`
assembles the schema; ``jobs-gateway schema`` prints its SDL, committed as
``schema.graphql``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import strawberry
from graphql import GraphQLError, MaxIntrospectionDepthRule
from strawberry.extensions import AddValidationRules
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.base import get_object_definition
from strawberry.types.graphql import OperationType

from gateway.errors import GatewayError
from gateway.response_cache import ResponseCache
from schema.awx.mutations import WorkflowJobMutations
from schema.awx.queries import WorkflowJobQueries
from schema.awx.spawned_jobs import SPAWNED_JOB_TYPES
from schema.awx.types import JobTemplate, WorkflowJob, WorkflowJobNode
from schema.core.demand_control import DemandControl
from schema.core.document_cache import CachedDocuments, DocumentCache, already_counted
from schema.core.errors import ErrorShaping, shape_result
from schema.core.fast_path import FastPath
from schema.core.limits import EnforceQueryLimits, QueryLimits
from schema.core.lookup import NodeQueries, register_node_types
from schema.core.partial_errors import PartialErrors
from schema.core.plan_run import PlannedExecution
from schema.core.response_caching import ResponseCaching
from schema.core.scalars import SCALAR_OVERRIDES
from schema.jobstore.mutations import FlowJobMutations
from schema.jobstore.queries import FlowJobQueries
from schema.jobstore.types import FlowJob
from schema.opsmanager.mutations import OperationsJobMutations
from schema.opsmanager.queries import OperationsJobQueries
from schema.opsmanager.types import OperationsJob
from schema.view.mutations import JobActionMutations
from schema.view.queries import JobQueries
from schema.view.subscriptions import JobSubscriptions

logger = logging.getLogger("gateway.graphql")

NODE_TYPES = (
    FlowJob,
    OperationsJob,
    WorkflowJob,
    JobTemplate,
    WorkflowJobNode,
    *SPAWNED_JOB_TYPES,
)
register_node_types(*NODE_TYPES)

Query = merge_types(
    "Query", (NodeQueries, FlowJobQueries, OperationsJobQueries, WorkflowJobQueries, JobQueries)
)
get_object_definition(Query, strict=True).description = (
    "Reads: any object by its global id, each system's jobs, and the jobs of all three as one "
    "list with counts. A failed upstream is a GraphQL error with `extensions.code` beside "
    "whatever data the other upstreams gave."
)
Mutation = merge_types(
    "Mutation",
    (FlowJobMutations, OperationsJobMutations, WorkflowJobMutations, JobActionMutations),
)
get_object_definition(Mutation, strict=True).description = (
    "Writes: create or start a job in one of the three systems, or act on one (cancel, "
    "relaunch, pause, resume, retry a task). Each checks its whole input first: problems come "
    "back together as `userErrors`, and then nothing is sent upstream. Nothing is ever resent "
    "after a lost answer."
)

Subscription = merge_types("Subscription", (JobSubscriptions,))
get_object_definition(Subscription, strict=True).description = (
    "Live job status, polled from the upstreams (they cannot push) and shared: every "
    "subscriber of the same job or filter costs one poll per GATEWAY_SUBSCRIPTION_POLL_SECONDS. "
    "Over graphql-transport-ws on ws://HOST/graphql, or GraphQL over SSE: /graphql with "
    "`Accept: text/event-stream`."
)


class GatewaySchema(strawberry.Schema):
    """The schema, logging expected errors briefly and only bugs with a traceback."""

    hide_suggestions: bool = False
    """Whether error messages lose their ``Did you mean`` suggestions (introspection off)."""
    document_cache: DocumentCache | None = None
    """The parsed and validated documents, by query text."""
    fast_path: FastPath | None = None
    """Runs the checked documents of :attr:`document_cache` without the extensions."""
    response_cache: ResponseCache | None = None
    """Reused list and count answers (``GATEWAY_CACHE_TTL``, set by the app's lifespan)."""

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

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        """A checked document by the fast path; anything else by strawberry's pipeline.

        Subscriptions are refused here (``InvalidOperationTypeError``): they run
        through :meth:`subscribe` / ``stream``.

        An exception escaping the extensions (a rule failing on a document it
        did not expect) ends the operation before :class:`ErrorShaping` can
        see the answer; shaping it here too keeps every error coded.
        """
        # A subscription needs a stream (graphql-transport-ws, SSE): ``execute`` gives one
        # answer, so it refuses them (InvalidOperationTypeError: the view answers a coded 400).
        allowed_operation_types = set(
            OperationType if allowed_operation_types is None else allowed_operation_types
        ) - {OperationType.SUBSCRIPTION}
        counting: AbstractContextManager[None] = nullcontext()
        if self.fast_path is not None and query is not None:
            fast = await self.fast_path.execute(
                query,
                variable_values,
                context_value,
                root_value,
                operation_name,
                allowed_operation_types,
                operation_extensions,
            )
            if fast is not None:
                return fast
            # the fast path looked the text up and counted it: the pipeline's lookup is the same
            counting = already_counted(query)
        with counting:
            result = await super().execute(
                query,
                variable_values,
                context_value,
                root_value,
                operation_name,
                allowed_operation_types,
                operation_extensions,
            )
        shape_result(result, hide_suggestions=self.hide_suggestions)
        return result


def build_schema(
    *,
    limits: QueryLimits | None = None,
    introspection: bool = True,
    max_cost: int = 20_000,
    cached_documents: int = 1024,
    fast_paths: bool = True,
    compiled: bool = True,
    response_caching: bool = False,
) -> GatewaySchema:
    """The gateway's schema with its protective extensions.

    The limits and the document cache are made here, once: every request
    shares them (see :mod:`schema.core.limits`, :mod:`schema.core.document_cache`).
    ``fast_paths=False`` leaves out the fast path (:mod:`schema.core.fast_path`)
    and the leaf shortcut (:mod:`schema.core.leaf_execution`): strawberry and
    graphql-core as they come, the reference the differential tests compare with.
    ``compiled=False`` keeps those but runs checked queries on graphql-core's
    executor rather than by their execution plans (:mod:`schema.core.plan_run`).
    ``response_caching`` puts :class:`ResponseCaching` in the pipeline (with
    ``GATEWAY_CACHE_TTL`` > 0; the app sets :attr:`GatewaySchema.response_cache`).
    """
    from strawberry.extensions import DisableIntrospection

    limits = limits or QueryLimits()
    cache = DocumentCache(max_entries=cached_documents)
    hide_suggestions = not introspection
    extensions: list[Any] = [
        lambda: ErrorShaping(hide_suggestions=hide_suggestions),
        PartialErrors,
        lambda: CachedDocuments(cache=cache),
        lambda: EnforceQueryLimits(limits=limits),
        lambda: DemandControl(max_cost=max_cost),
        *([ResponseCaching] if response_caching else []),
        # graphql-core's recommended rule: introspection nested past what tools ask
        lambda: AddValidationRules([MaxIntrospectionDepthRule]),
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    schema = GatewaySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=list(NODE_TYPES),
        extensions=extensions,
        execution_context_class=PlannedExecution if fast_paths else None,
        config=StrawberryConfig(auto_camel_case=True),
        scalar_overrides=SCALAR_OVERRIDES,
    )
    schema.hide_suggestions = hide_suggestions
    schema.document_cache = cache
    if fast_paths:
        schema.fast_path = FastPath(
            schema, cache, max_cost=max_cost, limits=limits, compiled=compiled
        )
    return schema


def print_sdl() -> str:
    """The SDL of the schema."""
    schema: Any = build_schema()
    return str(schema.as_str()) + "\n"
