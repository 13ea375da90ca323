"""The domain's enums, registered with Strawberry as they are (:mod:`gateway.states`).

:mod:`gateway` stays free of GraphQL, so its enums carry no GraphQL
descriptions; :func:`described_enum` registers an enum and gives each of its
values a description, on the Strawberry side.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum
from typing import TypeVar

import strawberry
from strawberry.types.enum import StrawberryEnumDefinition

from gateway.states import JobSource, JobState

E = TypeVar("E", bound=type[Enum])


def described_enum(description: str, values: Mapping[str, str]) -> Callable[[E], E]:
    """Register an enum with Strawberry, with ``description`` and one description per value.

    ``values`` maps each member's name to its description; a member without
    one (or a name that is no member) fails at import, so a new member cannot
    reach the schema undocumented.
    """

    def register(cls: E) -> E:
        strawberry.enum(cls, description=description)
        definition = getattr(cls, "__strawberry_definition__", None)
        assert isinstance(definition, StrawberryEnumDefinition)
        names = {value.name for value in definition.values}
        if names != set(values):
            raise ValueError(
                f"{cls.__name__}: describe exactly its values; missing "
                f"{sorted(names - set(values))}, unknown {sorted(set(values) - names)}"
            )
        for value in definition.values:
            value.description = values[value.name]
        return cls

    return register


described_enum(
    "The system a job lives in.",
    {
        "JOB_STORE": "The jobs store (WorkfloPlus-compatible); its jobs are `FlowJob`s.",
        "OPERATIONS_MANAGER": "The operations manager (Itential-compatible); its jobs are "
        "`OperationsJob`s.",
        "AWX": "AWX (Ansible automation controller); its jobs are `WorkflowJob`s.",
    },
)(JobSource)
described_enum(
    "A job's state, normalised across the three systems. The upstream's own word is in "
    "`upstreamStatus`.",
    {
        "QUEUED": "Waiting to run. AWX: `new`, `pending`, `waiting`.",
        "RUNNING": "Running. Jobs store: `InProgress`, `In Progress`, `In_Progress`, `Running` or "
        "`Started` (its in-progress word is undocumented; any case); operations manager and "
        "AWX: `running`.",
        "PAUSED": "Paused, to be resumed. Jobs store: `Paused`; operations manager: `paused`.",
        "SUCCEEDED": "Finished successfully (final). Jobs store: `Completed`; operations "
        "manager: `complete`; AWX: `successful`.",
        "FAILED": "Finished without success (final). Operations manager: `error`, "
        "`incomplete`; AWX: `failed`, `error`.",
        "CANCELED": "Stopped before the end (final). Jobs store: `Aborted`; operations "
        "manager and AWX: `canceled`.",
        "UNKNOWN": "A status word the gateway does not know, or none: read `upstreamStatus`.",
    },
)(JobState)

__all__ = ["JobSource", "JobState", "described_enum"]
