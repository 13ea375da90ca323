"""The ``Node`` and ``Job`` interfaces every job type implements."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.status import JobSource, JobState


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
