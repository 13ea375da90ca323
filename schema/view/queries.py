"""The cross-system view's root query fields."""

from __future__ import annotations

from typing import Annotated

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
        filter: Annotated[
            JobFilter | None,
            strawberry.argument(description="Which jobs to list; every job when null."),
        ] = None,
        first: Annotated[
            int | None,
            strawberry.argument(
                description="How many jobs the page holds at most: 0 to GATEWAY_MAX_PAGE_SIZE "
                "(200 unless configured); 20 when null. Beyond: a BAD_USER_INPUT error."
            ),
        ] = None,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="Continue after this cursor: an edge's `cursor` or "
                "`pageInfo.endCursor` of `jobs` with the same filter; null for the first "
                "page. A cursor of another filter or list: a BAD_USER_INPUT error."
            ),
        ] = None,
    ) -> JobConnection:
        return await resolve_jobs(info, filter, first, after)

    @strawberry.field(description="Counts per source and state, and durations, for reports.")
    async def job_counts(
        self,
        info: Info,
        filter: Annotated[
            JobFilter | None,
            strawberry.argument(description="Which jobs to count; every job when null."),
        ] = None,
    ) -> JobCounts:
        return await resolve_job_counts(info, filter)
