"""AWX's root query fields."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.context import Info
from gateway.errors import UpstreamNotFound
from gateway.filters import JobListFilter
from schema.awx.inputs import WorkflowJobFilter
from schema.awx.resolvers import resolve_workflow_jobs
from schema.awx.types import JobTemplate, WorkflowJob
from schema.core.filters import list_filter
from schema.core.ids import check_positive
from schema.core.pagination import AfterArgument, Connection, FirstArgument


@strawberry.type
class WorkflowJobQueries:
    @strawberry.field(description="One AWX workflow job by id; null when there is none.")
    async def workflow_job(
        self,
        info: Info,
        id: Annotated[
            int,
            strawberry.argument(
                description="AWX's id of the workflow job (`awxId`), a positive integer; not "
                "a global id."
            ),
        ],
    ) -> WorkflowJob | None:
        return await WorkflowJob.load(info, check_positive(id, "id"))

    @strawberry.field(description="AWX workflow jobs, newest first.")
    async def workflow_jobs(
        self,
        info: Info,
        filter: Annotated[
            WorkflowJobFilter | None,
            strawberry.argument(
                description="Conditions pushed down into AWX's list filters; every job when null."
            ),
        ] = None,
        first: FirstArgument = None,
        after: AfterArgument = None,
    ) -> Connection[WorkflowJob] | None:
        return await resolve_workflow_jobs(info, list_filter(filter), first, after)

    @strawberry.field(
        description="The slice workflow jobs of one job template, newest first; null when "
        "there is no such template (a template without slices has an empty connection)."
    )
    async def slice_workflow_jobs(
        self,
        info: Info,
        job_template_id: Annotated[
            int,
            strawberry.argument(
                description="AWX's id of the job template (`JobTemplate.awxId`), a positive "
                "integer."
            ),
        ],
        first: FirstArgument = None,
        after: AfterArgument = None,
    ) -> Connection[WorkflowJob] | None:
        template = check_positive(job_template_id, "jobTemplateId")
        try:
            return await resolve_workflow_jobs(
                info, JobListFilter(), first, after, job_template_id=template
            )
        except UpstreamNotFound:
            # AWX answers 404 for the list of a template it does not have: a missing
            # object, which the graph answers as null (as ``jobTemplate(id)`` does).
            return None

    @strawberry.field(description="One AWX job template by id; null when there is none.")
    async def job_template(
        self,
        info: Info,
        id: Annotated[
            int,
            strawberry.argument(
                description="AWX's id of the job template (`awxId`), a positive integer; not "
                "a global id."
            ),
        ],
    ) -> JobTemplate | None:
        return await JobTemplate.load(info, check_positive(id, "id"))
