"""``startOperationsJob``: start a workflow in the operations manager.

The input is checked against the upstream's own body schema (seed 002,
:data:`START_SCHEMA`) with ``jsonschema`` before anything is sent, so the
caller gets every problem as a ``userError`` with its path
(``options.groups.1``) instead of the upstream's single 400 text.

The operations manager has no idempotency key and no lookup by request
identity: every start makes a new job. The POST is therefore sent once, and a
lost answer becomes ``OUTCOME_UNKNOWN`` carrying the workflow, description and
the time it was sent, for the caller to check (``operationsJobs`` filtered by
name and creation time) before starting again.
"""

from __future__ import annotations

from typing import Any

import jsonschema
import strawberry

from gateway.context import Info
from gateway.errors import UpstreamError, UpstreamRejected
from gateway.upstreams.opsmanager_start_schema import START_SCHEMA
from schema.lost_answers import answer_lost, outcome_unknown, sent_at
from schema.operations_jobs import OperationsJob
from schema.scalars import JSON
from schema.user_errors import Code, UserError, UserErrors, rejection_errors

MAX_WORKFLOW = 512
MAX_DESCRIPTION = 4096
MAX_TYPE = 128
MAX_GROUPS = 100

_VALIDATOR = jsonschema.Draft7Validator(START_SCHEMA)
_CODES = {
    "required": Code.REQUIRED,
    "type": Code.INVALID_TYPE,
    "pattern": Code.INVALID_FORMAT,
    "additionalProperties": Code.UNKNOWN_FIELD,
}
_MESSAGES = {
    "type": "must be of type {expected}",
    "pattern": "must be an ObjectId-like id: 24 hexadecimal digits",
}


@strawberry.input(description="Options of the job to start; all optional.")
class StartOperationsJobOptionsInput:
    description: str | None = None
    type: str | None = strawberry.field(
        default=None, description="`automation` (the default) or `resource:action`."
    )
    variables: JSON | None = strawberry.field(
        default=None, description="The job's variables: a JSON object."
    )
    groups: list[str] | None = strawberry.field(
        default=None, description="Group ids for GBAC: ObjectId-like (24 hex digits)."
    )


@strawberry.input(description="A workflow to start (`POST /operations-manager/jobs/start`).")
class StartOperationsJobInput:
    workflow: str = strawberry.field(description="The name of the workflow to start.")
    options: StartOperationsJobOptionsInput | None = None


@strawberry.type(description="The answer of `startOperationsJob`.")
class StartOperationsJobPayload:
    job: OperationsJob | None = strawberry.field(
        description="The started job; null when there are userErrors."
    )
    message: str | None = strawberry.field(description="The upstream's own message.")
    user_errors: list[UserError]


def start_body(data: StartOperationsJobInput, errors: UserErrors) -> dict[str, Any] | None:
    """The body to POST, or ``None`` with every problem recorded in ``errors``."""
    errors.text("workflow", data.workflow, max_length=MAX_WORKFLOW, required=True)
    given = data.options or StartOperationsJobOptionsInput()
    options: dict[str, Any] = {}
    if given.description is not None:
        errors.text("options.description", given.description, max_length=MAX_DESCRIPTION)
        options["description"] = given.description
    if given.type is not None:
        errors.text("options.type", given.type, max_length=MAX_TYPE, required=True)
        options["type"] = given.type
    if given.variables is not None:
        errors.json_size("options.variables", given.variables)
        options["variables"] = given.variables
    if given.groups is not None:
        if len(given.groups) > MAX_GROUPS:
            errors.add("options.groups", Code.TOO_MANY, f"at most {MAX_GROUPS} groups")
        options["groups"] = given.groups
    body = {"workflow": data.workflow, "options": options}
    for problem in sorted(_VALIDATOR.iter_errors(body), key=lambda e: list(map(str, e.path))):
        field = ".".join(str(p) for p in problem.absolute_path) or None
        template = _MESSAGES.get(str(problem.validator))
        message = problem.message
        if template is not None and field is not None:
            message = f"`{field}` " + template.format(expected=problem.validator_value)
        errors.add(field, _CODES.get(str(problem.validator), Code.INVALID_VALUE), message)
    return None if errors else body


@strawberry.type
class OperationsJobMutations:
    @strawberry.mutation(
        description="Start a workflow as a new operations-manager job. Sent once, never retried."
    )
    async def start_operations_job(
        self, info: Info, input: StartOperationsJobInput
    ) -> StartOperationsJobPayload:
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
