"""The ``Node`` and ``Job`` interfaces, and what every upstream-backed type shares.

:class:`UpstreamDocument` is the base of every type mapped from one upstream
document: it keeps the raw document (``upstream: JSON``, the escape hatch for
fields the gateway does not type), and its typed fields are read from it on
demand (:mod:`schema.core.document_fields`). :class:`LoadableDocument` also
loads itself by key through its per-request loader, so a field that returns
such an object is one call: ``await WorkflowJob.load(info, id)``.
:class:`JobDocument` is a loadable ``Job``: the interface's fields come from
the document's :class:`~gateway.facts.JobFacts`, computed once per object.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar, Self

import strawberry
from aiodataloader import DataLoader

from gateway.context import Info
from gateway.facts import JobFacts
from schema.core.document_fields import FromAttribute
from schema.core.ids import to_global_id
from schema.core.scalars import JSON
from schema.core.states import JobSource, JobState

Doc = dict[str, Any]


@strawberry.interface(description="An object with a global id (Relay).")
class Node:
    id: strawberry.ID = strawberry.field(description="Global id; pass it to `node(id:)`.")


@strawberry.interface(description="What every job has, whatever its system.")
class Job(Node):
    source: JobSource = strawberry.field(
        description="The system the job lives in; it tells which type the job is "
        "(`FlowJob`, `OperationsJob`, or for AWX `WorkflowJob` or another `AwxJob` type: the "
        "jobs workflow nodes spawn)."
    )
    name: str | None = strawberry.field(
        description="The job's name: `metadata.jobTitle` (jobs store), `name` "
        "(operations manager, AWX). Null when the upstream omits it "
        "or sends another shape."
    )
    state: JobState = strawberry.field(description="Normalised across the three systems.")
    upstream_status: str | None = strawberry.field(
        description="The upstream's own status word, as sent: `metadata.status` (jobs store), "
        "`status` (operations manager, AWX). Null when absent or not a string."
    )
    created_at: datetime | None = strawberry.field(
        description="When the job was created: `metadata.created` (jobs store), "
        "`created` (operations manager, AWX). Null when the upstream "
        "omits it or it is not a date-time."
    )
    updated_at: datetime | None = strawberry.field(
        description="When the job last changed: `metadata.updated` (jobs store), "
        "`last_updated` (operations manager), `modified` (AWX). Null "
        "when the upstream omits it or it is not a date-time."
    )
    started_at: datetime | None = strawberry.field(
        description="When the job started: the earliest `started` of its steps, "
        "else `metadata.created` (jobs store); `metrics.start_time` "
        "(operations manager, ISO text or epoch milliseconds); "
        "`started` (AWX). Null while not started, or when the "
        "upstream's value is missing or not a plausible time."
    )
    finished_at: datetime | None = strawberry.field(
        description="When the job finished: for a jobs-store job in a final "
        "state, the latest `completed` or `cancelled` of its steps "
        "or `metadata.updated`; `metrics.end_time` (operations "
        "manager); `finished` (AWX). Null while the job runs, or "
        "when the upstream's value is missing or not a plausible "
        "time."
    )
    elapsed_seconds: float | None = strawberry.field(
        description="Seconds (decimal) from start to finish: AWX's own `elapsed`; for the other "
        "two, `finishedAt` minus `startedAt`, to the millisecond. Null while the upstream does "
        "not say: a time missing, a negative figure, or AWX's 0 before the job started."
    )
    owner: str | None = strawberry.field(
        description="Who launched or runs the job: `metadata.username` (jobs store); "
        "`metrics.owner`, else `metrics.user` (its `username` when an object), else "
        "`created_by` (operations manager); `launched_by.name`, else "
        "`summary_fields.created_by.username` (AWX). Null when none of these is text."
    )


@strawberry.type
class UpstreamDocument:
    """Base of a type mapped from one upstream document (not itself in the schema)."""

    _doc: strawberry.Private[Doc]

    @strawberry.field(description="The raw document as the upstream sent it.")
    def upstream(self) -> JSON:
        return self._doc


@strawberry.type
class LoadableDocument(UpstreamDocument):
    """Base of a type that a per-request loader fetches by key (not itself in the schema)."""

    @classmethod
    def from_doc(cls, doc: Doc) -> Self:
        """The object of one document, its fields read from it when first read.

        The dataclass ``__init__`` is skipped: a type's fields are
        :class:`~schema.core.document_fields.ReadOnce` readers
        (:func:`~schema.core.document_fields.read_lazily`).
        """
        obj = cls.__new__(cls)
        obj._doc = doc
        return obj

    loader_name: ClassVar[str] = ""
    """The attribute of :class:`~gateway.loaders.Loaders` that loads this type by key."""

    @classmethod
    async def load(cls, info: Info, key: Any) -> Self | None:
        """The object with this key, through this request's loader; ``None`` when missing."""
        loader: DataLoader[Any, Doc | None] = getattr(info.context.loaders, cls.loader_name)
        doc = await loader.load(key)
        return cls.from_doc(doc) if doc else None

    @classmethod
    async def load_many(cls, info: Info, keys: list[Any]) -> list[Self]:
        """The objects with these keys that exist, in key order."""
        loader: DataLoader[Any, Doc | None] = getattr(info.context.loaders, cls.loader_name)
        docs = await loader.load_many(keys)
        return [cls.from_doc(doc) for doc in docs if doc]


@strawberry.type
class JobDocument(LoadableDocument):
    """Base of a loadable ``Job`` type (not itself in the schema)."""

    _facts: strawberry.Private[JobFacts]
    """The document's facts: read once, on the first ``Job`` field read."""

    @classmethod
    def with_facts(cls, doc: Doc, facts: JobFacts) -> Self:
        """The object of a document whose facts are already known (the cross-system view's)."""
        obj = cls.from_doc(doc)
        obj._facts = facts
        return obj


def job_readers(
    type_name: str, facts_of: Callable[[Doc], JobFacts]
) -> dict[str, Callable[[JobDocument], object]]:
    """Readers of the ``Job`` interface's fields of a type, all from the document's facts."""
    return {
        "_facts": lambda job: facts_of(job._doc),
        "id": lambda job: strawberry.ID(to_global_id(type_name, job._facts.key)),
        **{
            name: FromAttribute("_facts", name)
            for name in (
                "source",
                "name",
                "state",
                "upstream_status",
                "created_at",
                "updated_at",
                "started_at",
                "finished_at",
                "elapsed_seconds",
                "owner",
            )
        },
    }
