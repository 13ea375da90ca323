"""``createFlowJob``: an idempotent create in the jobs store.

Inputs are checked first (:mod:`schema.jobstore.inputs`); the create itself,
with its lookup, per-key claim and settling of lost answers, is
:func:`gateway.flow_job_creates.create_flow_job`.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.context import Info
from gateway.errors import UpstreamRejected
from gateway.flow_job_creates import create_flow_job
from schema.core.user_errors import UserError, UserErrors, rejection_errors
from schema.jobstore.inputs import CreateFlowJobInput, flow_job_request
from schema.jobstore.types import FlowJob


@strawberry.type(description="The answer of `createFlowJob`.")
class CreateFlowJobPayload:
    job: FlowJob | None = strawberry.field(description="The job; null when there are userErrors.")
    created: bool = strawberry.field(
        description="False when a job with this `clientJobId` already existed and was returned "
        "instead of creating another."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Problems with the input, all at once; empty when the "
        "mutation succeeded. When the gateway's own checks find one, "
        "nothing is sent upstream."
    )


@strawberry.type
class FlowJobMutations:
    @strawberry.mutation(
        description="Create a jobs-store job (`POST /jobs/v1`), idempotently by `clientJobId`: "
        "a repeat answers the existing job with `created: false`. Errors `CREATE_UNAVAILABLE` "
        "and `CREATE_IN_PROGRESS` (gateways sharing state in Redis) mean nothing was sent: "
        "retry with the same `clientJobId`."
    )
    async def create_flow_job(
        self,
        info: Info,
        input: Annotated[CreateFlowJobInput, strawberry.argument(description="The job to create.")],
    ) -> CreateFlowJobPayload:
        return await resolve_create_flow_job(info, input)


async def resolve_create_flow_job(info: Info, input: CreateFlowJobInput) -> CreateFlowJobPayload:
    """Check the input, then create once per ``clientJobId``."""
    errors = UserErrors()
    request = flow_job_request(input, errors)
    if request is None:
        return CreateFlowJobPayload(job=None, created=False, user_errors=errors.items)
    context = info.context
    try:
        outcome = await create_flow_job(
            context.jobstore, context.create_claims, request.client_job_id, request.body
        )
    except UpstreamRejected as exc:
        return CreateFlowJobPayload(job=None, created=False, user_errors=rejection_errors(exc))
    job = FlowJob.from_doc(outcome.doc)
    if job.job_id:
        context.loaders.flow_job_by_id.prime(job.job_id, outcome.doc)
    return CreateFlowJobPayload(job=job, created=outcome.created, user_errors=[])
