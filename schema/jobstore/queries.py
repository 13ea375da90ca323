"""The jobs store's root query fields."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.context import Info
from schema.core.ids import check_id
from schema.core.pagination import AfterArgument, Connection, FirstArgument
from schema.jobstore.resolvers import resolve_flow_jobs
from schema.jobstore.types import FlowJob


@strawberry.type
class FlowJobQueries:
    @strawberry.field(description="One jobs-store job by its `jobId`; null when there is none.")
    async def flow_job(
        self,
        info: Info,
        job_id: Annotated[
            str,
            strawberry.argument(
                description="The jobs store's `jobId` (an ObjectId, 24 hex digits), not a "
                "global id; 1..200 characters without spaces."
            ),
        ],
    ) -> FlowJob | None:
        return await FlowJob.load(info, check_id(job_id, "jobId"))

    @strawberry.field(description="The jobs store's jobs, newest first.")
    async def flow_jobs(
        self, info: Info, first: FirstArgument = None, after: AfterArgument = None
    ) -> Connection[FlowJob] | None:
        return await resolve_flow_jobs(info, first, after)
