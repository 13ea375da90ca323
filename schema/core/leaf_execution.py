"""A shortcut through graphql-core for plain leaf fields: read the attribute, serialise it.

graphql-core runs the same machinery for every field of every object: a
resolve-info tuple, the resolver, ``is_awaitable`` twice, then
``complete_value`` through the non-null, list and leaf checks. For a page of
200 jobs with 1,400 steps that is ~37,000 fields, nearly all of them scalars
read straight off the object, and that machinery was most of the time.

:class:`LeafShortcutExecution` takes a field the short way when it is a
Strawberry *basic* field (no resolver, no arguments, no field extensions,
read with ``getattr``) of a scalar or enum type: it reads the attribute and
serialises it. Whatever else happens (the attribute read raises, the value is
null on a non-null field, serialising fails or gives nothing) it hands the
field to graphql-core's own path, which then produces exactly the error or
value it always did. Fields with resolvers, objects and lists are never
shortcut. Which fields of a selection set can be is decided once per
operation (graphql-core reuses one selection set for every item of a list).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from graphql import (
    GraphQLFieldResolver,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField


class _Leaf(NamedTuple):
    attribute: str
    type: GraphQLLeafType
    nullable: bool
    resolve: GraphQLFieldResolver


def plain_leaf(schema: GraphQLSchema, parent_type: GraphQLObjectType, name: str) -> _Leaf | None:
    """How to read field ``name`` of ``parent_type`` directly; ``None``: the full path."""
    field_def = schema.get_field(parent_type, name)
    if field_def is None or field_def.args:
        return None
    definition = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField) or not definition.is_basic_field:
        return None
    if definition.default_resolver is not getattr:
        return None
    field_type = field_def.type
    nullable = not isinstance(field_type, GraphQLNonNull)
    inner = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
    if field_def.resolve is None or not is_leaf_type(inner):
        return None
    return _Leaf(definition.python_name, inner, nullable, field_def.resolve)


class _Plan(NamedTuple):
    """How to execute one selection set on objects of one type."""

    group: GroupedFieldSet
    """The selection set (kept here, so its ``id`` is not reused while the plan is cached)."""
    fields: tuple[tuple[str, FieldDetailsList, _Leaf | None], ...]
    """Each response key, its field, and how to read it directly (``None``: the full path)."""
    rest: GroupedFieldSet
    """The fields that always take the full path, in order."""


_FULL_PATH = object()


def _in_order(plan: _Plan, leaves: dict[str, Any], others: dict[str, Any]) -> dict[str, Any]:
    """The results in the selection's order (``others`` lacks the fields that do not exist)."""
    results: dict[str, Any] = {}
    for name, _, _ in plan.fields:
        if name in leaves:
            results[name] = leaves[name]
        elif name in others:
            results[name] = others[name]
    return results


class LeafShortcutExecution(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, with plain leaf fields read the short way.

    The shortcut is taken in ``execute_fields``, before graphql-core builds
    the field's response path; the other fields of the object go through
    graphql-core's own ``execute_fields``, and the results are put back in
    the selection's order.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: dict[tuple[int, int], _Plan] = {}

    def _plain_leaf(self, parent_type: GraphQLObjectType, name: str) -> _Leaf | None:
        leaf = plain_leaf(self.schema, parent_type, name)
        manager = self.middleware_manager
        if leaf is None or manager is None:
            return leaf
        # Strawberry always passes a manager; it wraps nothing unless middleware is configured.
        return leaf if manager.get_field_resolver(leaf.resolve) is leaf.resolve else None

    def _plan(self, parent_type: GraphQLObjectType, group: GroupedFieldSet) -> _Plan:
        fields = tuple(
            (name, details, self._plain_leaf(parent_type, details[0].node.name.value))
            for name, details in group.items()
        )
        rest = {name: details for name, details, leaf in fields if leaf is None}
        return _Plan(group, fields, rest)

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        key = (id(parent_type), id(grouped_field_set))
        plan = self._plans.get(key)
        if plan is None or plan.group is not grouped_field_set:
            plan = self._plans[key] = self._plan(parent_type, grouped_field_set)
        if len(plan.rest) == len(plan.fields):
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        leaves: dict[str, Any] = {}
        failed: set[str] | None = None
        for name, _, leaf in plan.fields:
            if leaf is None:
                continue
            # Inline (this runs once per leaf of every object): anything unusual is _FULL_PATH.
            try:
                value = getattr(source_value, leaf.attribute)
                if value is None:
                    value = None if leaf.nullable else _FULL_PATH
                elif isinstance(value, Exception):  # graphql-core raises those
                    value = _FULL_PATH
                else:
                    value = leaf.type.coerce_output_value(value)
                    if value is None or value is Undefined:
                        value = _FULL_PATH
            except Exception:
                value = _FULL_PATH
            if value is _FULL_PATH:
                failed = {name} if failed is None else failed | {name}
            else:
                leaves[name] = value
        rest = plan.rest
        if failed is not None:  # those leaves go the full path, in the selection's order
            rest = {n: d for n, d, leaf in plan.fields if leaf is None or n in failed}
        if not rest:
            return leaves
        others = super().execute_fields(parent_type, source_value, path, rest, position_context)
        if isinstance(others, dict):
            return _in_order(plan, leaves, others)

        async def in_order() -> dict[str, Any]:
            return _in_order(plan, leaves, await others)

        return in_order()
