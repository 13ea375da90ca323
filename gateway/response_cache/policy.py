"""Which root fields may be cached, and which systems each read or mutation touches.

A static policy per root field (like ``@cacheControl`` on a schema, but kept
here, beside the invalidation it must agree with): the list and count reads.
A query is cached only when every root field it selects is one of them; the
systems of its fields are the generations its answer depends on.

Mutations: each names the system it writes to; the job actions, which take a
global id of any system, move all three (a wider drop, never a stale read).
A root field not listed here (a new mutation) moves all three too.
"""

from __future__ import annotations

from graphql import FieldNode, OperationDefinitionNode

from gateway.upstream_names import Upstream

ALL_SYSTEMS: tuple[str, ...] = tuple(system.value for system in Upstream)

CACHEABLE_READS: dict[str, tuple[str, ...]] = {
    "flowJobs": (Upstream.JOBSTORE.value,),
    "operationsJobs": (Upstream.OPSMANAGER.value,),
    "workflowJobs": (Upstream.AWX.value,),
    "sliceWorkflowJobs": (Upstream.AWX.value,),
    "jobs": ALL_SYSTEMS,
    "jobCounts": ALL_SYSTEMS,
    "__typename": (),
}
"""Root query fields whose answers may be cached, and the systems each reads."""

MUTATION_SYSTEMS: dict[str, tuple[str, ...]] = {
    "createFlowJob": (Upstream.JOBSTORE.value,),
    "startOperationsJob": (Upstream.OPSMANAGER.value,),
    "retryOperationsTask": (Upstream.OPSMANAGER.value,),
    "createSliceWorkflowJob": (Upstream.AWX.value,),
    "launchJobTemplate": (Upstream.AWX.value,),
}
"""Mutations and the one system each writes to; any other moves all three."""


def read_systems(operation: OperationDefinitionNode) -> tuple[str, ...] | None:
    """The systems a cacheable query reads (sorted); ``None``: not cacheable.

    Root fragments are not followed: a query using them is not cached.
    """
    systems: set[str] = set()
    for selection in operation.selection_set.selections:
        if not isinstance(selection, FieldNode):
            return None
        read = CACHEABLE_READS.get(selection.name.value)
        if read is None:
            return None
        systems.update(read)
    return tuple(sorted(systems))


def written_systems(operation: OperationDefinitionNode) -> tuple[str, ...]:
    """The systems a mutation may change (sorted)."""
    systems: set[str] = set()
    for selection in operation.selection_set.selections:
        if not isinstance(selection, FieldNode):
            return ALL_SYSTEMS
        systems.update(MUTATION_SYSTEMS.get(selection.name.value, ALL_SYSTEMS))
    return tuple(sorted(systems))
