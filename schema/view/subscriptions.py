"""The live root fields: ``jobUpdated`` and ``jobsChanged`` (see :mod:`gateway.live.jobs`).

Both run over graphql-transport-ws (``ws://HOST/graphql``) and GraphQL over
SSE (``/graphql`` with ``Accept: text/event-stream``).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from gateway.context import Info
from schema.core.node import Job
from schema.view.resolvers import job_updated_events, jobs_changed_events
from schema.view.types import JobChange, JobFilter


@strawberry.type
class JobSubscriptions:
    @strawberry.subscription(
        description="One job of any system, by its Relay global id: the job now, then again on "
        "every change of state/upstreamStatus/updatedAt; completes when the job reaches a final "
        "state. The gateway polls the job's upstream every GATEWAY_SUBSCRIPTION_POLL_SECONDS, "
        "once for every subscriber of the same job. An upstream failure is an event with an "
        "error (`extensions.code`, e.g. UPSTREAM_UNAVAILABLE) and the stream goes on; an "
        "unknown job ends it with a NOT_FOUND error."
    )
    async def job_updated(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="The job's global id, as `Job.id` gives it; the id of anything "
                "but a job is a BAD_USER_INPUT error."
            ),
        ],
    ) -> AsyncGenerator[Job, None]:
        async for event in job_updated_events(info, str(id)):
            yield event  # type: ignore[misc]

    @strawberry.subscription(
        description="Jobs of the cross-system view matching the filter (the same JobFilter as "
        "Query.jobs): an event per created job and per state transition, among the newest "
        "GATEWAY_SUBSCRIPTION_WATCH_SIZE matching jobs. The first poll only records what "
        "exists and sends nothing. A failing source is an event with an error; the others "
        "go on."
    )
    async def jobs_changed(
        self,
        info: Info,
        filter: Annotated[
            JobFilter | None,
            strawberry.argument(description="Which jobs to watch; every job when null."),
        ] = None,
    ) -> AsyncGenerator[JobChange, None]:
        async for event in jobs_changed_events(info, filter):
            yield event  # type: ignore[misc]
