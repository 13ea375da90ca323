"""Operations-manager types: ``OperationsJob`` and its ``Task``s.

Tasks come in the job document, so ``tasks`` and a task's ``next`` cost no
upstream call. ``parent`` and ``ancestors`` go through
``OperationsJobByIdLoader``: all the parents and ancestors of a page are
fetched in one ``in[_id]`` request.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import orjson
import strawberry

from gateway import coerce
from gateway.context import Info
from gateway.facts import operations_job_facts
from schema.core.document_fields import as_is, from_key, read_lazily
from schema.core.node import Doc, Job, JobDocument, UpstreamDocument, job_readers
from schema.core.scalars import JSON
from schema.core.states import described_enum


@described_enum(
    "Which outcome of a task a transition follows.",
    {
        "SUCCESS": "Followed when the task finishes with `success` (`transitions.success`).",
        "FAILURE": "Followed when the task finishes with `failure` (`transitions.failure`).",
        "ERROR": "Followed when the task finishes with `error` (`transitions.error`).",
    },
)
class TransitionKind(Enum):
    SUCCESS = "success"
    FAILURE = "failure"
    ERROR = "error"


@strawberry.type(description="An edge of a job's task graph.")
class TaskTransition:
    on: TransitionKind = strawberry.field(
        description="The outcome of the task that leads along this edge: its key "
        "in the task's `transitions` (`success`, `failure`, `error`)."
    )
    task_id: str = strawberry.field(
        description="`task`: the id of the next task, a key of the job's `tasks`."
    )
    type: str | None = strawberry.field(description="standard, revert or loop.")


@strawberry.type(description="A task of an operations-manager job.")
class Task(UpstreamDocument):
    task_id: str = strawberry.field(
        description="The task's key in the job's `tasks` (e.g. `workflow_start`, "
        "`workflow_end`, `3a1f`)."
    )
    name: str | None = strawberry.field(
        description="`name`. Null when the upstream omits it or sends another shape."
    )
    summary: str | None = strawberry.field(
        description="`summary`: the task's short label. Null when the upstream "
        "omits it or sends another shape."
    )
    description: str | None = strawberry.field(
        description="`description`. Null when the upstream omits it or sends another shape."
    )
    location: str | None = strawberry.field(
        description="`location`: where the task runs, the upstream's word. Null "
        "when the upstream omits it or sends another shape."
    )
    app: str | None = strawberry.field(
        description="`app`: the application the task belongs to. Null when the "
        "upstream omits it or sends another shape."
    )
    type: str | None = strawberry.field(description="automatic, manual, operation, ...")
    actor: str | None = strawberry.field(
        description="`actor`: who or what runs the task, the upstream's word. "
        "Null when the upstream omits it or sends another shape."
    )
    status: str | None = strawberry.field(
        description="`status`, the upstream's word, not normalised: `complete`, "
        "`error`, `running`, `scheduled`, `paused`, `incomplete`, "
        "... Null when the upstream omits it or sends another shape."
    )
    finish_state: str | None = strawberry.field(
        description="`finish_state` (else `metrics.finish_state`): `success`, "
        "`failure` or `error`. Null until the task finishes, or when "
        "absent."
    )
    transitions: list[TaskTransition] = strawberry.field(
        description="`transitions`: the edges out of this task, success first, "
        "then failure, then error; entries without a target task are "
        "skipped."
    )
    started_at: datetime | None = strawberry.field(
        description="`start_time` (else `metrics.start_time`), ISO text or epoch "
        "milliseconds upstream. Null when absent or not a plausible "
        "time."
    )
    finished_at: datetime | None = strawberry.field(
        description="`end_time` (else `metrics.end_time`), ISO text or epoch "
        "milliseconds upstream. Null when absent or not a plausible "
        "time."
    )
    run_time: float | None = strawberry.field(
        description="`metrics.run_time`, in the upstream's unit, presumably "
        "milliseconds (it is not documented). Null when absent, not "
        "a number or negative."
    )
    metrics: JSON | None = strawberry.field(
        description="`metrics`, as sent. Null when absent, empty or not an object."
    )
    duration_seconds: float | None = strawberry.field(
        description="Seconds (decimal) the task ran: `finishedAt` minus `startedAt`, to the "
        "millisecond. Null while it runs or has not run, or when a time is missing or the "
        "difference is negative."
    )
    errors: list[OperationsJobError] = strawberry.field(
        description="The job's `error` entries recorded against this task (`error[].task` is "
        "this task's id), in order. Empty when there are none."
    )
    error_text: str | None = strawberry.field(
        description="The messages of `errors`, one per line (a structured message as compact "
        "JSON text): what a screen shows for a failed task. Null when there are none."
    )
    iterations: JSON | None = strawberry.field(description="`iterations`, as sent.")
    groups: JSON | None = strawberry.field(description="`groups`, as sent.")
    retry_settings: JSON | None = strawberry.field(description="`retrySettings`, as sent.")
    x: float | None = strawberry.field(
        description="`x`: the task's horizontal position in the workflow "
        "drawing. Null when the upstream omits it or sends another "
        "shape."
    )
    y: float | None = strawberry.field(
        description="`y`: the task's vertical position in the workflow drawing. "
        "Null when the upstream omits it or sends another shape."
    )
    _tasks: strawberry.Private[dict[str, Task]]
    _metrics: strawberry.Private[Doc]
    """The task's ``metrics`` object (``{}`` when absent)."""
    _job: strawberry.Private[Doc]
    """The document of the job the task belongs to (its ``error`` list, its ``_id``)."""

    @strawberry.field(
        description="`variables`: the task's variables, as sent (Itential keeps `incoming`, "
        "`outgoing` and `error` there). Read only when asked: since Itential 2023.2 job "
        "lists leave variables out, so this reads the job itself "
        "(`GET /operations-manager/jobs/{id}`), one request per job whatever the number of "
        "its tasks asked for, and none when the job was already read whole."
    )
    async def variables(self, info: Info) -> JSON | None:
        if "variables" in self._doc:
            return self._doc["variables"]
        return await task_variables(info, self._job, self.task_id)

    @strawberry.field(description="The tasks this one's transitions lead to, without repeats.")
    def next(
        self,
        on: Annotated[
            TransitionKind | None,
            strawberry.argument(
                description="Only the transitions followed on this outcome; all when null."
            ),
        ] = None,
    ) -> list[Task]:
        seen: set[str] = set()
        out: list[Task] = []
        for transition in self.transitions:
            if on is not None and transition.on is not on:
                continue
            target = self._tasks.get(transition.task_id)
            if target is not None and transition.task_id not in seen:
                seen.add(transition.task_id)
                out.append(target)
        return out

    @classmethod
    def of_doc(cls, task_id: str, doc: Doc, tasks: dict[str, Task], job: Doc) -> Task:
        """The task ``task_id`` of ``job``'s ``tasks``; its fields are read on demand."""
        task = cls.__new__(cls)
        task._doc = doc
        task.task_id = task_id
        task._tasks = tasks
        task._job = job
        return task


def _transitions(doc: Doc) -> list[TaskTransition]:
    transitions: list[TaskTransition] = []
    raw_transitions = coerce.mapping(doc.get("transitions")) or {}
    for kind in TransitionKind:
        for edge in raw_transitions.get(kind.value) or []:
            if isinstance(edge, dict) and isinstance(edge.get("task"), str):
                transitions.append(
                    TaskTransition(
                        on=kind, task_id=edge["task"], type=coerce.text(edge.get("type"))
                    )
                )
    return transitions


def _in_task(convert: Callable[[Any], object], key: str) -> Callable[[Task], object]:
    return from_key("_doc", convert, key)


read_lazily(
    Task,
    ("task_id",),
    _metrics=lambda task: coerce.mapping(task._doc.get("metrics")) or {},
    name=_in_task(coerce.text, "name"),
    summary=_in_task(coerce.text, "summary"),
    description=_in_task(coerce.text, "description"),
    location=_in_task(coerce.text, "location"),
    app=_in_task(coerce.text, "app"),
    type=_in_task(coerce.text, "type"),
    actor=_in_task(coerce.text, "actor"),
    status=_in_task(coerce.text, "status"),
    finish_state=lambda task: (
        coerce.text(task._doc.get("finish_state")) or coerce.text(task._metrics.get("finish_state"))
    ),
    transitions=lambda task: _transitions(task._doc),
    started_at=lambda task: coerce.timestamp(
        task._doc.get("start_time", task._metrics.get("start_time"))
    ),
    finished_at=lambda task: coerce.timestamp(
        task._doc.get("end_time", task._metrics.get("end_time"))
    ),
    run_time=lambda task: _non_negative(coerce.number(task._metrics.get("run_time"))),
    metrics=lambda task: task._metrics or None,
    duration_seconds=lambda task: coerce.seconds_between(task.started_at, task.finished_at),
    errors=lambda task: [e for e in _errors(task._job) if e.task == task.task_id],
    error_text=lambda task: _joined_messages(task.errors),
    iterations=_in_task(as_is, "iterations"),
    groups=_in_task(as_is, "groups"),
    retry_settings=_in_task(as_is, "retrySettings"),
    x=_in_task(coerce.number, "x"),
    y=_in_task(coerce.number, "y"),
)


async def task_variables(info: Info, job: Doc, task_id: str) -> JSON | None:
    """A task's ``variables`` from its job's full document (one GET per job, shared)."""
    job_id = coerce.nonempty_text(job.get("_id"))
    if job_id is None:
        return None
    detail = await info.context.loaders.operations_job_detail_by_id.load(job_id)
    task = (coerce.mapping((detail or {}).get("tasks")) or {}).get(task_id)
    return task.get("variables") if isinstance(task, dict) else None


def _joined_messages(errors: list[OperationsJobError]) -> str | None:
    messages = [e.message for e in errors if e.message]
    return "\n".join(messages) if messages else None


def _failed(task: Task) -> bool:
    return task.status == "error" or task.finish_state in ("error", "failure")


def _non_negative(value: float | None) -> float | None:
    return value if value is not None and value >= 0 else None


@strawberry.type(description="An error recorded on a job.")
class OperationsJobError:
    task: str | None = strawberry.field(
        description="`task`: the id of the task the error happened in (a key of "
        "the job's `tasks`). Null when the upstream omits it or "
        "sends another shape."
    )
    message: str | None = strawberry.field(
        description="The message; a structured message is given as compact JSON text."
    )
    detail: JSON | None = strawberry.field(description="The message as sent (string or object).")
    timestamp: datetime | None = strawberry.field(
        description="`timestamp` (epoch milliseconds upstream). Null when absent "
        "or not a plausible time."
    )


@strawberry.type(description="Where a child job was spawned from.")
class ParentReference:
    job_id: str | None = strawberry.field(
        description="`parent.job`: the `_id` of the job that spawned this one "
        "(see `OperationsJob.parent`). Null when absent or empty."
    )
    task: str | None = strawberry.field(
        description="`parent.task`: the id of the parent job's task that spawned "
        "this one. Null when the upstream omits it or sends another "
        "shape."
    )
    iteration: int | None = strawberry.field(
        description="`parent.iteration`, of a parent task that iterates. Null "
        "when absent or not an integer."
    )
    element: int | None = strawberry.field(
        description="`parent.element`, of a parent task that iterates. Null when "
        "absent or not an integer."
    )


def _error(item: dict[str, Any]) -> OperationsJobError:
    message = item.get("message")
    if isinstance(message, str):
        text: str | None = message
    elif message is None:
        text = None
    else:
        text = orjson.dumps(message).decode()
    return OperationsJobError(
        task=coerce.text(item.get("task")),
        message=text,
        detail=message,
        timestamp=coerce.timestamp(item.get("timestamp")),
    )


def _group_ids(value: Any) -> list[str]:
    """Group ids: plain strings, or the ``_id`` of group objects."""
    if not isinstance(value, list):
        return []
    out: list[str] = []
    for item in value:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict) and isinstance(item.get("_id"), str):
            out.append(item["_id"])
    return out


@strawberry.type(description="A job of the operations manager: a workflow run as a graph of tasks.")
class OperationsJob(Job, JobDocument):
    ops_id: str = strawberry.field(description="The upstream `_id`.")
    description: str | None = strawberry.field(
        description="`description`. Null when the upstream omits it or sends another shape."
    )
    type: str | None = strawberry.field(
        description="`type`: `automation`, or `resource:action`. Null when the "
        "upstream omits it or sends another shape."
    )
    created_by: str | None = strawberry.field(
        description="`created_by`, as the upstream writes it. Null when the "
        "upstream omits it or sends another shape."
    )
    last_updated_by: str | None = strawberry.field(
        description="`last_updated_by`, as the upstream writes it. Null when the "
        "upstream omits it or sends another shape."
    )
    errors: list[OperationsJobError] = strawberry.field(
        description="`error`: the errors recorded on the job, in order; entries "
        "that are not objects are skipped. Empty when there are none."
    )
    warnings: JSON | None = strawberry.field(description="`warnings`, as sent.")
    ancestor_ids: list[str] = strawberry.field(description="From the root job to the parent.")
    parent_reference: ParentReference | None = strawberry.field(
        description="`parent`: where this job was spawned from. Null for a job "
        "no other job spawned."
    )
    group_ids: list[str] = strawberry.field(
        description="The ids of `groups`: its strings, and the `_id` of its "
        "objects (the upstream mixes both). Empty when there are "
        "none."
    )
    groups: JSON | None = strawberry.field(
        description="`groups`, as sent (strings, objects, or both)."
    )
    watchers: JSON | None = strawberry.field(description="`watchers`, as sent.")
    error_text: str | None = strawberry.field(
        description="The messages of `errors`, one per line (a structured message as compact "
        "JSON text): the job's error output as a screen shows it. Null when there are none."
    )
    transitions: JSON | None = strawberry.field(
        description="`transitions`, as sent: the job's task graph "
        "(`Task.transitions` gives a task's edges typed)."
    )
    error_handler: JSON | None = strawberry.field(description="`errorHandler`, as sent.")
    progress: float | None = strawberry.field(
        description="`metrics.progress`: the fraction done, 0 to 1. Null when "
        "absent or outside 0..1."
    )
    metrics: JSON | None = strawberry.field(
        description="`metrics`, as sent (`start_time`, `end_time`, `progress`, "
        "`user`, `owner`). Null when absent, empty or not an object."
    )
    tags: JSON | None = strawberry.field(description="`tags`, as sent.")
    decorators: JSON | None = strawberry.field(description="`decorators`, as sent.")
    validation_errors: JSON | None = strawberry.field(description="`validationErrors`, as sent.")
    _metrics: strawberry.Private[Doc]
    """The job's ``metrics`` object (``{}`` when absent)."""
    _task_list: strawberry.Private[list[Task]]
    """The job's tasks, built on the first read of ``tasks``."""

    loader_name = "operations_job_by_id"

    @strawberry.field(description="The job's tasks, keyed in the document by task id.")
    def tasks(self) -> list[Task]:
        return self._task_list

    @strawberry.field(
        description="The tasks that failed: `status` `error`, or `finish_state` `error` or "
        "`failure`, in the job's task order (each also in `tasks`)."
    )
    def failed_tasks(self) -> list[Task]:
        return [task for task in self._task_list if _failed(task)]

    @strawberry.field(
        description="`variables`: the job's variables, as sent: its inputs and, as tasks "
        "write them, its outputs. Read only when asked: since Itential 2023.2 job lists "
        "leave variables out, so this reads the job itself "
        "(`GET /operations-manager/jobs/{id}`, one request per job) unless it was already "
        "read whole."
    )
    async def variables(self, info: Info) -> JSON | None:
        if "variables" in self._doc:
            return self._doc["variables"]
        detail = await info.context.loaders.operations_job_detail_by_id.load(self.ops_id)
        return (detail or {}).get("variables")

    @strawberry.field(description="The job that spawned this one.")
    async def parent(self, info: Info) -> OperationsJob | None:
        ref = self.parent_reference
        if ref is None or ref.job_id is None:
            return None
        return await OperationsJob.load(info, ref.job_id)

    @strawberry.field(description="The chain of jobs above this one, root first.")
    async def ancestors(self, info: Info) -> list[OperationsJob] | None:
        return await OperationsJob.load_many(info, self.ancestor_ids)


def _tasks(doc: Doc) -> list[Task]:
    tasks: dict[str, Task] = {}
    raw_tasks = coerce.mapping(doc.get("tasks")) or {}
    for key, value in raw_tasks.items():
        if isinstance(value, dict):
            tasks[key] = Task.of_doc(key, value, tasks, doc)
    return list(tasks.values())


def _parent_reference(doc: Doc) -> ParentReference | None:
    parent = coerce.mapping(doc.get("parent"))
    if parent is None:
        return None
    return ParentReference(
        job_id=coerce.nonempty_text(parent.get("job")),
        task=coerce.text(parent.get("task")),
        iteration=coerce.integer(parent.get("iteration")),
        element=coerce.integer(parent.get("element")),
    )


def _errors(doc: Doc) -> list[OperationsJobError]:
    raw = doc.get("error")
    return [_error(e) for e in raw if isinstance(e, dict)] if isinstance(raw, list) else []


def _progress(metrics: Doc) -> float | None:
    progress = coerce.number(metrics.get("progress"))
    return progress if progress is not None and 0 <= progress <= 1 else None


def _in_job(convert: Callable[[Any], object], key: str) -> Callable[[OperationsJob], object]:
    return from_key("_doc", convert, key)


read_lazily(
    OperationsJob,
    **job_readers("OperationsJob", operations_job_facts),
    _metrics=lambda job: coerce.mapping(job._doc.get("metrics")) or {},
    _task_list=lambda job: _tasks(job._doc),
    ops_id=lambda job: coerce.text(job._doc.get("_id")) or "",
    description=_in_job(coerce.text, "description"),
    type=_in_job(coerce.text, "type"),
    created_by=_in_job(coerce.text, "created_by"),
    last_updated_by=_in_job(coerce.text, "last_updated_by"),
    errors=lambda job: _errors(job._doc),
    warnings=_in_job(as_is, "warnings"),
    ancestor_ids=_in_job(coerce.string_list, "ancestors"),
    parent_reference=lambda job: _parent_reference(job._doc),
    group_ids=_in_job(_group_ids, "groups"),
    groups=_in_job(as_is, "groups"),
    watchers=_in_job(as_is, "watchers"),
    error_text=lambda job: _joined_messages(job.errors),
    transitions=_in_job(as_is, "transitions"),
    error_handler=_in_job(as_is, "errorHandler"),
    progress=lambda job: _progress(job._metrics),
    metrics=lambda job: job._metrics or None,
    tags=_in_job(as_is, "tags"),
    decorators=_in_job(as_is, "decorators"),
    validation_errors=_in_job(as_is, "validationErrors"),
)
