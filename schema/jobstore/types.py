"""Jobs-store types: ``FlowJob`` and its ``Step``s.

A job's steps come in its document (``completedSteps``, ``currentStep``,
``cancelledSteps``), so ``steps`` and a step's ``parent``/``previous`` cost no
upstream call: they are resolved inside the job.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry

from gateway import coerce
from gateway.facts import JobFacts, flow_job_facts, step_body, step_entries
from schema.core.document_fields import as_is, from_key, read_lazily
from schema.core.node import Doc, Job, JobDocument, UpstreamDocument, job_readers
from schema.core.scalars import JSON
from schema.core.states import described_enum


@described_enum(
    "Where a step stands in its job.",
    {
        "COMPLETED": "Done: in the job's `completedSteps`.",
        "CURRENT": "The step the person is on: the job's `metadata.currentStep`.",
        "CANCELLED": "Cancelled: in the job's `cancelledSteps` (as when the job is aborted).",
    },
)
class StepStatus(Enum):
    COMPLETED = "COMPLETED"
    CURRENT = "CURRENT"
    CANCELLED = "CANCELLED"


@described_enum(
    "Where a step's attachment comes from.",
    {
        "VALUE": "A resource entered as one of the step's values (a photo, a signature): "
        "an entry of `valueResourceIds`.",
        "NOTE": "A file attached to the step's note: an entry of `noteResourceFilenames`.",
    },
)
class StepAttachmentKind(Enum):
    VALUE = "VALUE"
    NOTE = "NOTE"


@strawberry.type(
    description="A file attached to a step, as the job document describes it (the jobs store "
    "documents no route to fetch the file itself)."
)
class StepAttachment:
    kind: StepAttachmentKind = strawberry.field(
        description="Whether it is one of the step's values or attached to its note."
    )
    resource_id: str | None = strawberry.field(
        description="The jobs store's id of the resource (`valueResourceIds[i]`). Null for a "
        "note's file, which the document names only."
    )
    file_name: str | None = strawberry.field(
        description="The file's name: `noteResourceFilenames[i]`, or for a value resource the "
        "step's `values[i]` when `values` and `valueResourceIds` have as many entries (as "
        "photo and signature steps record them). Null otherwise."
    )


def _tags(body: Doc) -> str | None:
    """``metadata.tags`` of a step's body, when a string."""
    metadata = body.get("metadata")
    return coerce.text(metadata.get("tags")) if isinstance(metadata, dict) else None


def _attachments(body: Doc) -> list[StepAttachment]:
    ids = [i for i in body.get("valueResourceIds") or [] if isinstance(i, str)]
    raw_values = body.get("values")
    values: list[Any] = raw_values if isinstance(raw_values, list) else []
    paired = len(values) == len(ids)
    out = [
        StepAttachment(
            kind=StepAttachmentKind.VALUE,
            resource_id=resource,
            file_name=coerce.text(values[index]) if paired else None,
        )
        for index, resource in enumerate(ids)
    ]
    for name in body.get("noteResourceFilenames") or []:
        if isinstance(name, str):
            out.append(
                StepAttachment(kind=StepAttachmentKind.NOTE, resource_id=None, file_name=name)
            )
    return out


@strawberry.type(description="One step of a jobs-store job (a `singleStep` or a `reportStep`).")
class Step(UpstreamDocument):
    status: StepStatus = strawberry.field(
        description="Which list of the job the step is in: `completedSteps`, "
        "`metadata.currentStep` or `cancelledSteps`."
    )
    is_report: bool = strawberry.field(description="True for a `reportStep` entry.")
    unique_step_id: str | None = strawberry.field(
        description="`uniqueStepId`: the id of this step within the job (a UUID "
        "when the gateway created it); `parent` and `previous` refer "
        "to it. Null when absent or empty."
    )
    previous_unique_step_id: str | None = strawberry.field(
        description="`previousUniqueStepId`: the `uniqueStepId` of the step "
        'before. Null for the first step (the upstream writes "") or '
        "when absent."
    )
    step_id: str | None = strawberry.field(
        description="`stepId`: the id of the workflow's step this entry records "
        "(`uniqueStepId` identifies the entry itself). Null when the "
        "upstream omits it or sends another shape."
    )
    step_number: int | None = strawberry.field(
        description="`stepNumber`: the step's number, 1-based. Null when absent or not an integer."
    )
    title: str | None = strawberry.field(
        description="`stepTitle`. Null when the upstream omits it or sends another shape."
    )
    description: str | None = strawberry.field(
        description="`stepDescription`. Null when the upstream omits it or sends another shape."
    )
    type: str | None = strawberry.field(description="`stepType`: ConfirmStep, Text, ...")
    values: JSON | None = strawberry.field(
        description="`values`: what the person entered at this step, as sent "
        "(documented as a list)."
    )
    value_resource_ids: JSON | None = strawberry.field(
        description="`valueResourceIds`, as sent (documented as a list of resource ids)."
    )
    user_id: str | None = strawberry.field(
        description="`userId`: the id of the person who did the step. Null when "
        "the upstream omits it or sends another shape."
    )
    user_name: str | None = strawberry.field(
        description="`userName`: the person who did the step. Null when the "
        "upstream omits it or sends another shape."
    )
    device_id: str | None = strawberry.field(
        description="`deviceId`: the device the step was done on. Null when the "
        "upstream omits it or sends another shape."
    )
    connection_type: str | None = strawberry.field(
        description="`connectionType`, the upstream's word. Null when the "
        "upstream omits it or sends another shape."
    )
    started: datetime | None = strawberry.field(
        description="`started`: when the step was started. Null when absent or not a date-time."
    )
    completed: datetime | None = strawberry.field(
        description="`completed`: when the step was completed. Null when absent or not a date-time."
    )
    updated: datetime | None = strawberry.field(
        description="`updated`: when the step last changed. Null when absent or not a date-time."
    )
    cancelled: datetime | None = strawberry.field(
        description="`cancelled`: when the step was cancelled. Null when absent or not a date-time."
    )
    time_events: JSON | None = strawberry.field(
        description="`timeEvents`, as sent: a JSON object mapping ISO 8601 timestamps to integers."
    )
    note: str | None = strawberry.field(
        description="`note`: the person's note on the step. Null when the "
        "upstream omits it or sends another shape."
    )
    note_resource_filenames: JSON | None = strawberry.field(
        description="`noteResourceFilenames`, as sent (documented as a list of file names "
        "attached to the note)."
    )
    coordinates: JSON | None = strawberry.field(
        description="`coordinates`, as sent (the upstream does not document its shape)."
    )
    parent_step_id: str | None = strawberry.field(
        description="`parentStepId`: the `stepId` of the step this one is nested "
        "under. Null when absent or empty."
    )
    parent_unique_step_id: str | None = strawberry.field(
        description="`parentUniqueStepId`: the `uniqueStepId` of the step this "
        "one is nested under (see `parent`). Null when absent or "
        "empty."
    )
    parent_step_title: str | None = strawberry.field(
        description="`parentStepTitle`. Null when the upstream omits it or sends another shape."
    )
    parent_step_description: str | None = strawberry.field(
        description="`parentStepDescription`. Null when the upstream omits it or "
        "sends another shape."
    )
    tags: str | None = strawberry.field(
        description="`metadata.tags` of the step. Null when the upstream omits "
        "it or sends another shape."
    )
    metadata: JSON | None = strawberry.field(
        description="The step's `metadata` object. Null when absent or not an object."
    )
    report: JSON | None = strawberry.field(description="The `reportStep` document, if any.")
    duration_seconds: float | None = strawberry.field(
        description="Seconds (decimal) the step took: `completed` (else `cancelled`) minus "
        "`started`, to the millisecond. Null while the step is open, or when a time is "
        "missing or the difference is negative."
    )
    attachments: list[StepAttachment] = strawberry.field(
        description="The files attached to the step: its value resources "
        "(`valueResourceIds`), then its note's files (`noteResourceFilenames`). Empty when "
        "there are none."
    )
    _siblings: strawberry.Private[dict[str, tuple[Doc, StepStatus]]]
    """The job's distinct step entries by ``uniqueStepId``, with their status.

    Entries, not ``Step`` objects: steps referring to one another would make
    cycles that only the cyclic GC frees, keeping every step and its document
    after the answer is sent (a step of ``parent`` or ``previous`` is made
    again from its entry, with the same fields)."""
    _body: strawberry.Private[Doc]
    """The entry's ``singleStep`` (or else ``reportStep``): what most fields read."""

    @strawberry.field(description="The step this one is nested under, in the same job.")
    def parent(self) -> Step | None:
        return self._sibling(self.parent_unique_step_id)

    @strawberry.field(description="The step before this one, in the same job.")
    def previous(self) -> Step | None:
        return self._sibling(self.previous_unique_step_id)

    def _sibling(self, key: str | None) -> Step | None:
        found = self._siblings.get(key) if key else None
        return Step.of_entry(found[0], found[1], self._siblings) if found else None

    @classmethod
    def of_entry(
        cls, entry: Doc, status: StepStatus, siblings: dict[str, tuple[Doc, StepStatus]]
    ) -> Step:
        """The step of one entry of a job's step lists; its fields are read on demand."""
        step = cls.__new__(cls)
        step._doc = entry
        step.status = status
        step._siblings = siblings
        return step


def _in_body(convert: Callable[[Any], object], key: str) -> Callable[[Step], object]:
    return from_key("_body", convert, key)


read_lazily(
    Step,
    ("status",),
    _body=lambda step: step_body(step._doc),
    is_report=lambda step: (
        coerce.mapping(step._doc.get("singleStep")) is None and step.report is not None
    ),
    unique_step_id=_in_body(coerce.nonempty_text, "uniqueStepId"),
    previous_unique_step_id=_in_body(coerce.nonempty_text, "previousUniqueStepId"),
    step_id=_in_body(coerce.text, "stepId"),
    step_number=_in_body(coerce.integer, "stepNumber"),
    title=_in_body(coerce.text, "stepTitle"),
    description=_in_body(coerce.text, "stepDescription"),
    type=_in_body(coerce.text, "stepType"),
    values=_in_body(as_is, "values"),
    value_resource_ids=_in_body(as_is, "valueResourceIds"),
    user_id=_in_body(coerce.text, "userId"),
    user_name=_in_body(coerce.text, "userName"),
    device_id=_in_body(coerce.text, "deviceId"),
    connection_type=_in_body(coerce.text, "connectionType"),
    started=_in_body(coerce.timestamp, "started"),
    completed=_in_body(coerce.timestamp, "completed"),
    updated=_in_body(coerce.timestamp, "updated"),
    cancelled=_in_body(coerce.timestamp, "cancelled"),
    time_events=_in_body(as_is, "timeEvents"),
    note=_in_body(coerce.text, "note"),
    note_resource_filenames=_in_body(as_is, "noteResourceFilenames"),
    coordinates=_in_body(as_is, "coordinates"),
    parent_step_id=_in_body(coerce.nonempty_text, "parentStepId"),
    parent_unique_step_id=_in_body(coerce.nonempty_text, "parentUniqueStepId"),
    parent_step_title=_in_body(coerce.text, "parentStepTitle"),
    parent_step_description=_in_body(coerce.text, "parentStepDescription"),
    tags=lambda step: _tags(step._body),
    metadata=_in_body(coerce.mapping, "metadata"),
    report=lambda step: coerce.mapping(step._doc.get("reportStep")),
    duration_seconds=lambda step: coerce.seconds_between(
        step.started, step.completed or step.cancelled
    ),
    attachments=lambda step: _attachments(step._body),
)


_STATUS = {
    "completed": StepStatus.COMPLETED,
    "current": StepStatus.CURRENT,
    "cancelled": StepStatus.CANCELLED,
}


def _steps(doc: Doc, metadata: Doc) -> tuple[list[Step], Step | None]:
    siblings: dict[str, tuple[Doc, StepStatus]] = {}
    steps: list[Step] = []
    current: Step | None = None
    new = Step.__new__
    for group, entry in step_entries(doc, metadata):
        status = _STATUS[group]
        # ``Step.of_entry``, and what the readers of ``_body`` and ``unique_step_id``
        # give, written here without calls per step (a page of jobs has thousands).
        step = new(Step)
        own = step.__dict__
        own["_doc"], own["status"], own["_siblings"] = entry, status, siblings
        body = single = entry.get("singleStep")
        if type(body) is not dict or not body:
            body = step_body(entry)
        own["_body"] = body
        # ``is_report``'s reader, at the cost of a type check (it is in most step lists)
        own["is_report"] = not isinstance(single, dict) and isinstance(
            entry.get("reportStep"), dict
        )
        key = body.get("uniqueStepId")
        if type(key) is not str or not key:
            key = coerce.nonempty_text(key)
        own["unique_step_id"] = key
        if status is StepStatus.CURRENT:
            current = step
        if key is not None and key in siblings:
            continue
        if key is not None:
            siblings[key] = (entry, status)
        steps.append(step)
    return steps, current


@strawberry.type(description="A job of the jobs store: a person running a guided workflow.")
class FlowJob(Job, JobDocument):
    job_id: str = strawberry.field(
        description="`jobId`: the jobs store's id of the job (an ObjectId, 24 "
        'hex digits); "" when the document lacks one.'
    )
    client_job_id: str | None = strawberry.field(
        description="`metadata.clientJobId`: the creator's UUID, the idempotency "
        "key of `createFlowJob`. Null when the upstream omits it or "
        "sends another shape."
    )
    workflow_id: str | None = strawberry.field(
        description="`metadata.workflowId`: the workflow (guided procedure) the "
        "job runs. Null when the upstream omits it or sends another "
        "shape."
    )
    workflow_version_id: str | None = strawberry.field(
        description="`metadata.workflowVersionId`: the version of that workflow. "
        "Null when the upstream omits it or sends another shape."
    )
    workflow_name: str | None = strawberry.field(
        description="`metadata.workflowName`. Null when the upstream omits it or "
        "sends another shape."
    )
    job_title: str | None = strawberry.field(
        description="`metadata.jobTitle`, the same as `name`. Null when the "
        "upstream omits it or sends another shape."
    )
    metadata: JSON | None = strawberry.field(
        description="`metadata.metadata`: the job's own key/value metadata, string values "
        "(scheduler-made jobs carry `ScheduledJobId`, `ScheduledTaskId`). Null when absent or "
        "not an object."
    )
    modified: datetime | None = strawberry.field(
        description="`metadata.modified`. Null when absent or not a date-time."
    )
    user_id: str | None = strawberry.field(
        description="`metadata.userId`: the id of the person running the job. "
        "Null when the upstream omits it or sends another shape."
    )
    username: str | None = strawberry.field(
        description="`metadata.username`: the person running the job (also "
        "`owner`). Null when the upstream omits it or sends another "
        "shape."
    )
    abandon_reason: str | None = strawberry.field(
        description="`metadata.abandonReason`: the reason given for abandoning "
        "the job. Null when the upstream omits it or sends another "
        "shape."
    )
    team: str | None = strawberry.field(
        description="`team`: the team the job belongs to. Null when the upstream "
        "omits it or sends another shape."
    )
    hierarchy_stack: JSON | None = strawberry.field(
        description="`hierarchyStack`, as sent (the upstream does not document its shape)."
    )
    packet_ids: JSON | None = strawberry.field(
        description="`packetIds`, as sent (the upstream does not document its shape)."
    )
    job_exclusion: JSON | None = strawberry.field(
        description="`jobExclusion`, as sent (documented as a list)."
    )
    excluded: bool | None = strawberry.field(
        description="`excluded`. Null when absent or not a boolean."
    )
    scheduled_job_id: str | None = strawberry.field(
        description="`ScheduledJobId` in `metadata.metadata`: set on jobs the "
        "scheduler made, null on others."
    )
    scheduled_task_id: str | None = strawberry.field(
        description="`ScheduledTaskId` in `metadata.metadata`: set on jobs the "
        "scheduler made, null on others."
    )
    steps: list[Step] = strawberry.field(
        description="Completed, current and cancelled steps, in that order."
    )
    current_step: Step | None = strawberry.field(
        description="`metadata.currentStep`: the step the person is on (also in "
        "`steps`); null when there is none."
    )
    _meta: strawberry.Private[Doc]
    """The document's ``metadata`` object, where most fields are."""
    _step_list: strawberry.Private[tuple[list[Step], Step | None]]
    """``steps`` and ``current_step``, built together on the first read of either."""
    _job_steps: strawberry.Private[_JobSteps]
    """Builds the steps, for them and for the facts' times."""

    loader_name = "flow_job_by_id"

    @strawberry.field(description="The steps the person has completed.")
    def completed_steps(self) -> list[Step]:
        return [s for s in self.steps if s.status is StepStatus.COMPLETED]

    @strawberry.field(description="The steps cancelled when the job was aborted.")
    def cancelled_steps(self) -> list[Step]:
        return [s for s in self.steps if s.status is StepStatus.CANCELLED]


def _in_meta(convert: Callable[[Any], object], key: str) -> Callable[[FlowJob], object]:
    return from_key("_meta", convert, key)


def _in_own_metadata(key: str) -> Callable[[FlowJob], object]:
    return lambda job: coerce.text(job.metadata.get(key)) if job.metadata else None


class _JobSteps:
    """A job's steps, built on first use, for its ``steps`` and its facts' times alike.

    The facts read the steps' times through :meth:`times`, so each step
    timestamp of the document is parsed once, by the step's own field. It
    holds the document, not the job: the job's facts refer to it, and a
    reference back to the job would make a cycle only the cyclic GC frees.
    """

    __slots__ = ("_built", "_doc")

    def __init__(self, doc: Doc) -> None:
        self._doc = doc
        self._built: tuple[list[Step], Step | None] | None = None

    def built(self, metadata: Doc) -> tuple[list[Step], Step | None]:
        """``steps`` and ``current_step`` (``metadata``: the document's, as read already)."""
        if self._built is None:
            self._built = _steps(self._doc, metadata)
        return self._built

    def times(self, metadata: Doc) -> tuple[list[datetime], list[datetime]]:
        """What :func:`gateway.facts.flow_job_facts` reads from the document: each distinct
        step's ``started`` (the starts), its ``completed`` and ``cancelled`` (the ends)."""
        starts: list[datetime] = []
        ends: list[datetime] = []
        timestamp = coerce.timestamp
        for step in self.built(metadata)[0]:
            # ``step.started`` and the others, without their descriptors: the values are
            # kept on the step as its readers would keep them, for its fields to answer.
            own = step.__dict__
            body = own["_body"]
            started = own.get("started", _UNREAD)
            if started is _UNREAD:
                started = own["started"] = timestamp(body.get("started"))
            if started is not None:
                starts.append(started)
            completed = own.get("completed", _UNREAD)
            if completed is _UNREAD:
                completed = own["completed"] = timestamp(body.get("completed"))
            if completed is not None:
                ends.append(completed)
            cancelled = own.get("cancelled", _UNREAD)
            if cancelled is _UNREAD:
                cancelled = own["cancelled"] = timestamp(body.get("cancelled"))
            if cancelled is not None:
                ends.append(cancelled)
        return starts, ends


_UNREAD = object()


def _facts(job: FlowJob) -> JobFacts:
    """The job's facts, its step times read from its steps (:class:`_JobSteps`)."""
    return flow_job_facts(job._doc, job._job_steps.times)


_JOB_READERS: dict[str, Callable[[FlowJob], object]] = {
    **job_readers("FlowJob", flow_job_facts),
    "_facts": _facts,
}

read_lazily(
    FlowJob,
    **_JOB_READERS,
    _meta=lambda job: coerce.mapping(job._doc.get("metadata")) or {},
    _job_steps=lambda job: _JobSteps(job._doc),
    _step_list=lambda job: job._job_steps.built(job._meta),
    job_id=lambda job: coerce.text(job._doc.get("jobId")) or "",
    client_job_id=_in_meta(coerce.text, "clientJobId"),
    workflow_id=_in_meta(coerce.text, "workflowId"),
    workflow_version_id=_in_meta(coerce.text, "workflowVersionId"),
    workflow_name=_in_meta(coerce.text, "workflowName"),
    job_title=_in_meta(coerce.text, "jobTitle"),
    metadata=_in_meta(coerce.mapping, "metadata"),
    modified=_in_meta(coerce.timestamp, "modified"),
    user_id=_in_meta(coerce.text, "userId"),
    username=_in_meta(coerce.text, "username"),
    abandon_reason=_in_meta(coerce.text, "abandonReason"),
    team=lambda job: coerce.text(job._doc.get("team")),
    hierarchy_stack=lambda job: job._doc.get("hierarchyStack"),
    packet_ids=lambda job: job._doc.get("packetIds"),
    job_exclusion=lambda job: job._doc.get("jobExclusion"),
    excluded=lambda job: coerce.boolean(job._doc.get("excluded")),
    scheduled_job_id=_in_own_metadata("ScheduledJobId"),
    scheduled_task_id=_in_own_metadata("ScheduledTaskId"),
    steps=lambda job: job._step_list[0],
    current_step=lambda job: job._step_list[1],
)
