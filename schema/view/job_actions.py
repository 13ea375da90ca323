"""What the operator-action mutations do: check the arguments, ask :mod:`gateway.job_actions`,
map the answer to the payload types.

The id must be a job's global id; the task id and variables of a task retry
are checked like every mutation input (bad ones are ``userErrors`` and nothing
is sent upstream).
"""

from __future__ import annotations

from typing import Any

from gateway.context import Info
from gateway.errors import BadUserInput
from gateway.job_actions import ActionResult, JobAction, JobActionOutcome, TaskRetry, act
from gateway.states import JobSource
from schema.awx.types import WorkflowJob
from schema.core.ids import from_global_id
from schema.core.node import Job
from schema.core.user_errors import UserError, UserErrors
from schema.jobstore.types import FlowJob
from schema.opsmanager.types import OperationsJob
from schema.view.action_types import JobActionPayload, RelaunchJobPayload

_SOURCES: dict[str, JobSource] = {
    "FlowJob": JobSource.JOB_STORE,
    "OperationsJob": JobSource.OPERATIONS_MANAGER,
    "WorkflowJob": JobSource.AWX,
}
_TYPES: dict[JobSource, type[FlowJob] | type[OperationsJob] | type[WorkflowJob]] = {
    JobSource.JOB_STORE: FlowJob,
    JobSource.OPERATIONS_MANAGER: OperationsJob,
    JobSource.AWX: WorkflowJob,
}


def job_key(global_id: str) -> tuple[JobSource, str | int]:
    """The system and upstream id of a job's global id; BAD_USER_INPUT for any other id."""
    type_name, key = from_global_id(global_id)
    source = _SOURCES.get(type_name)
    if source is None:
        raise BadUserInput(
            f"{global_id[:100]!r} is the id of a {type_name}, not of a job", argument="id"
        )
    return source, key


def _retry_arguments(task_id: str | None, variables: Any, errors: UserErrors) -> TaskRetry | None:
    checked_task = errors.identifier("taskId", task_id, required=True)
    checked_variables = errors.json_object("variables", variables)
    if errors or checked_task is None:
        return None
    return TaskRetry(task_id=checked_task, variables=checked_variables)


async def resolve_job_action(
    info: Info,
    action: JobAction,
    global_id: str,
    *,
    task_id: str | None = None,
    variables: Any = None,
) -> JobActionPayload:
    """Cancel, pause, resume or retry a task: check, act once, answer the job as re-read."""
    source, key = job_key(global_id)
    retry = None
    if action is JobAction.RETRY_TASK:
        errors = UserErrors()
        retry = _retry_arguments(task_id, variables, errors)
        if retry is None:
            return JobActionPayload(
                job=None, outcome=JobActionOutcome.REFUSED, user_errors=errors.items
            )
    result = await act(info.context, action, source, key, retry)
    return JobActionPayload(
        job=_job(result), outcome=result.outcome, user_errors=_user_errors(result)
    )


async def resolve_relaunch_job(info: Info, global_id: str) -> RelaunchJobPayload:
    """Relaunch: act once, answer the job as re-read and the new job."""
    source, key = job_key(global_id)
    result = await act(info.context, JobAction.RELAUNCH, source, key)
    new_job = WorkflowJob.from_doc(result.new_doc) if result.new_doc is not None else None
    return RelaunchJobPayload(
        job=_job(result),
        outcome=result.outcome,
        user_errors=_user_errors(result),
        new_job=new_job,
    )


def _job(result: ActionResult) -> Job | None:
    return None if result.doc is None else _TYPES[result.source].from_doc(result.doc)


def _user_errors(result: ActionResult) -> list[UserError]:
    return [UserError(field=p.field, message=p.message, code=p.code) for p in result.problems]
