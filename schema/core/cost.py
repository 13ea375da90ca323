"""The static cost of an operation, computed before it runs (demand control).

The cost estimates what an operation will make the gateway do, from the
document and its variables alone:

- **objects**: every field that returns an object counts 1 per object; a
  field with a ``first`` argument (a connection) multiplies what is inside it
  by ``first`` (its default page size when absent), ``nodes(ids:)`` by the
  number of ids, and any other list by :data:`ASSUMED_LIST_SIZE`; nested
  lists multiply. Scalars and enums are free.
- **upstream calls**: each field that starts upstream calls adds its estimated
  calls (:data:`UPSTREAM_CALLS`) times :data:`CALL_WEIGHT`, multiplied by the
  lists it sits in. Nested fields served by batched loaders (``jobTemplate``,
  ``parent``, ``WorkflowJobNode.job``, ...) add one batch per occurrence in
  the document, not per object. Reads with no batch form count one call per
  object: a job's ``stdout`` page, a playbook job's ``hostStatusCounts`` (its
  detail), an operations-manager job's or task's ``variables`` (the job read
  whole; a task's is counted per task, an upper bound, as its job's tasks
  share one read).

Fragments are costed once each and reused (memoised by name), so the walk is
linear in the document even when fragments spread each other many times over;
fragment cycles never reach here (validation refuses them first).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    is_abstract_type,
)
from graphql.language import DocumentNode

DEFAULT_FIRST = 20
"""What a connection without ``first`` is taken to return (its default page size)."""
ASSUMED_LIST_SIZE = 10
"""What an unbounded list (a job's steps, a workflow job's nodes) is taken to hold."""
CALL_WEIGHT = 10
"""An upstream call costs as much as this many objects."""

_OUTPUT_TYPES = ("PlaybookJob", "ProjectUpdate", "InventoryUpdate", "OtherAwxJob")
_OUTPUT_FIELDS = {f"{name}.stdout": 1 for name in _OUTPUT_TYPES}
"""A job's output: one request per page, per job."""
FIRST_DEFAULTS: Mapping[str, int] = dict.fromkeys(_OUTPUT_FIELDS, 100)
"""Connections whose default page size is not :data:`DEFAULT_FIRST` (output: 100 lines)."""

UPSTREAM_CALLS: Mapping[str, int] = {
    "Query.node": 1,
    "Query.flowJob": 1,
    "Query.flowJobs": 1,
    "Query.operationsJob": 1,
    "Query.operationsJobs": 1,
    "Query.workflowJob": 1,
    "Query.workflowJobs": 1,
    "Query.sliceWorkflowJobs": 1,
    "Query.jobTemplate": 1,
    "Query.jobs": 3,
    "Query.jobCounts": 40,
    "Mutation.createFlowJob": 2,
    "Mutation.startOperationsJob": 1,
    "Mutation.createSliceWorkflowJob": 1,
    "Mutation.launchJobTemplate": 1,
    "Mutation.cancelJob": 2,
    "Mutation.relaunchJob": 2,
    "Mutation.pauseJob": 2,
    "Mutation.resumeJob": 2,
    "Mutation.retryOperationsTask": 2,
    **_OUTPUT_FIELDS,
    "PlaybookJob.hostStatusCounts": 1,
    "OperationsJob.variables": 1,
    "Task.variables": 1,
}
"""Estimated upstream calls of the fields that start them (``nodes`` costs one per id)."""

BATCHED_FIELDS = frozenset(
    {
        "WorkflowJob.jobTemplate",
        "WorkflowJob.nodes",
        "WorkflowJob.sourceWorkflowJob",
        "WorkflowJobNode.workflowJob",
        "OperationsJob.parent",
        "OperationsJob.ancestors",
        "WorkflowJobNode.job",
        "PlaybookJob.jobTemplate",
    }
)
"""Fields served by batched loaders: one batch per occurrence in the document."""


@dataclass(slots=True)
class _Walk:
    schema: GraphQLSchema
    fragments: dict[str, FragmentDefinitionNode]
    variables: Mapping[str, Any]
    memo: dict[str, int] = field(default_factory=dict)
    batches: int = 0
    """Batched-loader fields met in the document (each one batch, whatever the objects)."""


def _named(type_: GraphQLOutputType) -> tuple[GraphQLNamedType, bool]:
    """The named type under wrappers, and whether a list is among them."""
    is_list = False
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        if isinstance(type_, GraphQLList):
            is_list = True
        type_ = type_.of_type
    return type_, is_list


def _int_argument(node: FieldNode, name: str, variables: Mapping[str, Any]) -> int | None:
    for argument in node.arguments or ():
        if argument.name.value != name:
            continue
        value = argument.value
        if isinstance(value, IntValueNode):
            return max(0, int(value.value))
        if isinstance(value, VariableNode):
            given = variables.get(value.name.value)
            return max(0, given) if isinstance(given, int) and not isinstance(given, bool) else None
    return None


def _list_length(node: FieldNode, name: str, variables: Mapping[str, Any]) -> int | None:
    for argument in node.arguments or ():
        if argument.name.value != name:
            continue
        value = argument.value
        if isinstance(value, ListValueNode):
            return len(value.values)
        if isinstance(value, VariableNode):
            given = variables.get(value.name.value)
            return len(given) if isinstance(given, list) else None
    return None


def _field_cost(walk: _Walk, parent: GraphQLObjectType, node: FieldNode) -> int:
    name = node.name.value
    definition = parent.fields.get(name)
    if definition is None:  # __typename and introspection meta-fields
        return 0
    key = f"{parent.name}.{name}"
    named, is_list = _named(definition.type)
    inner = _selection_cost(walk, named, node.selection_set) if node.selection_set else 0
    own = 1 if node.selection_set else 0
    calls = UPSTREAM_CALLS.get(key, 0)
    first = _int_argument(node, "first", walk.variables)
    if "first" in definition.args:
        count = FIRST_DEFAULTS.get(key, DEFAULT_FIRST) if first is None else first
        return own + calls * CALL_WEIGHT + count * inner
    if name == "nodes" and parent.name == "Query":
        ids = _list_length(node, "ids", walk.variables) or 0
        return ids * (own + CALL_WEIGHT + inner)
    if key in BATCHED_FIELDS:
        walk.batches += 1
    if is_list and not parent.name.endswith("Connection"):
        return calls * CALL_WEIGHT + ASSUMED_LIST_SIZE * (own + inner)
    return calls * CALL_WEIGHT + own + inner


def _selection_cost(walk: _Walk, parent: GraphQLNamedType, selection_set: SelectionSetNode) -> int:
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            concrete = _object_type(walk.schema, parent)
            if concrete is not None:
                total += _field_cost(walk, concrete, selection)
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            target = walk.schema.get_type(condition.name.value) if condition else parent
            if target is not None:
                total += _selection_cost(walk, target, selection.selection_set)
        elif isinstance(selection, FragmentSpreadNode):
            total += _fragment_cost(walk, selection.name.value)
    return total


def _object_type(schema: GraphQLSchema, type_: GraphQLNamedType) -> GraphQLObjectType | None:
    """The object type whose fields a selection on ``type_`` reads.

    An interface's fields are the same on every implementation, so its first
    implementation stands for it.
    """
    if isinstance(type_, GraphQLObjectType):
        return type_
    if is_abstract_type(type_):
        possible = schema.get_possible_types(type_)
        return possible[0] if possible else None
    return None


def _fragment_cost(walk: _Walk, name: str) -> int:
    if name in walk.memo:
        return walk.memo[name]
    walk.memo[name] = 0  # a cycle (refused by validation anyway) costs nothing more
    fragment = walk.fragments.get(name)
    cost = 0
    if fragment is not None:
        target = walk.schema.get_type(fragment.type_condition.name.value)
        if target is not None:
            cost = _selection_cost(walk, target, fragment.selection_set)
    walk.memo[name] = cost
    return cost


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None = None,
    variables: Mapping[str, Any] | None = None,
) -> int:
    """The cost of the operation ``operation_name`` (or the only one) of a valid document."""
    fragments: dict[str, FragmentDefinitionNode] = {}
    operations: list[OperationDefinitionNode] = []
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            fragments[definition.name.value] = definition
        elif isinstance(definition, OperationDefinitionNode):
            operations.append(definition)
    chosen = [
        op
        for op in operations
        if operation_name is None or (op.name is not None and op.name.value == operation_name)
    ]
    if not chosen:
        return 0
    operation = chosen[0]
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    walk = _Walk(schema, fragments, variables or {})
    cost = _selection_cost(walk, root, operation.selection_set)
    return cost + walk.batches * CALL_WEIGHT
