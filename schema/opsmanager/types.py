"""Operations-manager types: ``OperationsJob`` and its ``Task``s.

Tasks come in the job document, so ``tasks`` and a task's ``next`` cost no
upstream call. ``parent`` and ``ancestors`` go through
``OperationsJobByIdLoader``: all the parents and ancestors of a page are
fetched in one ``in[_id]`` request.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import orjson
import strawberry

from gateway import coerce
from gateway.context import Info
from gateway.facts import operations_job_facts
from schema.core.node import Job, LoadableDocument, UpstreamDocument, job_fields
from schema.core.scalars import JSON


@strawberry.enum(description="Which outcome of a task a transition follows.")
class TransitionKind(Enum):
    SUCCESS = "success"
    FAILURE = "failure"
    ERROR = "error"


@strawberry.type(description="An edge of a job's task graph.")
class TaskTransition:
    on: TransitionKind
    task_id: str
    type: str | None = strawberry.field(description="standard, revert or loop.")


@strawberry.type(description="A task of an operations-manager job.")
class Task(UpstreamDocument):
    task_id: str
    name: str | None
    summary: str | None
    description: str | None
    location: str | None
    app: str | None
    type: str | None = strawberry.field(description="automatic, manual, operation, ...")
    actor: str | None
    status: str | None
    finish_state: str | None
    transitions: list[TaskTransition]
    started_at: datetime | None
    finished_at: datetime | None
    run_time: float | None
    metrics: JSON | None
    variables: JSON | None
    iterations: JSON | None
    groups: JSON | None
    retry_settings: JSON | None
    x: float | None
    y: float | None
    _tasks: strawberry.Private[dict[str, Task]]

    @strawberry.field(description="The tasks this one's transitions lead to, without repeats.")
    def next(self, on: TransitionKind | None = None) -> list[Task]:
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
    def from_doc(cls, task_id: str, doc: dict[str, Any], tasks: dict[str, Task]) -> Task:
        metrics = coerce.mapping(doc.get("metrics")) or {}
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
        return cls(
            task_id=task_id,
            name=coerce.text(doc.get("name")),
            summary=coerce.text(doc.get("summary")),
            description=coerce.text(doc.get("description")),
            location=coerce.text(doc.get("location")),
            app=coerce.text(doc.get("app")),
            type=coerce.text(doc.get("type")),
            actor=coerce.text(doc.get("actor")),
            status=coerce.text(doc.get("status")),
            finish_state=coerce.text(doc.get("finish_state"))
            or coerce.text(metrics.get("finish_state")),
            transitions=transitions,
            started_at=coerce.timestamp(doc.get("start_time", metrics.get("start_time"))),
            finished_at=coerce.timestamp(doc.get("end_time", metrics.get("end_time"))),
            run_time=_non_negative(coerce.number(metrics.get("run_time"))),
            metrics=metrics or None,
            variables=doc.get("variables"),
            iterations=doc.get("iterations"),
            groups=doc.get("groups"),
            retry_settings=doc.get("retrySettings"),
            x=coerce.number(doc.get("x")),
            y=coerce.number(doc.get("y")),
            _doc=doc,
            _tasks=tasks,
        )


def _non_negative(value: float | None) -> float | None:
    return value if value is not None and value >= 0 else None


@strawberry.type(description="An error recorded on a job.")
class OperationsJobError:
    task: str | None
    message: str | None = strawberry.field(
        description="The message; a structured message is given as compact JSON text."
    )
    detail: JSON | None = strawberry.field(description="The message as sent (string or object).")
    timestamp: datetime | None


@strawberry.type(description="Where a child job was spawned from.")
class ParentReference:
    job_id: str | None
    task: str | None
    iteration: int | None
    element: int | None


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
class OperationsJob(Job, LoadableDocument):
    ops_id: str = strawberry.field(description="The upstream `_id`.")
    description: str | None
    type: str | None
    created_by: str | None
    last_updated_by: str | None
    errors: list[OperationsJobError]
    warnings: JSON | None
    ancestor_ids: list[str] = strawberry.field(description="From the root job to the parent.")
    parent_reference: ParentReference | None
    group_ids: list[str]
    groups: JSON | None
    watchers: JSON | None
    variables: JSON | None
    transitions: JSON | None
    error_handler: JSON | None
    progress: float | None
    metrics: JSON | None
    tags: JSON | None
    decorators: JSON | None
    validation_errors: JSON | None
    _task_cache: strawberry.Private[list[Task] | None] = None

    loader_name = "operations_job_by_id"

    @strawberry.field(description="The job's tasks, keyed in the document by task id.")
    def tasks(self) -> list[Task]:
        # Built on first use: a list of jobs seldom asks for tasks, and mapping
        # them is most of the cost of a job.
        if self._task_cache is None:
            tasks: dict[str, Task] = {}
            raw_tasks = coerce.mapping(self._doc.get("tasks")) or {}
            for key, value in raw_tasks.items():
                if isinstance(value, dict):
                    tasks[key] = Task.from_doc(key, value, tasks)
            self._task_cache = list(tasks.values())
        return self._task_cache

    @strawberry.field(description="The job that spawned this one.")
    async def parent(self, info: Info) -> OperationsJob | None:
        ref = self.parent_reference
        if ref is None or ref.job_id is None:
            return None
        return await OperationsJob.load(info, ref.job_id)

    @strawberry.field(description="The chain of jobs above this one, root first.")
    async def ancestors(self, info: Info) -> list[OperationsJob] | None:
        return await OperationsJob.load_many(info, self.ancestor_ids)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> OperationsJob:
        metrics = coerce.mapping(doc.get("metrics")) or {}
        parent = coerce.mapping(doc.get("parent"))
        parent_ref = None
        if parent is not None:
            parent_ref = ParentReference(
                job_id=coerce.nonempty_text(parent.get("job")),
                task=coerce.text(parent.get("task")),
                iteration=coerce.integer(parent.get("iteration")),
                element=coerce.integer(parent.get("element")),
            )
        progress = coerce.number(metrics.get("progress"))
        ops_id = coerce.text(doc.get("_id")) or ""
        return cls(
            **job_fields("OperationsJob", operations_job_facts(doc)),
            ops_id=ops_id,
            description=coerce.text(doc.get("description")),
            type=coerce.text(doc.get("type")),
            created_by=coerce.text(doc.get("created_by")),
            last_updated_by=coerce.text(doc.get("last_updated_by")),
            errors=[_error(e) for e in doc.get("error") or [] if isinstance(e, dict)]
            if isinstance(doc.get("error"), list)
            else [],
            warnings=doc.get("warnings"),
            ancestor_ids=coerce.string_list(doc.get("ancestors")),
            parent_reference=parent_ref,
            group_ids=_group_ids(doc.get("groups")),
            groups=doc.get("groups"),
            watchers=doc.get("watchers"),
            variables=doc.get("variables"),
            transitions=doc.get("transitions"),
            error_handler=doc.get("errorHandler"),
            progress=progress if progress is not None and 0 <= progress <= 1 else None,
            metrics=metrics or None,
            tags=doc.get("tags"),
            decorators=doc.get("decorators"),
            validation_errors=doc.get("validationErrors"),
            _doc=doc,
        )
