"""``startOperationsJob``: start a workflow in the operations manager.

The input is checked against the upstream's own body schema first
(:mod:`schema.opsmanager.inputs`).

The operations manager has no idempotency key and no lookup by request
identity: every start makes a new job. The POST is therefore sent once, and a
lost answer becomes ``OUTCOME_UNKNOWN`` carrying the workflow, description and
the time it was sent, for the caller to check (``operationsJobs`` filtered by
name and creation time) before starting again.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.context import Info
from gateway.errors import UpstreamError, UpstreamRejected
from gateway.lost_answers import answer_lost, outcome_unknown, sent_at
from schema.core.user_errors import UserError, UserErrors, rejection_errors
from schema.opsmanager.inputs import StartOperationsJobInput, start_body
from schema.opsmanager.types import OperationsJob


@strawberry.type(description="The answer of `startOperationsJob`.")
class StartOperationsJobPayload:
    job: OperationsJob | None = strawberry.field(
        description="The started job; null when there are userErrors."
    )
    message: str | None = strawberry.field(description="The upstream's own message.")
    user_errors: list[UserError] = strawberry.field(
        description="Problems with the input, all at once; empty when the "
        "mutation succeeded. When the gateway's own checks find one, "
        "nothing is sent upstream."
    )


@strawberry.type
class OperationsJobMutations:
    @strawberry.mutation(
        description="Start a workflow as a new operations-manager job. Sent once, never retried."
    )
    async def start_operations_job(
        self,
        info: Info,
        input: Annotated[
            StartOperationsJobInput,
            strawberry.argument(description="The workflow to start, and the job's options."),
        ],
    ) -> StartOperationsJobPayload:
        return await resolve_start_operations_job(info, input)


async def resolve_start_operations_job(
    info: Info, input: StartOperationsJobInput
) -> StartOperationsJobPayload:
    """Check the input, then POST once; a lost answer is OUTCOME_UNKNOWN."""
    errors = UserErrors()
    body = start_body(input, errors)
    if body is None:
        return StartOperationsJobPayload(job=None, message=None, user_errors=errors.items)
    sent = sent_at()
    try:
        message, doc = await info.context.opsmanager.start_job(body)
    except UpstreamRejected as exc:
        return StartOperationsJobPayload(
            job=None, message=None, user_errors=rejection_errors(exc, lambda _: None)
        )
    except UpstreamError as exc:
        if not answer_lost(exc):
            raise
        identity = {
            "workflow": input.workflow,
            "description": body["options"].get("description"),
            "sentAt": sent,
        }
        raise outcome_unknown(exc, what="starting the job", identity=identity) from None
    job = OperationsJob.from_doc(doc)
    if job.ops_id:
        info.context.loaders.operations_job_by_id.prime(job.ops_id, doc)
    return StartOperationsJobPayload(job=job, message=message, user_errors=[])
