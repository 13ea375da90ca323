"""The ``Node`` and ``Job`` interfaces, and what every upstream-backed type shares.

:class:`UpstreamDocument` is the base of every type mapped from one upstream
document: it keeps the raw document (``upstream: JSON``, the escape hatch for
fields the gateway does not type). :class:`LoadableDocument` also loads
itself by key through its per-request loader, so a field that returns such
an object is one call: ``await WorkflowJob.load(info, id)``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Self

import strawberry
from aiodataloader import DataLoader

from gateway.context import Info
from gateway.facts import JobFacts
from schema.core.ids import to_global_id
from schema.core.scalars import JSON
from schema.core.states import JobSource, JobState

Doc = dict[str, Any]


@strawberry.interface(description="An object with a global id (Relay).")
class Node:
    id: strawberry.ID = strawberry.field(description="Global id; pass it to `node(id:)`.")


@strawberry.interface(description="What every job has, whatever its system.")
class Job(Node):
    source: JobSource
    name: str | None
    state: JobState = strawberry.field(description="Normalised across the three systems.")
    upstream_status: str | None = strawberry.field(description="The upstream's own status word.")
    created_at: datetime | None
    updated_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    elapsed_seconds: float | None = strawberry.field(
        description="Seconds from start to finish; null while the upstream does not say."
    )
    owner: str | None = strawberry.field(description="Who launched or runs the job.")


def job_fields(type_name: str, facts: JobFacts) -> dict[str, Any]:
    """The ``Job`` interface's fields of a type, from the document's facts."""
    return {
        "id": strawberry.ID(to_global_id(type_name, facts.key)),
        "source": facts.source,
        "name": facts.name,
        "state": facts.state,
        "upstream_status": facts.upstream_status,
        "created_at": facts.created_at,
        "updated_at": facts.updated_at,
        "started_at": facts.started_at,
        "finished_at": facts.finished_at,
        "elapsed_seconds": facts.elapsed_seconds,
        "owner": facts.owner,
    }


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
        """The type of one document."""
        raise NotImplementedError

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
