"""AWX mutation inputs and the bodies they become.

Inputs are checked before sending (lengths, ids, choices AWX documents);
what only AWX can know (does inventory 999 exist?) comes back as its
per-field 400, which :func:`awx_field` names in the input's camelCase
(``webhook_guid`` -> ``webhookGuid``; ``__all__`` -> null).
"""

from __future__ import annotations

from enum import Enum
from typing import Any

import orjson
import strawberry

from schema.core.filters import JobListFilterInput
from schema.core.scalars import JSON
from schema.core.states import described_enum
from schema.core.user_errors import UserErrors

MAX_NAME = 512
MAX_TEXT = 65_536
MAX_TAGS = 1024
MAX_SCM_BRANCH = 1024
MAX_WEBHOOK_GUID = 128
NON_FIELD_KEYS = frozenset({"__all__", "non_field_errors"})


@described_enum(
    "Where an AWX workflow job accepts webhooks from.",
    {
        "NONE": 'No webhook: AWX\'s `""`.',
        "GITHUB": "GitHub: AWX's `github`.",
        "GITLAB": "GitLab: AWX's `gitlab`.",
        "BITBUCKET_DC": "Bitbucket Data Center: AWX's `bitbucket_dc`.",
    },
)
class WebhookService(Enum):
    NONE = ""
    GITHUB = "github"
    GITLAB = "gitlab"
    BITBUCKET_DC = "bitbucket_dc"


@strawberry.input(description="A slice workflow job to create (seed 003's fields).")
class SliceWorkflowJobInput:
    name: str = strawberry.field(description=f"Required, 1..{MAX_NAME} characters.")
    description: str | None = strawberry.field(
        default=None, description="`description`, at most 65,536 characters."
    )
    workflow_job_template: int | None = strawberry.field(
        default=None,
        description="`workflow_job_template`: the id of a workflow job template (positive).",
    )
    extra_vars: JSON | None = strawberry.field(
        default=None, description="A JSON object; sent to AWX as JSON text."
    )
    allow_simultaneous: bool | None = strawberry.field(
        default=None,
        description="`allow_simultaneous`: whether it may run alongside other "
        "jobs of its template.",
    )
    is_sliced_job: bool | None = strawberry.field(
        default=None,
        description="`is_sliced_job`: mark it as the workflow job of a sliced template.",
    )
    inventory: int | None = strawberry.field(
        default=None, description="`inventory`: the id of the inventory to run against (positive)."
    )
    limit: str | None = strawberry.field(
        default=None,
        description="`limit`: a host pattern to limit the run to, at most 65,536 characters.",
    )
    scm_branch: str | None = strawberry.field(
        default=None,
        description="`scm_branch`: the source-control branch to run, at most 1024 characters.",
    )
    webhook_service: WebhookService | None = strawberry.field(
        default=None,
        description="`webhook_service`: where webhooks come from; AWX's default when null.",
    )
    webhook_credential: int | None = strawberry.field(
        default=None,
        description="`webhook_credential`: the id of the webhook's credential (positive).",
    )
    webhook_guid: str | None = strawberry.field(
        default=None, description=f"At most {MAX_WEBHOOK_GUID} characters."
    )
    skip_tags: str | None = strawberry.field(
        default=None,
        description="`skip_tags`: comma-separated tags to skip, at most 1024 characters.",
    )
    job_tags: str | None = strawberry.field(
        default=None,
        description="`job_tags`: comma-separated tags to run only, at most 1024 characters.",
    )


@strawberry.input(
    description="Values to prompt a launch with; AWX ignores (and reports) the ones the "
    "template does not ask for on launch."
)
class LaunchJobTemplateInput:
    extra_vars: JSON | None = strawberry.field(
        default=None, description="`extra_vars`: a JSON object; sent to AWX as JSON text."
    )
    limit: str | None = strawberry.field(
        default=None,
        description="`limit`: a host pattern to limit the run to, at most 65,536 characters.",
    )
    inventory: int | None = strawberry.field(
        default=None, description="`inventory`: the id of the inventory to run against (positive)."
    )
    job_tags: str | None = strawberry.field(
        default=None,
        description="`job_tags`: comma-separated tags to run only, at most 1024 characters.",
    )
    skip_tags: str | None = strawberry.field(
        default=None,
        description="`skip_tags`: comma-separated tags to skip, at most 1024 characters.",
    )
    scm_branch: str | None = strawberry.field(
        default=None,
        description="`scm_branch`: the source-control branch to run, at most 1024 characters.",
    )


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


@strawberry.input(description="Filters pushed down into AWX's list filters.")
class WorkflowJobFilter(JobListFilterInput):
    pass
