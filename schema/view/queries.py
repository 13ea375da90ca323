"""The cross-system view's root query fields."""

from __future__ import annotations

import strawberry

from gateway.context import Info
from schema.view.resolvers import resolve_job_counts, resolve_jobs
from schema.view.types import JobConnection, JobCounts, JobFilter


@strawberry.type
class JobQueries:
    @strawberry.field(
        description="The jobs of all three systems as one list, newest first (by `createdAt`; "
        "ties by source, then the source's own order)."
    )
    async def jobs(
        self,
        info: Info,
        filter: JobFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> JobConnection:
        return await resolve_jobs(info, filter, first, after)

    @strawberry.field(description="Counts per source and state, and durations, for reports.")
    async def job_counts(self, info: Info, filter: JobFilter | None = None) -> JobCounts:
        return await resolve_job_counts(info, filter)
