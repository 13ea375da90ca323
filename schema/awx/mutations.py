"""``createSliceWorkflowJob`` and ``launchJobTemplate``: AWX creates.

Inputs are checked before sending (lengths, ids, choices AWX documents);
what only AWX can know (does inventory 999 exist?) comes back as its
per-field 400, which becomes ``userErrors`` named in the input's camelCase
(``webhook_guid`` -> ``webhookGuid``; ``__all__`` -> null).

AWX has no idempotency key and no lookup by request identity, so a POST is
sent once and a lost answer becomes ``OUTCOME_UNKNOWN`` carrying the template,
the name and the time it was sent.

Real AWX denies ``POST .../slice_workflow_jobs/`` (403): a slice workflow job
is what ``/launch/`` makes of a template with ``job_slice_count > 1``. The
403 is answered as ``FORBIDDEN`` pointing at ``launchJobTemplate``.
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from gateway import coerce
from gateway.context import Info
from gateway.errors import UpstreamError, UpstreamForbidden, UpstreamNotFound, UpstreamRejected
from gateway.lost_answers import answer_lost, outcome_unknown, sent_at
from schema.awx.inputs import (
    LaunchJobTemplateInput,
    SliceWorkflowJobInput,
    awx_field,
    launch_body,
    slice_body,
)
from schema.awx.types import WorkflowJob
from schema.core.node import UpstreamDocument
from schema.core.scalars import JSON
from schema.core.user_errors import Code, UserError, UserErrors, rejection_errors


@strawberry.type(description="A plain AWX job, as `/launch/` answers for an unsliced template.")
class LaunchedJob(UpstreamDocument):
    awx_id: int | None = strawberry.field(
        description="`id`: AWX's id of the launched job. Null when the upstream "
        "omits it or sends another shape."
    )
    name: str | None = strawberry.field(
        description="`name`. Null when the upstream omits it or sends another shape."
    )
    status: str | None = strawberry.field(
        description="`status`, AWX's word (a new job is usually `pending`). Null "
        "when the upstream omits it or sends another shape."
    )
    type: str | None = strawberry.field(
        description="`type`: `job`. Null when the upstream omits it or sends another shape."
    )


@strawberry.type(description="The answer of `createSliceWorkflowJob`.")
class CreateSliceWorkflowJobPayload:
    workflow_job: WorkflowJob | None = strawberry.field(
        description="The created workflow job; null when there are userErrors."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Problems with the input, all at once; empty when the "
        "mutation succeeded. When the gateway's own checks find one, "
        "nothing is sent upstream."
    )


@strawberry.type(description="The answer of `launchJobTemplate`: a workflow job or a job.")
class LaunchJobTemplatePayload:
    workflow_job: WorkflowJob | None = strawberry.field(
        description="Set when AWX launched a workflow job (a template with job_slice_count > 1)."
    )
    job: LaunchedJob | None = strawberry.field(description="Set when AWX launched a plain job.")
    ignored_fields: JSON | None = strawberry.field(
        description="What AWX ignored because the template does not prompt for it."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Problems with the input, all at once; empty when the "
        "mutation succeeded. When the gateway's own checks find one, "
        "nothing is sent upstream."
    )


def _template_missing(job_template_id: int) -> list[UserError]:
    return [
        UserError(
            field="jobTemplateId",
            message=f"AWX has no job template {job_template_id} (or hides it from you)",
            code=Code.NOT_FOUND,
        )
    ]


def _workflow_job(info: Info, doc: dict[str, Any]) -> WorkflowJob:
    job = WorkflowJob.from_doc(doc)
    if job.awx_id:
        info.context.loaders.workflow_job_by_id.prime(job.awx_id, doc)
    return job


@strawberry.type
class WorkflowJobMutations:
    @strawberry.mutation(
        description="Create a slice workflow job of a job template "
        "(`POST /api/v2/job_templates/{id}/slice_workflow_jobs/`). Sent once, never retried."
    )
    async def create_slice_workflow_job(
        self,
        info: Info,
        job_template_id: Annotated[
            int,
            strawberry.argument(
                description="AWX's id of the job template (`JobTemplate.awxId`), a positive "
                "integer."
            ),
        ],
        input: Annotated[
            SliceWorkflowJobInput,
            strawberry.argument(description="The workflow job to create."),
        ],
    ) -> CreateSliceWorkflowJobPayload:
        return await resolve_create_slice_workflow_job(info, job_template_id, input)

    @strawberry.mutation(
        description="Launch a job template (`POST /api/v2/job_templates/{id}/launch/`): a "
        "workflow job for a sliced template, else a job. Sent once, never retried."
    )
    async def launch_job_template(
        self,
        info: Info,
        job_template_id: Annotated[
            int,
            strawberry.argument(
                description="AWX's id of the job template (`JobTemplate.awxId`), a positive "
                "integer."
            ),
        ],
        input: Annotated[
            LaunchJobTemplateInput | None,
            strawberry.argument(
                description="Values to prompt the launch with; the template's own when null."
            ),
        ] = None,
    ) -> LaunchJobTemplatePayload:
        return await resolve_launch_job_template(info, job_template_id, input)


async def resolve_create_slice_workflow_job(
    info: Info, job_template_id: int, input: SliceWorkflowJobInput
) -> CreateSliceWorkflowJobPayload:
    """Check the input, then POST once; AWX's refusals become userErrors or FORBIDDEN."""
    errors = UserErrors()
    errors.positive_int("jobTemplateId", job_template_id)
    body = slice_body(input, errors)
    if errors:
        return CreateSliceWorkflowJobPayload(workflow_job=None, user_errors=errors.items)
    sent = sent_at()
    try:
        doc = await info.context.awx.create_slice_workflow_job(job_template_id, body)
    except UpstreamRejected as exc:
        return CreateSliceWorkflowJobPayload(
            workflow_job=None, user_errors=rejection_errors(exc, awx_field)
        )
    except UpstreamNotFound:
        return CreateSliceWorkflowJobPayload(
            workflow_job=None, user_errors=_template_missing(job_template_id)
        )
    except UpstreamForbidden as exc:
        raise UpstreamForbidden(
            f"AWX does not allow creating slice workflow jobs this way for job template "
            f"{job_template_id}. Use `launchJobTemplate` instead: launching a template with "
            "job_slice_count > 1 creates its slice workflow job.",
            request=exc.request,
            status=exc.status,
        ) from None
    except UpstreamError as exc:
        if not answer_lost(exc):
            raise
        identity = {"jobTemplateId": job_template_id, "name": body["name"], "sentAt": sent}
        raise outcome_unknown(
            exc, what="creating the slice workflow job", identity=identity
        ) from None
    return CreateSliceWorkflowJobPayload(workflow_job=_workflow_job(info, doc), user_errors=[])


async def resolve_launch_job_template(
    info: Info, job_template_id: int, input: LaunchJobTemplateInput | None
) -> LaunchJobTemplatePayload:
    """Check the input, then POST once; the answer is a workflow job or a plain job."""
    errors = UserErrors()
    errors.positive_int("jobTemplateId", job_template_id)
    body = launch_body(input, errors)
    if errors:
        return LaunchJobTemplatePayload(
            workflow_job=None, job=None, ignored_fields=None, user_errors=errors.items
        )
    sent = sent_at()
    try:
        doc = await info.context.awx.launch(job_template_id, body)
    except UpstreamRejected as exc:
        return LaunchJobTemplatePayload(
            workflow_job=None,
            job=None,
            ignored_fields=None,
            user_errors=rejection_errors(exc, awx_field),
        )
    except UpstreamNotFound:
        return LaunchJobTemplatePayload(
            workflow_job=None,
            job=None,
            ignored_fields=None,
            user_errors=_template_missing(job_template_id),
        )
    except UpstreamError as exc:
        if not answer_lost(exc):
            raise
        identity = {"jobTemplateId": job_template_id, "sentAt": sent}
        what = "launching the job template"
        raise outcome_unknown(exc, what=what, identity=identity) from None
    ignored = doc.get("ignored_fields") or None
    if doc.get("type") == "workflow_job" or isinstance(doc.get("workflow_job"), int):
        return LaunchJobTemplatePayload(
            workflow_job=_workflow_job(info, doc),
            job=None,
            ignored_fields=ignored,
            user_errors=[],
        )
    launched = LaunchedJob(
        awx_id=coerce.integer(doc.get("id")),
        name=coerce.text(doc.get("name")),
        status=coerce.text(doc.get("status")),
        type=coerce.text(doc.get("type")),
        _doc=doc,
    )
    return LaunchJobTemplatePayload(
        workflow_job=None, job=launched, ignored_fields=ignored, user_errors=[]
    )
