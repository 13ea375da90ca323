"""Operator actions on one job, whatever its system: cancel, relaunch, pause, resume, retry a task.

What each system offers (see README, "Operator actions"):

======================  =========================================  ======================
action                  operations manager (Itential)              AWX (workflow jobs)
======================  =========================================  ======================
cancel                  ``POST /operations-manager/jobs/cancel``   ``POST .../cancel/``
pause, resume           ``POST /operations-manager/jobs/pause``,   none
                        ``/resume`` (``{"jobIds": [id]}``)
relaunch                none                                       ``POST .../relaunch/``
retry a task            ``POST .../jobs/{id}/tasks/{t}/retry``     none
======================  =========================================  ======================

The jobs store (WorkfloPlus) documents no action on a job: every action there
is :data:`Problem.UNSUPPORTED`, answered without any upstream request, as is
an action another system lacks.

Each action is one POST, sent once and **never retried** (the transport never
retries a POST: :meth:`gateway.upstreams.client.UpstreamClient.post`), then
**one** re-read of the job through its by-id loader (cleared first, so the
answer is the job as it stands after the action, not what the request read
before):

- accepted: the job as re-read (for a relaunch, also the new job AWX answered);
- refused for the job's state (AWX's 405, the operations manager's 400 for a
  job whose status does not allow it): :data:`Problem.INVALID_STATE`, naming
  the state the re-read shows; another 4xx (or one of an action without state
  rules, such as AWX's 400 for relaunching a slice job orphaned from its
  template) is :data:`Problem.UPSTREAM_REJECTED` with the upstream's reason;
- refused for permission (403): :data:`Problem.FORBIDDEN`; 404:
  :data:`Problem.NOT_FOUND`, without a re-read;
- answer lost after the POST was sent (timeout, dropped connection, 5xx,
  broken JSON: :func:`~gateway.lost_answers.answer_lost`): the action may or
  may not have happened, and resending could do it twice (a second relaunch is
  a second job), so it is not resent: :data:`Problem.OUTCOME_UNKNOWN`, with
  the state the one re-read shows;
- not sent at all (no connection, circuit open, deadline or budget spent): the
  upstream error is raised as it is (nothing happened).

A re-read that fails leaves ``doc`` ``None``; it never turns an action that
happened into an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from gateway.context import Context
from gateway.errors import (
    UpstreamError,
    UpstreamForbidden,
    UpstreamNotFound,
    UpstreamRejected,
)
from gateway.facts import FACTS_OF
from gateway.lost_answers import answer_lost
from gateway.states import JobSource, JobState

Doc = dict[str, Any]


class JobAction(Enum):
    """An operator action on one job."""

    CANCEL = "cancel"
    RELAUNCH = "relaunch"
    PAUSE = "pause"
    RESUME = "resume"
    RETRY_TASK = "retry_task"


class JobActionOutcome(Enum):
    """What became of an action."""

    APPLIED = "APPLIED"
    REFUSED = "REFUSED"
    UNKNOWN = "UNKNOWN"


class Problem:
    """The codes of :class:`ActionProblem` (``UserError.code`` in the graph)."""

    INVALID_STATE = "INVALID_STATE"
    FORBIDDEN = "FORBIDDEN"
    UNSUPPORTED = "UNSUPPORTED"
    NOT_FOUND = "NOT_FOUND"
    OUTCOME_UNKNOWN = "OUTCOME_UNKNOWN"
    UPSTREAM_REJECTED = "UPSTREAM_REJECTED"


SUPPORTED: dict[JobSource, frozenset[JobAction]] = {
    JobSource.JOB_STORE: frozenset(),
    JobSource.OPERATIONS_MANAGER: frozenset(
        {JobAction.CANCEL, JobAction.PAUSE, JobAction.RESUME, JobAction.RETRY_TASK}
    ),
    JobSource.AWX: frozenset({JobAction.CANCEL, JobAction.RELAUNCH}),
}
"""Which actions each system's API has."""

ALLOWED_STATUSES: dict[tuple[JobSource, JobAction], frozenset[str]] = {
    (JobSource.AWX, JobAction.CANCEL): frozenset({"new", "pending", "waiting", "running"}),
    (JobSource.OPERATIONS_MANAGER, JobAction.CANCEL): frozenset({"running", "paused", "error"}),
    (JobSource.OPERATIONS_MANAGER, JobAction.PAUSE): frozenset({"running"}),
    (JobSource.OPERATIONS_MANAGER, JobAction.RESUME): frozenset({"paused"}),
    (JobSource.OPERATIONS_MANAGER, JobAction.RETRY_TASK): frozenset({"error"}),
}
"""The upstream statuses in which an action is accepted (AWX's ``can_cancel``; the
operations manager's as the sandbox enforces them). Used only to explain a
refusal: the upstream decides, the gateway never refuses on its own reading."""

_VERBS = {
    JobAction.CANCEL: "canceled",
    JobAction.RELAUNCH: "relaunched",
    JobAction.PAUSE: "paused",
    JobAction.RESUME: "resumed",
    JobAction.RETRY_TASK: "retried",
}
_SYSTEMS = {
    JobSource.JOB_STORE: "the jobs store",
    JobSource.OPERATIONS_MANAGER: "the operations manager",
    JobSource.AWX: "AWX",
}


@dataclass(frozen=True, slots=True)
class ActionProblem:
    """Why an action was not (surely) carried out; ``field`` names the argument at fault."""

    code: str
    message: str
    field: str | None = "id"


@dataclass(slots=True)
class ActionResult:
    """The answer of one action: the job as re-read, the new job of a relaunch, the problems."""

    source: JobSource
    outcome: JobActionOutcome
    doc: Doc | None = None
    new_doc: Doc | None = None
    problems: list[ActionProblem] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class TaskRetry:
    """What a task retry needs besides the job: the task's id and its new variables."""

    task_id: str
    variables: dict[str, Any] | None = None


async def act(
    context: Context,
    action: JobAction,
    source: JobSource,
    key: str | int,
    retry: TaskRetry | None = None,
) -> ActionResult:
    """Carry ``action`` out on the job ``key`` of ``source`` (see the module docstring)."""
    if action not in SUPPORTED[source]:
        return ActionResult(
            source, JobActionOutcome.REFUSED, problems=[_unsupported(action, source)]
        )
    try:
        new_doc = await _send(context, action, source, key, retry)
    except UpstreamNotFound:
        problem = ActionProblem(
            Problem.NOT_FOUND,
            f"{_SYSTEMS[source]} has no such job"
            + (" or task" if action is JobAction.RETRY_TASK else ""),
            field="id" if action is not JobAction.RETRY_TASK else None,
        )
        return ActionResult(source, JobActionOutcome.REFUSED, problems=[problem])
    except UpstreamForbidden as exc:
        doc = await _reread(context, source, key)
        problem = ActionProblem(
            Problem.FORBIDDEN,
            f"{_SYSTEMS[source]} does not allow this credential to have the job "
            f"{_VERBS[action]}: {exc.message}",
        )
        return ActionResult(source, JobActionOutcome.REFUSED, doc=doc, problems=[problem])
    except UpstreamRejected as exc:
        doc = await _reread(context, source, key)
        return ActionResult(
            source, JobActionOutcome.REFUSED, doc=doc, problems=[_refusal(action, source, doc, exc)]
        )
    except UpstreamError as exc:
        if not answer_lost(exc):
            raise
        doc = await _reread(context, source, key)
        return ActionResult(
            source, JobActionOutcome.UNKNOWN, doc=doc, problems=[_lost(action, source, doc)]
        )
    doc = await _reread(context, source, key)
    if new_doc is not None and isinstance(new_doc.get("id"), int):
        context.loaders.workflow_job_by_id.prime(new_doc["id"], new_doc)
    return ActionResult(source, JobActionOutcome.APPLIED, doc=doc, new_doc=new_doc)


async def _send(
    context: Context,
    action: JobAction,
    source: JobSource,
    key: str | int,
    retry: TaskRetry | None,
) -> Doc | None:
    """The one POST of the action; the new job for a relaunch, else ``None``."""
    if source is JobSource.AWX:
        assert isinstance(key, int)
        if action is JobAction.RELAUNCH:
            return await context.awx.relaunch_workflow_job(key)
        await context.awx.cancel_workflow_job(key)
        return None
    assert isinstance(key, str)
    if action is JobAction.RETRY_TASK:
        assert retry is not None
        await context.opsmanager.retry_task(key, retry.task_id, retry.variables)
        return None
    await context.opsmanager.job_action(action.value, key)
    return None


async def _reread(context: Context, source: JobSource, key: str | int) -> Doc | None:
    """The job as it stands now: one read through its by-id loader, cleared first."""
    loaders = context.loaders
    try:
        if source is JobSource.AWX:
            assert isinstance(key, int)
            return await loaders.workflow_job_by_id.clear(key).load(key)
        assert isinstance(key, str)
        if source is JobSource.OPERATIONS_MANAGER:
            # the details (variables) a field may read next were read before the action too
            loaders.operations_job_detail_by_id.clear(key)
            return await loaders.operations_job_by_id.clear(key).load(key)
        return await loaders.flow_job_by_id.clear(key).load(key)
    except UpstreamError:
        return None


def _state_text(source: JobSource, doc: Doc | None) -> tuple[JobState | None, str | None, str]:
    """The job's state, its upstream word, and both as text for a message."""
    if doc is None:
        return None, None, "its state could not be read"
    facts = FACTS_OF[source](doc)
    word = facts.upstream_status
    shown = f"{facts.state.value} (upstream status {word!r})" if word else facts.state.value
    return facts.state, word, f"it is {shown}"


def _unsupported(action: JobAction, source: JobSource) -> ActionProblem:
    offered = sorted(a.value for a in SUPPORTED[source])
    offer = (
        f"it offers: {', '.join(offered)}"
        if offered
        else "its API offers no action on a job (jobs are run and abandoned on devices)"
    )
    what = "retry a task of" if action is JobAction.RETRY_TASK else action.value
    return ActionProblem(Problem.UNSUPPORTED, f"{_SYSTEMS[source]} cannot {what} a job: {offer}")


def _refusal(
    action: JobAction, source: JobSource, doc: Doc | None, exc: UpstreamRejected
) -> ActionProblem:
    state, word, shown = _state_text(source, doc)
    allowed = ALLOWED_STATUSES.get((source, action))
    if allowed and state is not None and word not in allowed:
        words = ", ".join(sorted(allowed))
        return ActionProblem(
            Problem.INVALID_STATE,
            f"the job cannot be {_VERBS[action]} now: {shown}; {_SYSTEMS[source]} "
            f"accepts this only for {words}",
        )
    return ActionProblem(Problem.UPSTREAM_REJECTED, exc.message)


def _lost(action: JobAction, source: JobSource, doc: Doc | None) -> ActionProblem:
    _, _, shown = _state_text(source, doc)
    extra = (
        " A relaunch that happened made a new workflow job with launch_type 'relaunch': "
        "look for it before relaunching again."
        if action is JobAction.RELAUNCH
        else ""
    )
    return ActionProblem(
        Problem.OUTCOME_UNKNOWN,
        f"the job may or may not have been {_VERBS[action]}: {_SYSTEMS[source]}'s answer "
        f"was lost and the request was not resent. Read once after: {shown}.{extra}",
    )
