"""The ``startOperationsJob`` input and the body it becomes.

The input is checked against the upstream's own body schema (seed 002,
:func:`~gateway.upstreams.opsmanager_start_schema.start_body_problems`)
before anything is sent, so the caller gets every problem as a ``userError``
with its path (``options.groups.1``) instead of the upstream's single 400
text.
"""

from __future__ import annotations

from typing import Any

import strawberry

from gateway.upstreams.opsmanager_start_schema import start_body_problems
from schema.core.filters import JobListFilterInput
from schema.core.scalars import JSON
from schema.core.user_errors import Code, UserErrors

MAX_WORKFLOW = 512
MAX_DESCRIPTION = 4096
MAX_TYPE = 128
MAX_GROUPS = 100

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
    description: str | None = strawberry.field(
        default=None,
        description="`options.description`: the job's description, at most 4096 characters.",
    )
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
    options: StartOperationsJobOptionsInput | None = strawberry.field(
        default=None, description="`options` of the start; none when null."
    )


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
        errors.json_value("options.variables", given.variables)
        options["variables"] = given.variables
    if given.groups is not None:
        if len(given.groups) > MAX_GROUPS:
            errors.add("options.groups", Code.TOO_MANY, f"at most {MAX_GROUPS} groups")
        options["groups"] = given.groups
    body = {"workflow": data.workflow, "options": options}
    for problem in start_body_problems(body):
        field = ".".join(str(p) for p in problem.absolute_path) or None
        template = _MESSAGES.get(str(problem.validator))
        message = problem.message
        if template is not None and field is not None:
            message = f"`{field}` " + template.format(expected=problem.validator_value)
        errors.add(field, _CODES.get(str(problem.validator), Code.INVALID_VALUE), message)
    return None if errors else body


@strawberry.input(description="Filters pushed down into the operations manager's search.")
class OperationsJobFilter(JobListFilterInput):
    pass
