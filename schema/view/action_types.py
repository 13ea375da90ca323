"""The payload types of the operator actions (:mod:`schema.view.mutations`)."""

from __future__ import annotations

import strawberry

from gateway.job_actions import JobActionOutcome
from schema.awx.types import WorkflowJob
from schema.core.node import Job
from schema.core.states import described_enum
from schema.core.user_errors import UserError

described_enum(
    "What became of an operator action.",
    {
        "APPLIED": "The system accepted the action. It may take effect a moment later "
        "(AWX cancels asynchronously): read `job.state`.",
        "REFUSED": "The action was not carried out: see `userErrors` (INVALID_STATE, "
        "FORBIDDEN, UNSUPPORTED, NOT_FOUND or UPSTREAM_REJECTED).",
        "UNKNOWN": "The request reached the system but its answer was lost, so the action may "
        "or may not have happened; the gateway did not resend it (`userErrors` has "
        "OUTCOME_UNKNOWN). `job` is the job as read once afterwards.",
    },
)(JobActionOutcome)

ID_DESCRIPTION = (
    "The global id of a job of any system (`FlowJob`, `OperationsJob` or `WorkflowJob`), "
    "as its `id` gives it; any other id is a BAD_USER_INPUT error."
)
_USER_ERRORS = (
    "Why the action was not (surely) carried out; empty when it was applied. `code`: "
    "INVALID_STATE (the job's state forbids it; the message names the state), FORBIDDEN "
    "(the system refused the credential this action), UNSUPPORTED (the system has no such "
    "action; nothing was sent), NOT_FOUND, OUTCOME_UNKNOWN (the answer was lost; not "
    "resent) or UPSTREAM_REJECTED (another refusal, with the system's reason)."
)
_JOB = (
    "The job as it stands after the action, read once after it (for AWX, a cancel may show "
    "the job still running for a moment). Null when the job does not exist, when the "
    "system has no such action (nothing is asked of it), or when that read failed."
)


@strawberry.interface(description="What every operator action answers.")
class JobActionResult:
    job: Job | None = strawberry.field(description=_JOB)
    outcome: JobActionOutcome = strawberry.field(description="Whether the action was carried out.")
    user_errors: list[UserError] = strawberry.field(description=_USER_ERRORS)


@strawberry.type(
    description="The answer of `cancelJob`, `pauseJob`, `resumeJob` and `retryOperationsTask`."
)
class JobActionPayload(JobActionResult):
    pass


@strawberry.type(description="The answer of `relaunchJob`.")
class RelaunchJobPayload(JobActionResult):
    new_job: WorkflowJob | None = strawberry.field(
        description="The workflow job the relaunch made (AWX answers it at once, usually "
        "`pending`); null unless `outcome` is APPLIED."
    )
