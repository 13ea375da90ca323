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

from enum import Enum
from typing import Any

import orjson
import strawberry

from gateway.context import Info
from gateway.errors import (
    UpstreamError,
    UpstreamForbidden,
    UpstreamNotFound,
    UpstreamRejected,
)
from gateway.upstreams.awx import JOB_TEMPLATES
from schema import coerce
from schema.lost_answers import answer_lost, outcome_unknown, sent_at
from schema.scalars import JSON
from schema.user_errors import Code, UserError, UserErrors, rejection_errors
from schema.workflow_jobs import WorkflowJob

MAX_NAME = 512
MAX_TEXT = 65_536
MAX_TAGS = 1024
MAX_SCM_BRANCH = 1024
MAX_WEBHOOK_GUID = 128
NON_FIELD_KEYS = frozenset({"__all__", "non_field_errors"})


@strawberry.enum(description="Where an AWX workflow job accepts webhooks from.")
class WebhookService(Enum):
    NONE = ""
    GITHUB = "github"
    GITLAB = "gitlab"
    BITBUCKET_DC = "bitbucket_dc"


@strawberry.input(description="A slice workflow job to create (seed 003's fields).")
class SliceWorkflowJobInput:
    name: str = strawberry.field(description=f"Required, 1..{MAX_NAME} characters.")
    description: str | None = None
    workflow_job_template: int | None = None
    extra_vars: JSON | None = strawberry.field(
        default=None, description="A JSON object; sent to AWX as JSON text."
    )
    allow_simultaneous: bool | None = None
    is_sliced_job: bool | None = None
    inventory: int | None = None
    limit: str | None = None
    scm_branch: str | None = None
    webhook_service: WebhookService | None = None
    webhook_credential: int | None = None
    webhook_guid: str | None = strawberry.field(
        default=None, description=f"At most {MAX_WEBHOOK_GUID} characters."
    )
    skip_tags: str | None = None
    job_tags: str | None = None


@strawberry.input(
    description="Values to prompt a launch with; AWX ignores (and reports) the ones the "
    "template does not ask for on launch."
)
class LaunchJobTemplateInput:
    extra_vars: JSON | None = None
    limit: str | None = None
    inventory: int | None = None
    job_tags: str | None = None
    skip_tags: str | None = None
    scm_branch: str | None = None


@strawberry.type(description="A plain AWX job, as `/launch/` answers for an unsliced template.")
class LaunchedJob:
    awx_id: int | None
    name: str | None
    status: str | None
    type: str | None
    _doc: strawberry.Private[dict[str, Any]]

    @strawberry.field(description="The launch answer as AWX sent it.")
    def upstream(self) -> JSON:
        return self._doc


@strawberry.type(description="The answer of `createSliceWorkflowJob`.")
class CreateSliceWorkflowJobPayload:
    workflow_job: WorkflowJob | None
    user_errors: list[UserError]


@strawberry.type(description="The answer of `launchJobTemplate`: a workflow job or a job.")
class LaunchJobTemplatePayload:
    workflow_job: WorkflowJob | None = strawberry.field(
        description="Set when AWX launched a workflow job (a template with job_slice_count > 1)."
    )
    job: LaunchedJob | None = strawberry.field(description="Set when AWX launched a plain job.")
    ignored_fields: JSON | None = strawberry.field(
        description="What AWX ignored because the template does not prompt for it."
    )
    user_errors: list[UserError]


def awx_field(name: str) -> str | None:
    """An AWX field name in the input's camelCase; ``None`` for ``__all__``."""
    if name in NON_FIELD_KEYS:
        return None
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _put(body: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        body[key] = value


def _common(
    errors: UserErrors,
    body: dict[str, Any],
    *,
    extra_vars: Any,
    inventory: int | None,
    limit: str | None,
    scm_branch: str | None,
    job_tags: str | None,
    skip_tags: str | None,
) -> None:
    """The fields a slice create and a launch share."""
    variables = errors.json_object("extraVars", extra_vars)
    if variables is not None:
        body["extra_vars"] = orjson.dumps(variables).decode()
    _put(body, "inventory", errors.positive_int("inventory", inventory))
    _put(body, "limit", errors.text("limit", limit, max_length=MAX_TEXT))
    _put(body, "scm_branch", errors.text("scmBranch", scm_branch, max_length=MAX_SCM_BRANCH))
    _put(body, "job_tags", errors.text("jobTags", job_tags, max_length=MAX_TAGS))
    _put(body, "skip_tags", errors.text("skipTags", skip_tags, max_length=MAX_TAGS))


def slice_body(data: SliceWorkflowJobInput, errors: UserErrors) -> dict[str, Any]:
    """The AWX body of a slice workflow job create; problems go to ``errors``.

    The name is checked as AWX does: surrounding whitespace trimmed, then
    1..512 characters.
    """
    body: dict[str, Any] = {}
    _put(body, "name", errors.text("name", data.name.strip(), max_length=MAX_NAME, required=True))
    _put(body, "description", errors.text("description", data.description, max_length=MAX_TEXT))
    _put(
        body,
        "workflow_job_template",
        errors.positive_int("workflowJobTemplate", data.workflow_job_template),
    )
    _common(
        errors,
        body,
        extra_vars=data.extra_vars,
        inventory=data.inventory,
        limit=data.limit,
        scm_branch=data.scm_branch,
        job_tags=data.job_tags,
        skip_tags=data.skip_tags,
    )
    _put(body, "allow_simultaneous", data.allow_simultaneous)
    _put(body, "is_sliced_job", data.is_sliced_job)
    if data.webhook_service is not None:
        body["webhook_service"] = data.webhook_service.value
    _put(
        body,
        "webhook_credential",
        errors.positive_int("webhookCredential", data.webhook_credential),
    )
    _put(
        body,
        "webhook_guid",
        errors.text("webhookGuid", data.webhook_guid, max_length=MAX_WEBHOOK_GUID),
    )
    return body


def launch_body(data: LaunchJobTemplateInput | None, errors: UserErrors) -> dict[str, Any]:
    """The AWX body of a launch (``{}`` when nothing is prompted)."""
    body: dict[str, Any] = {}
    if data is not None:
        _common(
            errors,
            body,
            extra_vars=data.extra_vars,
            inventory=data.inventory,
            limit=data.limit,
            scm_branch=data.scm_branch,
            job_tags=data.job_tags,
            skip_tags=data.skip_tags,
        )
    return body


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
        self, info: Info, job_template_id: int, input: SliceWorkflowJobInput
    ) -> CreateSliceWorkflowJobPayload:
        errors = UserErrors()
        errors.positive_int("jobTemplateId", job_template_id)
        body = slice_body(input, errors)
        if errors:
            return CreateSliceWorkflowJobPayload(workflow_job=None, user_errors=errors.items)
        path = f"{JOB_TEMPLATES}{job_template_id}/slice_workflow_jobs/"
        sent = sent_at()
        try:
            doc = await info.context.awx.post(path, body)
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

    @strawberry.mutation(
        description="Launch a job template (`POST /api/v2/job_templates/{id}/launch/`): a "
        "workflow job for a sliced template, else a job. Sent once, never retried."
    )
    async def launch_job_template(
        self, info: Info, job_template_id: int, input: LaunchJobTemplateInput | None = None
    ) -> LaunchJobTemplatePayload:
        errors = UserErrors()
        errors.positive_int("jobTemplateId", job_template_id)
        body = launch_body(input, errors)
        if errors:
            return LaunchJobTemplatePayload(
                workflow_job=None, job=None, ignored_fields=None, user_errors=errors.items
            )
        path = f"{JOB_TEMPLATES}{job_template_id}/launch/"
        sent = sent_at()
        try:
            doc = await info.context.awx.post(path, body)
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
