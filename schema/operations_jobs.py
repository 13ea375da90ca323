"""Operations-manager jobs (``OperationsJob``) and their tasks, with their queries.

Tasks come in the job document, so ``tasks`` and a task's ``next`` cost no
upstream call. ``parent`` and ``ancestors`` go through
``OperationsJobByIdLoader``: all the parents and ancestors of a page are
fetched in one ``in[_id]`` request.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from enum import Enum
from typing import Any

import orjson
import strawberry

from gateway.context import Info
from gateway.upstream_names import Upstream
from gateway.upstreams.opsmanager import BATCH_CHUNK
from schema import coerce
from schema.flow_jobs import check_id
from schema.ids import to_global_id
from schema.node import Job
from schema.pagination import Connection, Window, offset_connection, page_window
from schema.pushdown import OPSMANAGER, query
from schema.scalars import JSON
from schema.status import JobSource, JobState, normalise


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
class Task:
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
    _doc: strawberry.Private[dict[str, Any]]
    _tasks: strawberry.Private[dict[str, Task]]

    @strawberry.field(description="The raw task document.")
    def upstream(self) -> JSON:
        return self._doc

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


def _owner(metrics: dict[str, Any], doc: dict[str, Any]) -> str | None:
    owner = metrics.get("owner")
    if isinstance(owner, str):
        return owner
    user = metrics.get("user")
    if isinstance(user, dict):
        return coerce.text(user.get("username"))
    if isinstance(user, str):
        return user
    return coerce.text(doc.get("created_by"))


@strawberry.type(description="A job of the operations manager: a workflow run as a graph of tasks.")
class OperationsJob(Job):
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
    _doc: strawberry.Private[dict[str, Any]]
    _task_cache: strawberry.Private[list[Task] | None] = None

    @strawberry.field(description="The raw job document as the upstream sent it.")
    def upstream(self) -> JSON:
        return self._doc

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
        doc = await info.context.loaders.operations_job_by_id.load(ref.job_id)
        return OperationsJob.from_doc(doc) if doc else None

    @strawberry.field(description="The chain of jobs above this one, root first.")
    async def ancestors(self, info: Info) -> list[OperationsJob] | None:
        if not self.ancestor_ids:
            return []
        docs = await info.context.loaders.operations_job_by_id.load_many(self.ancestor_ids)
        return [OperationsJob.from_doc(d) for d in docs if d]

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> OperationsJob:
        metrics = coerce.mapping(doc.get("metrics")) or {}
        status = coerce.text(doc.get("status"))
        parent = coerce.mapping(doc.get("parent"))
        parent_ref = None
        if parent is not None:
            parent_ref = ParentReference(
                job_id=coerce.nonempty_text(parent.get("job")),
                task=coerce.text(parent.get("task")),
                iteration=coerce.integer(parent.get("iteration")),
                element=coerce.integer(parent.get("element")),
            )
        started = coerce.timestamp(metrics.get("start_time"))
        finished = coerce.timestamp(metrics.get("end_time"))
        progress = coerce.number(metrics.get("progress"))
        ops_id = coerce.text(doc.get("_id")) or ""
        return cls(
            id=strawberry.ID(to_global_id("OperationsJob", ops_id)),
            source=JobSource.OPERATIONS_MANAGER,
            name=coerce.text(doc.get("name")),
            state=normalise(Upstream.OPSMANAGER, status),
            upstream_status=status,
            created_at=coerce.timestamp(doc.get("created")),
            updated_at=coerce.timestamp(doc.get("last_updated")),
            started_at=started,
            finished_at=finished,
            elapsed_seconds=coerce.seconds_between(started, finished),
            owner=_owner(metrics, doc),
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


@strawberry.input(description="Filters pushed down into the operations manager's search.")
class OperationsJobFilter:
    states: list[JobState] | None = None
    upstream_statuses: list[str] | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    name_contains: str | None = None


def ops_filter_params(flt: OperationsJobFilter | None) -> list[tuple[str, str]] | None:
    """The upstream's query conditions for a filter; ``None`` when it can match nothing."""
    if flt is None:
        return []
    return query(
        OPSMANAGER,
        states=flt.states,
        words=flt.upstream_statuses,
        created_after=flt.created_after,
        created_before=flt.created_before,
        name=flt.name_contains,
    )


async def search_window(
    info: Info, params: list[tuple[str, str]], window: Window
) -> tuple[list[dict[str, Any]], int | None]:
    """Jobs ``window.skip .. +first`` newest first, in chunks of the upstream's page cap."""
    base = [*params, ("sort", "created"), ("order", "-1")]
    end = window.skip + max(window.first, 1)
    pages = await asyncio.gather(
        *(
            info.context.opsmanager.search(
                [*base, ("skip", str(s)), ("limit", str(min(BATCH_CHUNK, end - s)))]
            )
            for s in range(window.skip, end, BATCH_CHUNK)
        )
    )
    docs = [doc for page in pages for doc in page.jobs][: window.first]
    return docs, pages[0].total


@strawberry.type
class OperationsJobQueries:
    @strawberry.field(description="One operations-manager job by `_id`; null when there is none.")
    async def operations_job(self, info: Info, id: str) -> OperationsJob | None:
        doc = await info.context.loaders.operations_job_by_id.load(check_id(id, "id"))
        return OperationsJob.from_doc(doc) if doc else None

    @strawberry.field(description="Operations-manager jobs, newest first.")
    async def operations_jobs(
        self,
        info: Info,
        filter: OperationsJobFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[OperationsJob] | None:
        window = page_window(first, after, info.context.settings.max_page_size)
        params = ops_filter_params(filter)
        if params is None:
            return offset_connection([], window, has_next=False, total=0)
        docs, total = await search_window(info, params, window)
        info.context.loaders.operations_job_by_id.prime_many(docs)
        has_next = total is not None and window.skip + len(docs) < total
        return offset_connection(
            [OperationsJob.from_doc(d) for d in docs], window, has_next=has_next, total=total
        )
