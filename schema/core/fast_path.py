"""The fast path: running a document that was already parsed, validated and costed.

A client sends the same few query texts over and over. The first time a text
comes, it goes through strawberry's whole pipeline: parsing, validation, the
query limits and demand control, each a schema extension with its hooks
(:mod:`schema`). Its checked document is then remembered by text
(:mod:`schema.core.document_cache`). From the second time on,
:meth:`FastPath.execute` runs it without that pipeline: the operation's type
and cost are looked up (the cost is memoised per variable values), the
document goes straight to graphql-core's executor, and the answer gets exactly
what the extensions would have given it (partial errors, error shaping,
``extensions.cost``). The pipeline's hooks were about a third of the CPU time
of a small query. A query runs by its execution plans
(:mod:`schema.core.plan_run`), kept with the operation
(:attr:`PreparedOperation.plans`) and made by its first run on this path.

With a response cache (``GATEWAY_CACHE_TTL``, :mod:`gateway.response_cache`)
a cacheable query is looked up just before it would run (after the cost
check, so the limits still apply) and its answer stored after; a mutation
drops the answers of the systems it acts on. Without one, the only cost is
testing ``schema.response_cache`` for ``None``.

Anything out of the ordinary falls back to the full pipeline, which answers
it as it always did: a text not yet checked or found invalid, an operation
name the document lacks, an operation type the transport does not allow (a
mutation over GET), a cost over the limit, and a cost dry run.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from inspect import isawaitable
from typing import TYPE_CHECKING, Any

import orjson
from graphql import GraphQLError, GraphQLSchema, OperationDefinitionNode, execute
from strawberry.execution import optimized_is_awaitable
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from schema.core.cost import operation_cost
from schema.core.demand_control import cost_results, is_dry_run
from schema.core.document_cache import CheckedDocument, DocumentCache
from schema.core.errors import shape_error
from schema.core.limits import QueryLimits, length_error
from schema.core.partial_errors import collecting_partial_errors
from schema.core.plan_run import OperationPlans

if TYPE_CHECKING:
    from gateway.response_cache import CachePlan, ResponseCache
    from schema import GatewaySchema

logger = logging.getLogger("gateway.graphql")

COSTS_PER_OPERATION = 32
"""Costs remembered per operation, one per distinct set of variable values."""
UNPLANNED: Any = object()
"""A :class:`PreparedOperation` whose response-cache plan is not made yet."""


@dataclass(slots=True)
class PreparedOperation:
    """What the fast path needs to know about one operation of a checked document."""

    operation_type: OperationType
    has_variables: bool
    plans: OperationPlans | None = None
    """The operation's execution plans (:mod:`schema.core.plan_run`); ``None``: not planned."""
    costs: OrderedDict[bytes, int] = field(default_factory=OrderedDict)
    cache_plan: CachePlan | None = UNPLANNED
    """What the response cache does with it (made on first use; ``None``: nothing)."""

    def cost(
        self,
        schema: GraphQLSchema,
        checked: CheckedDocument,
        name: str | None,
        variables: Mapping[str, Any] | None,
    ) -> int:
        """The operation's cost with these variable values, memoised."""
        key = b"" if not self.has_variables or not variables else _variables_key(variables)
        cost = self.costs.get(key)
        if cost is None:
            cost = operation_cost(schema, checked.document, name, variables)
            self.costs[key] = cost
            if len(self.costs) > COSTS_PER_OPERATION:
                self.costs.popitem(last=False)
        return cost


def _variables_key(variables: Mapping[str, Any]) -> bytes:
    try:
        return orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return repr(sorted(variables.items())).encode()


def _prepare(checked: CheckedDocument, name: str | None) -> PreparedOperation | None:
    """The named operation (or the only one) of a document; ``None`` when it has none such."""
    operations = [d for d in checked.document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        chosen = operations[0] if len(operations) == 1 else None
    else:
        chosen = next((o for o in operations if o.name and o.name.value == name), None)
    if chosen is None:
        return None
    operation_type = OperationType(chosen.operation.value)
    return PreparedOperation(
        operation_type=operation_type,
        has_variables=bool(chosen.variable_definitions),
        plans=OperationPlans.of(checked.document)
        if operation_type is OperationType.QUERY
        else None,
    )


class FastPath:
    """Runs checked documents of one schema without its extension pipeline."""

    def __init__(
        self,
        schema: GatewaySchema,
        cache: DocumentCache,
        *,
        max_cost: int,
        limits: QueryLimits | None = None,
        compiled: bool = True,
    ) -> None:
        self.schema = schema
        self.compiled = compiled
        """Whether queries run by their execution plans (:mod:`schema.core.plan_run`)."""
        self.cache = cache
        self.max_cost = max_cost
        self.limits = limits or QueryLimits()
        self.hide_suggestions = schema.hide_suggestions

    def _prepared(self, checked: CheckedDocument, name: str | None) -> PreparedOperation | None:
        prepared = checked.operations.get(name)
        if prepared is None and name not in checked.operations:
            prepared = _prepare(checked, name)
            checked.operations[name] = prepared
        return prepared

    async def execute(
        self,
        query: str,
        variable_values: dict[str, Any] | None,
        context_value: Any,
        root_value: Any,
        operation_name: str | None,
        allowed_operation_types: Iterable[OperationType] | None,
        operation_extensions: dict[str, Any] | None,
    ) -> ExecutionResult | None:
        """The answer, or ``None`` when the full pipeline must answer instead.

        A text over the length limit is answered here, before anything looks at
        it (the cache would hash it): the cheapest refusal of the biggest bodies.
        """
        too_long = length_error(query, self.limits)
        if too_long is not None:
            return ExecutionResult(data=None, errors=[too_long])
        checked = self.cache.get(query)
        if checked is None or checked.errors:
            return None
        prepared = self._prepared(checked, operation_name)
        if prepared is None:
            return None
        allowed = allowed_operation_types or (OperationType.QUERY, OperationType.MUTATION)
        if prepared.operation_type not in allowed or prepared.operation_type is (
            OperationType.SUBSCRIPTION
        ):
            return None
        cost = prepared.cost(self.schema._schema, checked, operation_name, variable_values)
        if cost > self.max_cost or is_dry_run(context_value):
            return None
        cache = self.schema.response_cache
        if cache is not None:
            return await self._run_cached(
                cache,
                checked,
                prepared,
                cost,
                variable_values,
                context_value,
                root_value,
                operation_name,
                operation_extensions,
            )
        return await self._run(
            checked,
            prepared,
            cost,
            variable_values,
            context_value,
            root_value,
            operation_name,
            operation_extensions,
        )

    async def _run(
        self,
        checked: CheckedDocument,
        prepared: PreparedOperation,
        cost: int,
        variable_values: dict[str, Any] | None,
        context_value: Any,
        root_value: Any,
        operation_name: str | None,
        operation_extensions: dict[str, Any] | None,
    ) -> ExecutionResult:
        """Execute the checked document; the answer shaped as the extensions would."""
        graphql_schema = self.schema._schema
        with collecting_partial_errors() as partial:
            try:
                outcome = execute(
                    graphql_schema,
                    checked.document,
                    root_value=root_value,
                    context_value=context_value,
                    variable_values=variable_values,
                    operation_name=operation_name,
                    is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
                    executor_class=self.schema.execution_context_class,
                    operation_extensions=operation_extensions,
                    plans=prepared.plans if self.compiled else None,
                )
                if isawaitable(outcome):
                    outcome = await outcome
            except Exception as exc:
                error = (
                    exc
                    if isinstance(exc, GraphQLError)
                    else GraphQLError(str(exc), original_error=exc)
                )
                return self._answer(None, [error], cost)
        errors = list(outcome.errors or ())
        if errors:
            self.schema.process_errors(errors)
        return self._answer(outcome.data, [*errors, *partial], cost)

    async def _run_cached(
        self,
        cache: ResponseCache,
        checked: CheckedDocument,
        prepared: PreparedOperation,
        cost: int,
        variable_values: dict[str, Any] | None,
        context_value: Any,
        root_value: Any,
        operation_name: str | None,
        operation_extensions: dict[str, Any] | None,
    ) -> ExecutionResult:
        """:meth:`_run` through the response cache (see :mod:`gateway.response_cache`)."""
        plan = prepared.cache_plan
        if plan is UNPLANNED:
            plan = prepared.cache_plan = cache.plan(checked.document, operation_name)
        args = (variable_values, context_value, root_value, operation_name, operation_extensions)
        if plan is None:
            return await self._run(checked, prepared, cost, *args)
        if plan.mutation:
            try:
                return await self._run(checked, prepared, cost, *args)
            finally:
                await cache.mutated(plan)
        ticket = await cache.lookup(plan, variable_values, context_value)
        if ticket.hit:
            extensions = {**cost_results(cost, self.max_cost), **cache.hit_extensions(ticket)}
            return ExecutionResult(data=ticket.data, errors=None, extensions=extensions)
        result = await self._run(checked, prepared, cost, *args)
        await cache.keep(plan, ticket, result.data, bool(result.errors))
        return result

    def _answer(
        self, data: dict[str, Any] | None, errors: list[GraphQLError], cost: int
    ) -> ExecutionResult:
        shaped = [shape_error(e, hide_suggestions=self.hide_suggestions) for e in errors]
        return ExecutionResult(
            data=data, errors=shaped or None, extensions=cost_results(cost, self.max_cost)
        )
