"""Execution plans: how to run each selection of a checked operation, decided once.

graphql-core decides, for every field of every object it completes, what the
field is (``collect_fields``, a resolve-info tuple, the resolver, then
``complete_value``'s walk through non-null, list, leaf, abstract and object).
For a list of 1,000 jobs the answer is the same 1,000 times. A plan holds
those answers, per selection set on one object type:

- :class:`ObjectPlan`: the object type and its fields, in the selection's order;
- :class:`FieldPlan`: one response key: the field, its nodes, whether it is a
  plain *leaf* read off the object (a Strawberry basic field of a scalar or
  enum type: see :func:`~schema.core.leaf_execution.plain_leaf`), a basic field
  read with ``getattr``, or a field with a resolver (called with the resolve
  info graphql-core would build, so resolvers see what they always saw);
- :class:`Completion`: how to complete the field's value: non-null, and a leaf
  (with a shortcut for values already in their output form), a list of
  completions, an object with its sub-plan, or an abstract type with a
  sub-plan per runtime type.

Sub-plans are made the first time a value of that type is met, from
graphql-core's own ``collect_subfields``, so fragments, ``@skip`` and
``@include`` come out exactly as graphql-core collects them. A plan depends
on the variable values only through ``@skip``/``@include``: plans are kept per
operation and per the values of the variables those directives read
(:func:`directive_variables`). :mod:`schema.core.plan_run` runs them.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLFieldResolver,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    VariableNode,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.language import DirectiveNode, DocumentNode, FieldNode, Visitor, visit
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

from schema.core.document_fields import ReadOnce

LEAF = 0
"""A :class:`Completion` kind: a scalar or an enum."""
LIST = 1
"""A :class:`Completion` kind: a list of :attr:`Completion.item`."""
OBJECT = 2
"""A :class:`Completion` kind: an object type, completed by its :class:`ObjectPlan`."""
ABSTRACT = 3
"""A :class:`Completion` kind: an interface or a union, resolved at run time."""


@dataclass(slots=True)
class Completion:
    """How to complete a value of one output type (one level of wrapping)."""

    kind: int
    output: Any
    """The named or list type this level completes (the non-null's inner type)."""
    non_null: bool
    item: Completion | None = None
    """A list's item completion."""
    int_leaf: bool = False
    """A leaf of ``Int``: an ``int`` in its range serialises to itself."""
    enum_names: dict[Any, str] | None = None
    """A Strawberry enum: its Python members and their GraphQL names."""
    enum_class: type | None = None
    object_plan: ObjectPlan | None = None
    """An object: the plan of its selection (made when first needed)."""
    checks_type: bool = False
    """An object: whether its type has an ``is_type_of`` to call."""
    is_type_of_needs_info: bool = False
    """An object: whether that ``is_type_of`` is not Strawberry's own (which ignores ``info``)."""
    runtime_plans: dict[str, ObjectPlan] = field(default_factory=dict)
    """An abstract type: the plan per runtime object type name."""


@dataclass(slots=True)
class FieldPlan:
    """How to execute one response key of a selection on one object type."""

    key: str
    details: FieldDetailsList
    nodes: list[FieldNode]
    field_def: GraphQLField
    parent_type: GraphQLObjectType
    return_type: GraphQLOutputType
    completion: Completion
    null_message: str
    """graphql-core's message for a null on this non-null field (or a non-null list item)."""
    resolve: GraphQLFieldResolver | None
    """The field's resolver, called with the resolve info; ``None`` when read with ``getattr``."""
    attribute: str | None
    """The Python attribute of a basic field (no resolver of its own)."""
    reader: Callable[[Any], object] | None = None
    """A lazily read field (:class:`~schema.core.document_fields.ReadOnce`): its reader."""
    leaf: bool = False
    """A plain leaf: read the attribute, serialise it, or let graphql-core take the field."""
    has_arguments: bool = False


@dataclass(slots=True)
class ObjectPlan:
    """The fields of one selection set on one object type, in the selection's order."""

    object_type: GraphQLObjectType
    fields: list[FieldPlan]
    origin: type | None
    """The Python class of the type's objects, whose readers the leaves call directly."""
    group: GroupedFieldSet
    """Kept so the field details the plan holds stay the ones graphql-core collected."""
    compiled: Any = None
    """The plan as one function (:mod:`schema.core.plan_compile`), made when first run."""


def directive_variables(document: DocumentNode) -> tuple[str, ...]:
    """The variables that ``@skip``/``@include`` read anywhere in the document, sorted."""
    names: set[str] = set()

    class Finder(Visitor):
        def enter_directive(self, node: DirectiveNode, *_args: Any) -> None:
            for argument in node.arguments or ():
                if isinstance(argument.value, VariableNode):
                    names.add(argument.value.name.value)

    visit(document, Finder())
    return tuple(sorted(names))


def uses_incremental_delivery(document: DocumentNode) -> bool:
    """Whether the document asks for ``@defer`` or ``@stream`` (the plans leave those out)."""
    found = False

    class Finder(Visitor):
        def enter_directive(self, node: DirectiveNode, *_args: Any) -> None:
            nonlocal found
            found = found or node.name.value in ("defer", "stream")

    visit(document, Finder())
    return found


def is_strawberry_is_type_of(function: Callable[..., Any]) -> bool:
    """Strawberry's generated ``is_type_of`` checks the object's class and never reads ``info``."""
    return getattr(function, "__qualname__", "").startswith("GraphQLCoreConverter.")


def completion_of(schema: GraphQLSchema, return_type: GraphQLOutputType) -> Completion:
    """How to complete values of ``return_type``."""
    non_null = is_non_null_type(return_type)
    inner: Any = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
    if is_list_type(inner):
        assert isinstance(inner, GraphQLList)
        return Completion(LIST, inner, non_null, item=completion_of(schema, inner.of_type))
    if is_leaf_type(inner):
        return _leaf_completion(inner, non_null)
    if is_abstract_type(inner):
        return Completion(ABSTRACT, inner, non_null)
    assert is_object_type(inner)
    is_type_of = inner.is_type_of
    return Completion(
        OBJECT,
        inner,
        non_null,
        checks_type=is_type_of is not None,
        is_type_of_needs_info=is_type_of is not None and not is_strawberry_is_type_of(is_type_of),
    )


def _leaf_completion(leaf: GraphQLLeafType, non_null: bool) -> Completion:
    completion = Completion(LEAF, leaf, non_null)
    if leaf is GraphQLInt:
        completion.int_leaf = True
    elif isinstance(leaf, GraphQLEnumType):
        wrapped = getattr(leaf, "wrapped_cls", None)
        if isinstance(wrapped, type) and issubclass(wrapped, Enum):
            names: dict[Any, str] = {}
            for member in wrapped:
                # Strawberry serialises a member as the first name whose value equals its value
                name = next((n for n, v in leaf.values.items() if member.value == v.value), None)
                if name is not None:
                    names[member] = name
            completion.enum_names = names
            completion.enum_class = wrapped
    return completion


def _origin(parent_type: GraphQLObjectType) -> type | None:
    definition = (parent_type.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if isinstance(definition, StrawberryObjectDefinition):
        return definition.origin
    return None


def field_plan(
    schema: GraphQLSchema,
    parent_type: GraphQLObjectType,
    origin: type | None,
    key: str,
    details: FieldDetailsList,
) -> FieldPlan | None:
    """The plan of one response key; ``None``: no such field (graphql-core leaves it out)."""
    node = details[0].node
    field_def = schema.get_field(parent_type, node.name.value)
    if field_def is None:
        return None
    return_type = field_def.type
    definition = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    basic = (
        isinstance(definition, StrawberryField)
        and definition.is_basic_field
        and definition.default_resolver is getattr
        and field_def.resolve is not None
        and not field_def.args
        and not node.arguments
    )
    attribute = (
        definition.python_name if basic and isinstance(definition, StrawberryField) else None
    )
    completion = completion_of(schema, return_type)
    reader = None
    if attribute is not None and origin is not None:
        static = inspect.getattr_static(origin, attribute, None)
        if isinstance(static, ReadOnce):
            reader = static.read
    leaf = attribute is not None and completion.kind == LEAF
    return FieldPlan(
        key=key,
        details=details,
        nodes=[d.node for d in details],
        field_def=field_def,
        parent_type=parent_type,
        return_type=return_type,
        completion=completion,
        null_message=(
            f"Cannot return null for non-nullable field {parent_type.name}.{node.name.value}."
        ),
        resolve=None if attribute is not None else field_def.resolve,
        attribute=attribute,
        reader=reader,
        leaf=leaf,
        has_arguments=bool(field_def.args or node.arguments),
    )


def object_plan(
    schema: GraphQLSchema, parent_type: GraphQLObjectType, group: GroupedFieldSet
) -> ObjectPlan:
    """The plan of a collected selection set on ``parent_type``."""
    origin = _origin(parent_type)
    fields = [
        planned
        for key, details in group.items()
        if (planned := field_plan(schema, parent_type, origin, key, details)) is not None
    ]
    return ObjectPlan(parent_type, fields, origin, group)
