"""Jobs-store jobs (``FlowJob``) and their steps, with their queries.

A job's steps come in its document (``completedSteps``, ``currentStep``,
``cancelledSteps``), so ``steps`` and a step's ``parent``/``previous`` cost no
upstream call: they are resolved inside the job.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry

from gateway.context import Info
from gateway.errors import BadUserInput
from gateway.upstream_names import Upstream
from schema import coerce
from schema.ids import to_global_id
from schema.node import Job
from schema.pagination import Connection, offset_connection, page_window
from schema.scalars import JSON
from schema.status import FINAL_STATES, JobSource, normalise

MAX_ID_LENGTH = 200


@strawberry.enum(description="Where a step stands in its job.")
class StepStatus(Enum):
    COMPLETED = "COMPLETED"
    CURRENT = "CURRENT"
    CANCELLED = "CANCELLED"


@strawberry.type(description="One step of a jobs-store job (a `singleStep` or a `reportStep`).")
class Step:
    status: StepStatus
    is_report: bool = strawberry.field(description="True for a `reportStep` entry.")
    unique_step_id: str | None
    previous_unique_step_id: str | None
    step_id: str | None
    step_number: int | None
    title: str | None
    description: str | None
    type: str | None = strawberry.field(description="`stepType`: ConfirmStep, Text, ...")
    values: JSON | None
    value_resource_ids: JSON | None
    user_id: str | None
    user_name: str | None
    device_id: str | None
    connection_type: str | None
    started: datetime | None
    completed: datetime | None
    updated: datetime | None
    cancelled: datetime | None
    time_events: JSON | None
    note: str | None
    note_resource_filenames: JSON | None
    coordinates: JSON | None
    parent_step_id: str | None
    parent_unique_step_id: str | None
    parent_step_title: str | None
    parent_step_description: str | None
    tags: str | None
    metadata: JSON | None
    report: JSON | None = strawberry.field(description="The `reportStep` document, if any.")
    _entry: strawberry.Private[dict[str, Any]]
    _siblings: strawberry.Private[dict[str, Step]]

    @strawberry.field(description="The raw step entry as the upstream sent it.")
    def upstream(self) -> JSON:
        return self._entry

    @strawberry.field(description="The step this one is nested under, in the same job.")
    def parent(self) -> Step | None:
        key = self.parent_unique_step_id
        return self._siblings.get(key) if key else None

    @strawberry.field(description="The step before this one, in the same job.")
    def previous(self) -> Step | None:
        key = self.previous_unique_step_id
        return self._siblings.get(key) if key else None

    @classmethod
    def from_entry(
        cls, entry: dict[str, Any], status: StepStatus, siblings: dict[str, Step]
    ) -> Step:
        single = coerce.mapping(entry.get("singleStep"))
        report = coerce.mapping(entry.get("reportStep"))
        s = single or report or {}
        metadata = coerce.mapping(s.get("metadata"))
        return cls(
            status=status,
            is_report=single is None and report is not None,
            unique_step_id=coerce.nonempty_text(s.get("uniqueStepId")),
            previous_unique_step_id=coerce.nonempty_text(s.get("previousUniqueStepId")),
            step_id=coerce.text(s.get("stepId")),
            step_number=coerce.integer(s.get("stepNumber")),
            title=coerce.text(s.get("stepTitle")),
            description=coerce.text(s.get("stepDescription")),
            type=coerce.text(s.get("stepType")),
            values=s.get("values"),
            value_resource_ids=s.get("valueResourceIds"),
            user_id=coerce.text(s.get("userId")),
            user_name=coerce.text(s.get("userName")),
            device_id=coerce.text(s.get("deviceId")),
            connection_type=coerce.text(s.get("connectionType")),
            started=coerce.timestamp(s.get("started")),
            completed=coerce.timestamp(s.get("completed")),
            updated=coerce.timestamp(s.get("updated")),
            cancelled=coerce.timestamp(s.get("cancelled")),
            time_events=s.get("timeEvents"),
            note=coerce.text(s.get("note")),
            note_resource_filenames=s.get("noteResourceFilenames"),
            coordinates=s.get("coordinates"),
            parent_step_id=coerce.nonempty_text(s.get("parentStepId")),
            parent_unique_step_id=coerce.nonempty_text(s.get("parentUniqueStepId")),
            parent_step_title=coerce.text(s.get("parentStepTitle")),
            parent_step_description=coerce.text(s.get("parentStepDescription")),
            tags=coerce.text(metadata.get("tags")) if metadata else None,
            metadata=metadata,
            report=report,
            _entry=entry,
            _siblings=siblings,
        )


def _steps(doc: dict[str, Any], metadata: dict[str, Any]) -> tuple[list[Step], Step | None]:
    siblings: dict[str, Step] = {}
    steps: list[Step] = []
    current: Step | None = None
    groups: list[tuple[Any, StepStatus]] = [
        (doc.get("completedSteps"), StepStatus.COMPLETED),
        ([metadata.get("currentStep")], StepStatus.CURRENT),
        (doc.get("cancelledSteps"), StepStatus.CANCELLED),
    ]
    for entries, status in groups:
        if not isinstance(entries, list):
            continue
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            step = Step.from_entry(entry, status, siblings)
            key = step.unique_step_id
            if status is StepStatus.CURRENT:
                current = step
            if key is not None and key in siblings:
                continue
            if key is not None:
                siblings[key] = step
            steps.append(step)
    return steps, current


@strawberry.type(description="A job of the jobs store: a person running a guided workflow.")
class FlowJob(Job):
    job_id: str
    client_job_id: str | None
    workflow_id: str | None
    workflow_version_id: str | None
    workflow_name: str | None
    job_title: str | None
    metadata: JSON | None = strawberry.field(description="The job's own key/value metadata.")
    modified: datetime | None
    user_id: str | None
    username: str | None
    abandon_reason: str | None
    team: str | None
    hierarchy_stack: JSON | None
    packet_ids: JSON | None
    job_exclusion: JSON | None
    excluded: bool | None
    scheduled_job_id: str | None
    scheduled_task_id: str | None
    steps: list[Step] = strawberry.field(
        description="Completed, current and cancelled steps, in that order."
    )
    current_step: Step | None
    _doc: strawberry.Private[dict[str, Any]]

    @strawberry.field(description="The raw job document as the upstream sent it.")
    def upstream(self) -> JSON:
        return self._doc

    @strawberry.field(description="The steps the person has completed.")
    def completed_steps(self) -> list[Step]:
        return [s for s in self.steps if s.status is StepStatus.COMPLETED]

    @strawberry.field(description="The steps cancelled when the job was aborted.")
    def cancelled_steps(self) -> list[Step]:
        return [s for s in self.steps if s.status is StepStatus.CANCELLED]

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> FlowJob:
        meta = coerce.mapping(doc.get("metadata")) or {}
        own = coerce.mapping(meta.get("metadata"))
        status = coerce.text(meta.get("status"))
        state = normalise(Upstream.JOBSTORE, status)
        steps, current = _steps(doc, meta)
        created = coerce.timestamp(meta.get("created"))
        updated = coerce.timestamp(meta.get("updated"))
        starts = [s.started for s in steps if s.started is not None]
        started = min(starts) if starts else created
        finished: datetime | None = None
        if state in FINAL_STATES:
            ends = [t for s in steps for t in (s.completed, s.cancelled) if t is not None]
            finished = max([*ends, *([updated] if updated else [])], default=None)
        job_id = coerce.text(doc.get("jobId")) or ""
        return cls(
            id=strawberry.ID(to_global_id("FlowJob", job_id)),
            source=JobSource.JOB_STORE,
            name=coerce.text(meta.get("jobTitle")),
            state=state,
            upstream_status=status,
            created_at=created,
            updated_at=updated,
            started_at=started,
            finished_at=finished,
            elapsed_seconds=coerce.seconds_between(started, finished),
            owner=coerce.text(meta.get("username")),
            job_id=job_id,
            client_job_id=coerce.text(meta.get("clientJobId")),
            workflow_id=coerce.text(meta.get("workflowId")),
            workflow_version_id=coerce.text(meta.get("workflowVersionId")),
            workflow_name=coerce.text(meta.get("workflowName")),
            job_title=coerce.text(meta.get("jobTitle")),
            metadata=own,
            modified=coerce.timestamp(meta.get("modified")),
            user_id=coerce.text(meta.get("userId")),
            username=coerce.text(meta.get("username")),
            abandon_reason=coerce.text(meta.get("abandonReason")),
            team=coerce.text(doc.get("team")),
            hierarchy_stack=doc.get("hierarchyStack"),
            packet_ids=doc.get("packetIds"),
            job_exclusion=doc.get("jobExclusion"),
            excluded=coerce.boolean(doc.get("excluded")),
            scheduled_job_id=coerce.text(own.get("ScheduledJobId")) if own else None,
            scheduled_task_id=coerce.text(own.get("ScheduledTaskId")) if own else None,
            steps=steps,
            current_step=current,
            _doc=doc,
        )


def check_id(value: str, argument: str) -> str:
    """Reject ids the upstream could never hold, before any request."""
    if not value or len(value) > MAX_ID_LENGTH or any(c.isspace() for c in value):
        raise BadUserInput(f"`{argument}` is not a valid id", argument=argument)
    return value


@strawberry.type
class FlowJobQueries:
    @strawberry.field(description="One jobs-store job by its `jobId`; null when there is none.")
    async def flow_job(self, info: Info, job_id: str) -> FlowJob | None:
        doc = await info.context.loaders.flow_job_by_id.load(check_id(job_id, "jobId"))
        return FlowJob.from_doc(doc) if doc else None

    @strawberry.field(description="The jobs store's jobs, newest first.")
    async def flow_jobs(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[FlowJob] | None:
        window = page_window(first, after, info.context.settings.max_page_size)
        docs = await info.context.jobstore.jobs(skip=window.skip, limit=window.first + 1)
        page = docs[: window.first]
        info.context.loaders.flow_job_by_id.prime_many(page)
        return offset_connection(
            [FlowJob.from_doc(d) for d in page],
            window,
            has_next=len(docs) > window.first,
            total=None,
        )
