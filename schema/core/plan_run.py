"""Running execution plans (:mod:`schema.core.plan_build`) in graphql-core's executor.

:class:`PlannedExecution` is the schema's execution context. Given the plans
of an operation (``plans=``, which only the fast path passes: a checked,
cached document), it runs the operation's root selection by its plan instead
of graphql-core's ``execute_fields``; without plans it is
:class:`~schema.core.leaf_execution.LeafShortcutExecution`.

The run mirrors graphql-core step for step where it matters for the answer:

- fields run in the selection's order, each resolver called with the resolve
  info graphql-core builds (:meth:`build_resolve_info`), so ``info.context``,
  ``info.path``, ``info.variable_values`` and ``info.selected_fields`` are what
  they always were; arguments are coerced once per field and request;
- awaitables are gathered where graphql-core gathers them (the fields of one
  object, the items of one list; a lone one awaited in place), so loaders are
  called in the same event-loop turns and batch the same keys;
- errors go through graphql-core's own ``handle_field_error`` at the same
  field and list-item boundaries, with its messages, so nulls propagate and
  errors are collected in the same order, at the same paths;
- a plain leaf whose value is not in its output form already (an exception
  from its reader, a null on a non-null field, a value serialising to nothing)
  is handed to graphql-core's ``execute_field``, which answers it as always.

What the plans do not cover runs on graphql-core's generic path from that
point down: an ``is_type_of`` that is not Strawberry's, an abstract type
resolved by an awaitable, async iterables. Mutations (serial root fields),
middleware, abort signals, ``@defer``/``@stream`` and disabled error
propagation take graphql-core's path for the whole operation.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Awaitable, Sequence
from typing import Any

from graphql import GraphQLError, GraphQLObjectType, GraphQLResolveInfoHelpers, Undefined
from graphql.execution.collect_fields import GroupedFieldSet
from graphql.execution.executor import (
    collect_iterator_awaitables,
    invalid_return_type_error,
)
from graphql.execution.values import get_argument_values
from graphql.pyutils import AwaitableOrValue, Path, is_iterable
from graphql.pyutils.gather_with_cancel import gather_with_cancel

from schema.core.leaf_execution import LeafShortcutExecution
from schema.core.plan_build import (
    ABSTRACT,
    LEAF,
    LIST,
    OBJECT,
    Completion,
    FieldPlan,
    ObjectPlan,
    directive_variables,
    is_strawberry_is_type_of,
    object_plan,
    uses_incremental_delivery,
)
from schema.core.plan_compile import CompiledObject, compile_object

logger = logging.getLogger("gateway.graphql")

PLANS_PER_OPERATION = 16
"""Plans kept per operation: one per set of ``@skip``/``@include`` variable values seen."""


class OperationPlans:
    """The plans of one operation, by the values of the variables ``@skip``/``@include`` read."""

    __slots__ = ("roots", "variables")

    def __init__(self, variables: tuple[str, ...]) -> None:
        self.variables = variables
        self.roots: dict[tuple[Any, ...], ObjectPlan] = {}

    @classmethod
    def of(cls, document: Any) -> OperationPlans | None:
        """Plans for an operation of ``document``; ``None`` when it defers or streams."""
        if uses_incremental_delivery(document):
            return None
        return cls(directive_variables(document))

    def keep(self, key: tuple[Any, ...], plan: ObjectPlan) -> None:
        """Keep ``plan`` for ``key``; beyond :data:`PLANS_PER_OPERATION`, forget the oldest."""
        self.roots[key] = plan
        while len(self.roots) > PLANS_PER_OPERATION:
            del self.roots[next(iter(self.roots))]

    def key(self, coerced: dict[str, Any]) -> tuple[Any, ...]:
        """Which plan these variable values select (``@skip``/``@include`` take booleans)."""
        return tuple(coerced.get(name) for name in self.variables)


_new_path = tuple.__new__
"""``Path(prev, key, typename)`` is ``tuple.__new__(Path, (prev, key, typename))`` (a
``NamedTuple``): called so, without its ``__new__``'s Python frame, in the loops over items."""


def _compiled(plan: ObjectPlan) -> CompiledObject:
    """The plan as a function; graphql-core's ``execute_fields`` if it cannot be compiled."""
    try:
        return compile_object(plan)
    except Exception:  # a bug of the compiler: logged, and the object answered the long way
        logger.exception("could not compile the plan of a selection on %s", plan.object_type)

        def generic(executor: Any, source: Any, path: Path | None) -> Any:
            return executor.execute_fields(plan.object_type, source, path, plan.group, None)

        return generic


def _field_path(path: Path) -> Path:
    """The path of the field a (possibly nested) list item belongs to."""
    while isinstance(path.key, int):
        path = path.prev  # type: ignore[assignment]
    return path


def weak_async_helpers(executor: Any) -> GraphQLResolveInfoHelpers:
    """graphql-core's helpers of resolve infos, referring to ``executor`` weakly.

    graphql-core gives them the executor's bound methods, and the executor
    keeps them: a cycle, which only the cyclic GC frees. Until its next
    collection the executor kept the request's context alive, with its
    loaders and every upstream document they read (in ``bench.big_answer``'s
    200-job answer, a collection every fourth request, of ~20 ms). Weakly
    referred to, the executor and all it holds are freed when the request is
    done. The helpers are only called while the executor's own work runs,
    which holds the executor.
    """
    ref = weakref.ref(executor)

    def gather(values: Sequence[Awaitable[Any]]) -> Awaitable[list[Any]]:
        result: Awaitable[list[Any]] = ref().gather_async_work(values)  # type: ignore[union-attr]
        return result

    def track(values: Sequence[Any]) -> None:
        ref().track_async_work(values)  # type: ignore[union-attr]

    return GraphQLResolveInfoHelpers(gather=gather, track=track)


class PlannedExecution(LeafShortcutExecution):
    """Runs an operation by its plans when given some (``plans=``); else as its base does."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        plans = kwargs.pop("plans", None)
        super().__init__(*args, **kwargs)
        self.async_helpers = weak_async_helpers(self)
        self.plans: OperationPlans | None = plans
        self._arguments: dict[int, dict[str, Any]] = {}
        self.datetimes_as_values = getattr(self.context_value, "encodes_datetimes", False) is True
        """Leave UTC ``datetime`` leaves for the answer's encoder (see ``Context``)."""

    def execute_root_grouped_field_set(
        self,
        root_type: GraphQLObjectType,
        root_value: Any,
        grouped_field_set: GroupedFieldSet,
        serially: bool,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        plans = self.plans
        if (
            plans is None
            or serially
            or self.middleware_manager is not None
            or self.abort_signal is not None
            or not self.error_propagation
        ):
            return super().execute_root_grouped_field_set(
                root_type, root_value, grouped_field_set, serially, position_context
            )
        key = plans.key(self.variable_values.coerced)
        plan = plans.roots.get(key)
        if plan is None:
            plan = object_plan(self.schema, root_type, grouped_field_set)
            plans.keep(key, plan)
        return self.run_object(plan, root_value, None)

    # -- objects and fields ------------------------------------------------------------

    def run_object(
        self, plan: ObjectPlan, source: Any, path: Path | None
    ) -> AwaitableOrValue[dict[str, Any]]:
        """graphql-core's ``execute_fields``, by the plan compiled to a function."""
        run = plan.compiled
        if run is None:
            run = plan.compiled = _compiled(plan)
        result: AwaitableOrValue[dict[str, Any]] = run(self, source, path)
        return result

    def full_leaf(self, f: FieldPlan, source: Any, path: Path | None) -> Any:
        """A plain leaf the compiled function could not read: graphql-core's ``execute_field``."""
        parent_type = f.parent_type
        return self.execute_field(
            parent_type, source, f.details, Path(path, f.key, parent_type.name), None
        )

    def slow_leaf(self, f: FieldPlan, source: Any, path: Path | None, value: Any) -> Any:
        """A plain leaf whose value is not in its output form: serialised by its type.

        Anything unusual (an exception as the value, an awaitable, a value the
        type will not serialise or serialises to nothing) goes to :meth:`full_leaf`.
        """
        if not isinstance(value, Exception) and not self.is_awaitable(value):
            try:
                serialised = f.completion.output.coerce_output_value(value)
            except Exception:
                serialised = None
            if serialised is not None and serialised is not Undefined:
                return serialised
        return self.full_leaf(f, source, path)

    def gather_fields(self, results: dict[str, Any], keys: list[str]) -> Awaitable[dict[str, Any]]:
        """The end of graphql-core's ``execute_fields`` when some fields are awaitable."""

        async def get_results() -> dict[str, Any]:
            if len(keys) == 1:
                key = keys[0]
                results[key] = await results[key]
            else:
                awaited = await gather_with_cancel(*(results[key] for key in keys))
                results.update(zip(keys, awaited, strict=True))
            return results

        return get_results()

    def run_field(self, f: FieldPlan, source: Any, path: Path) -> AwaitableOrValue[Any]:
        """graphql-core's ``execute_field``, by the plan."""
        if f.attribute is None:
            info = self.build_resolve_info(f.field_def, f.nodes, f.parent_type, path)
        try:
            if f.attribute is not None:
                result = getattr(source, f.attribute)
            else:
                arguments = self.arguments(f) if f.has_arguments else {}
                result = (f.resolve or self.field_resolver)(source, info, **arguments)
            if self.is_awaitable(result):
                return self._complete_awaited(f, path, result)
            completed = self.complete(f.completion, f, path, result)
            if self.is_awaitable(completed):
                return self._await_completed(f, path, completed)
        except Exception as raw_error:
            self.handle_field_error(raw_error, f.return_type, f.details, path)
            return None
        return completed

    def arguments(self, f: FieldPlan) -> dict[str, Any]:
        """The field's argument values: the same for every object of this request."""
        arguments = self._arguments.get(id(f))
        if arguments is None:
            first = f.details[0]
            arguments = self._arguments[id(f)] = get_argument_values(
                f.field_def,
                first.node,
                self.variable_values,
                first.fragment_variable_values,
                self.hide_suggestions,
            )
        return arguments

    async def _complete_awaited(self, f: FieldPlan, path: Path, result: Awaitable[Any]) -> Any:
        """graphql-core's ``complete_awaitable_value``."""
        try:
            resolved = await result
            completed = self.complete(f.completion, f, path, resolved)
            if self.is_awaitable(completed):
                completed = await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, f.return_type, f.details, path)
            completed = None
        return completed

    async def _await_completed(self, f: FieldPlan, path: Path, completed: Awaitable[Any]) -> Any:
        """The awaitable completion of ``execute_field``."""
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, f.return_type, f.details, path)
            return None

    # -- completing values -------------------------------------------------------------

    def complete(self, c: Completion, f: FieldPlan, path: Path, result: Any) -> Any:
        """graphql-core's ``complete_value``, by the completion plan."""
        if isinstance(result, Exception):
            raise result
        if result is None or result is Undefined:
            if c.non_null:
                raise TypeError(f.null_message)
            return None
        kind = c.kind
        completed: Any
        if kind == OBJECT:
            completed = self._complete_object(c, f, path, result)
        elif kind == LIST:
            completed = self._complete_list(c, f, path, result)
        elif kind == LEAF:
            completed = self.complete_leaf_value(c.output, result)
        else:
            assert kind == ABSTRACT
            completed = self._complete_abstract(c, f, path, result)
        if completed is None and c.non_null:
            raise TypeError(f.null_message)
        return completed

    def _complete_object(
        self, c: Completion, f: FieldPlan, path: Path, result: Any
    ) -> AwaitableOrValue[dict[str, Any]]:
        object_type = c.output
        if c.checks_type:
            if c.is_type_of_needs_info:
                info = self.build_resolve_info(
                    f.field_def, f.nodes, f.parent_type, _field_path(path)
                )
                return self.complete_object_value(object_type, f.details, info, path, result, None)
            if not object_type.is_type_of(result, None):
                raise invalid_return_type_error(object_type, result, f.details)
        return self.run_object(c.object_plan or self._object_plan(c, f), result, path)

    def _object_plan(self, c: Completion, f: FieldPlan) -> ObjectPlan:
        """The plan of the field's selection on its object type, made on first use."""
        group = self.collect_subfields(c.output, f.details)[0]
        plan = c.object_plan = object_plan(self.schema, c.output, group)
        return plan

    def _complete_abstract(
        self, c: Completion, f: FieldPlan, path: Path, result: Any
    ) -> AwaitableOrValue[dict[str, Any]]:
        abstract_type = c.output
        info = self.build_resolve_info(f.field_def, f.nodes, f.parent_type, _field_path(path))
        runtime_type = (abstract_type.resolve_type or self.type_resolver)(
            result, info, abstract_type
        )
        if self.is_awaitable(runtime_type):  # graphql-core's generic path from here
            return self.complete_abstract_value(abstract_type, f.details, info, path, result, None)
        object_type = self.ensure_valid_runtime_type(
            runtime_type, abstract_type, f.details, info, result
        )
        is_type_of = object_type.is_type_of
        if is_type_of is not None:
            if not is_strawberry_is_type_of(is_type_of):
                return self.complete_object_value(object_type, f.details, info, path, result, None)
            if not is_type_of(result, info):
                raise invalid_return_type_error(object_type, result, f.details)
        plan = c.runtime_plans.get(object_type.name)
        if plan is None:
            group = self.collect_subfields(object_type, f.details)[0]
            plan = c.runtime_plans[object_type.name] = object_plan(self.schema, object_type, group)
        return self.run_object(plan, result, path)

    def _complete_list(
        self, c: Completion, f: FieldPlan, path: Path, result: Any
    ) -> AwaitableOrValue[list[Any]]:
        """graphql-core's ``complete_list_value`` and ``complete_iterable_value``."""
        if self.is_async_iterable(result):  # graphql-core's generic path from here
            info = self.build_resolve_info(f.field_def, f.nodes, f.parent_type, _field_path(path))
            return self.complete_list_value(c.output, f.details, info, path, result, None)
        if not is_iterable(result):
            raise GraphQLError(
                "Expected Iterable, but did not find one for field"
                f" '{f.parent_type.name}.{f.nodes[0].name.value}'."
            )
        item_completion = c.item
        assert item_completion is not None
        item_type = c.output.of_type
        is_awaitable = self.is_awaitable
        complete = self.complete
        completed_results: list[Any] = []
        append = completed_results.append
        awaitable_indices: list[int] = []
        # Objects, the common case, inline: what ``complete`` and ``_complete_object`` would do.
        objects = item_completion.kind == OBJECT and not item_completion.is_type_of_needs_info
        object_type = item_completion.output
        is_type_of = object_type.is_type_of if objects else None
        # Items of exactly the plan's class (which is not awaitable) go the shortest way.
        plain: type | None = None
        run: CompiledObject | None = None
        if objects and (plan := item_completion.object_plan) is not None:
            origin = plan.origin
            if origin is not None and not hasattr(origin, "__await__"):
                run = plan.compiled
                if run is None:
                    run = plan.compiled = _compiled(plan)
                plain = origin
        iterator = iter(result)
        index = 0
        try:
            for item in iterator:
                item_path = _new_path(Path, (path, index, None))
                if type(item) is plain:
                    try:
                        if is_type_of is not None and not is_type_of(item, None):
                            raise invalid_return_type_error(object_type, item, f.details)
                        completed = run(self, item, item_path)  # type: ignore[misc]
                        if type(completed) is dict:
                            append(completed)
                        else:
                            append(self._await_item(item_type, f, item_path, completed))
                            awaitable_indices.append(index)
                    except Exception as raw_error:
                        self.handle_field_error(raw_error, item_type, f.details, item_path)
                        append(None)
                elif is_awaitable(item):
                    append(
                        self._complete_awaited_item(item_completion, item_type, f, item_path, item)
                    )
                    awaitable_indices.append(index)
                else:
                    try:
                        if objects and item is not None and not isinstance(item, Exception):
                            if is_type_of is not None and not is_type_of(item, None):
                                raise invalid_return_type_error(object_type, item, f.details)
                            plan = item_completion.object_plan or self._object_plan(
                                item_completion, f
                            )
                            completed = self.run_object(plan, item, item_path)
                        else:
                            completed = complete(item_completion, f, item_path, item)
                        if is_awaitable(completed):
                            append(self._await_item(item_type, f, item_path, completed))
                            awaitable_indices.append(index)
                        else:
                            append(completed)
                    except Exception as raw_error:
                        self.handle_field_error(raw_error, item_type, f.details, item_path)
                        append(None)
                index += 1
        except Exception:
            pending = [completed_results[i] for i in awaitable_indices]
            pending.extend(collect_iterator_awaitables(iterator, is_awaitable))
            if pending:
                self.settle_in_background(pending)
            raise
        if not awaitable_indices:
            return completed_results

        async def get_completed_results() -> list[Any]:
            if len(awaitable_indices) == 1:
                index = awaitable_indices[0]
                completed_results[index] = await completed_results[index]
            else:
                awaited = await gather_with_cancel(
                    *(completed_results[index] for index in awaitable_indices)
                )
                for index, value in zip(awaitable_indices, awaited, strict=True):
                    completed_results[index] = value
            return completed_results

        return get_completed_results()

    async def _await_item(
        self, item_type: Any, f: FieldPlan, item_path: Path, completed: Awaitable[Any]
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, item_type, f.details, item_path)
            return None

    async def _complete_awaited_item(
        self, c: Completion, item_type: Any, f: FieldPlan, item_path: Path, item: Awaitable[Any]
    ) -> Any:
        """graphql-core's ``complete_awaitable_list_item_value``."""
        try:
            completed = self.complete(c, f, item_path, await item)
            if self.is_awaitable(completed):
                completed = await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, item_type, f.details, item_path)
            return None
        return completed
