"""Operator actions on any system's job: ``cancelJob``, ``relaunchJob``, ``pauseJob``,
``resumeJob`` and ``retryOperationsTask``.

Each takes a job's global id and answers the job as it stands after the
action (re-read once), with ``userErrors`` for what stopped it; what each
system offers, and how a lost answer is handled, is in :mod:`gateway.job_actions`.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.context import Info
from gateway.job_actions import JobAction
from schema.core.scalars import JSON
from schema.view.action_types import ID_DESCRIPTION, JobActionPayload, RelaunchJobPayload
from schema.view.job_actions import resolve_job_action, resolve_relaunch_job


@strawberry.type
class JobActionMutations:
    @strawberry.mutation(
        description="Cancel a job. AWX: a `new`, `pending`, `waiting` or `running` workflow "
        "job (`POST /api/v2/workflow_jobs/{id}/cancel/`); the operations manager: a "
        "`running`, `paused` or `error` job (`POST /operations-manager/jobs/cancel`); the "
        "jobs store: UNSUPPORTED. Sent once, never retried."
    )
    async def cancel_job(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description=ID_DESCRIPTION)],
    ) -> JobActionPayload:
        return await resolve_job_action(info, JobAction.CANCEL, str(id))

    @strawberry.mutation(
        description="Relaunch a job as a new one. AWX workflow jobs only (`POST "
        "/api/v2/workflow_jobs/{id}/relaunch/`, in any state): `newJob` is the new workflow "
        "job. The operations manager and the jobs store: UNSUPPORTED. Sent once, never "
        "retried: a lost answer is OUTCOME_UNKNOWN, as resending could launch twice."
    )
    async def relaunch_job(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description=ID_DESCRIPTION)],
    ) -> RelaunchJobPayload:
        return await resolve_relaunch_job(info, str(id))

    @strawberry.mutation(
        description="Pause a `running` operations-manager job (`POST "
        "/operations-manager/jobs/pause`). AWX and the jobs store: UNSUPPORTED. Sent once."
    )
    async def pause_job(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description=ID_DESCRIPTION)],
    ) -> JobActionPayload:
        return await resolve_job_action(info, JobAction.PAUSE, str(id))

    @strawberry.mutation(
        description="Resume a `paused` operations-manager job (`POST "
        "/operations-manager/jobs/resume`). AWX and the jobs store: UNSUPPORTED. Sent once."
    )
    async def resume_job(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description=ID_DESCRIPTION)],
    ) -> JobActionPayload:
        return await resolve_job_action(info, JobAction.RESUME, str(id))

    @strawberry.mutation(
        description="Retry a failed task of an operations-manager job in `error` (`POST "
        "/operations-manager/jobs/{id}/tasks/{taskId}/retry`); the job runs on from that "
        "task. Other systems: UNSUPPORTED. Sent once, never retried."
    )
    async def retry_operations_task(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description=ID_DESCRIPTION)],
        task_id: Annotated[
            str,
            strawberry.argument(
                description="The task's key in the job's `tasks` (e.g. `3a1f`), as "
                "`OperationsJob.tasks { taskId }` gives it."
            ),
        ],
        variables: Annotated[
            JSON | None,
            strawberry.argument(
                description="A JSON object of variables for the retried task; omitted, the "
                "task runs again with the ones it had."
            ),
        ] = None,
    ) -> JobActionPayload:
        return await resolve_job_action(
            info, JobAction.RETRY_TASK, str(id), task_id=task_id, variables=variables
        )
