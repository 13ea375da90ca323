"""Jobs-store types: ``FlowJob`` and its ``Step``s.

A job's steps come in its document (``completedSteps``, ``currentStep``,
``cancelledSteps``), so ``steps`` and a step's ``parent``/``previous`` cost no
upstream call: they are resolved inside the job.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry

from gateway import coerce
from gateway.facts import flow_job_facts, step_body, step_entries
from schema.core.node import Job, LoadableDocument, UpstreamDocument, job_fields
from schema.core.scalars import JSON


@strawberry.enum(description="Where a step stands in its job.")
class StepStatus(Enum):
    COMPLETED = "COMPLETED"
    CURRENT = "CURRENT"
    CANCELLED = "CANCELLED"


@strawberry.type(description="One step of a jobs-store job (a `singleStep` or a `reportStep`).")
class Step(UpstreamDocument):
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
    _siblings: strawberry.Private[dict[str, Step]]

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
        s = step_body(entry)
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
            _doc=entry,
            _siblings=siblings,
        )


_STATUS = {
    "completed": StepStatus.COMPLETED,
    "current": StepStatus.CURRENT,
    "cancelled": StepStatus.CANCELLED,
}


def _steps(doc: dict[str, Any], metadata: dict[str, Any]) -> tuple[list[Step], Step | None]:
    siblings: dict[str, Step] = {}
    steps: list[Step] = []
    current: Step | None = None
    for group, entry in step_entries(doc, metadata):
        status = _STATUS[group]
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
class FlowJob(Job, LoadableDocument):
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

    loader_name = "flow_job_by_id"

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
        steps, current = _steps(doc, meta)
        return cls(
            **job_fields("FlowJob", flow_job_facts(doc)),
            job_id=coerce.text(doc.get("jobId")) or "",
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
