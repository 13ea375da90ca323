"""``CreateFlowJobInput``: its checks, and the jobs-store body it becomes.

The body carries every key of the documented create (seed 000), with ``null``
where the caller gave nothing, so the store never has to guess a default.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import strawberry

from schema.core.scalars import JSON
from schema.core.user_errors import Code, UserErrors, path

MAX_TITLE = 256
MAX_NAME = 512
MAX_SHORT_TEXT = 256
MAX_TEXT = 10_000
MAX_STATUS = 64
MAX_STEPS = 500
MAX_METADATA_ENTRIES = 100
MAX_METADATA_KEY = 256
MAX_METADATA_VALUE = 4096


@strawberry.input(description="One key/value pair of a job's metadata.")
class MetadataEntryInput:
    key: str = strawberry.field(description="1..256 characters, not blank; each key once.")
    value: str = strawberry.field(description="At most 4096 characters.")


@strawberry.input(description="A step of a job being created: the fields of a `singleStep`.")
class StepInput:
    unique_step_id: str | None = strawberry.field(
        default=None, description="Generated (UUID4) when absent."
    )
    previous_unique_step_id: str | None = strawberry.field(
        default=None,
        description='Defaults to the `uniqueStepId` of the step before, or "" for the first.',
    )
    step_id: str | None = strawberry.field(
        default=None,
        description="`stepId`: the id of the workflow's step; 1..200 characters, "
        "without spaces or control characters.",
    )
    step_number: int | None = strawberry.field(
        default=None, description="Positive; defaults to the step's position (1-based)."
    )
    step_title: str | None = strawberry.field(
        default=None, description="`stepTitle`, at most 512 characters."
    )
    step_description: str | None = strawberry.field(
        default=None, description="`stepDescription`, at most 10,000 characters."
    )
    step_type: str | None = strawberry.field(default=None, description="ConfirmStep, Text, ...")
    values: JSON | None = strawberry.field(default=None, description="A JSON list; [] if absent.")
    value_resource_ids: list[str] | None = strawberry.field(
        default=None, description="`valueResourceIds`, each at most 512 characters; [] if absent."
    )
    user_id: str | None = strawberry.field(
        default=None,
        description="`userId`: who did the step; 1..200 characters, without "
        "spaces or control characters.",
    )
    user_name: str | None = strawberry.field(
        default=None, description="`userName`: who did the step, at most 256 characters."
    )
    device_id: str | None = strawberry.field(
        default=None,
        description="`deviceId`: the device the step was done on; 1..200 "
        "characters, without spaces or control characters.",
    )
    connection_type: str | None = strawberry.field(
        default=None, description="`connectionType`, at most 256 characters."
    )
    started: datetime | None = strawberry.field(
        default=None,
        description="`started`: when the step was started (UTC when no offset; "
        "sent in UTC with milliseconds).",
    )
    completed: datetime | None = strawberry.field(
        default=None,
        description="`completed`: when the step was completed, not before "
        "`started` (UTC when no offset).",
    )
    updated: datetime | None = strawberry.field(
        default=None, description="`updated`: when the step last changed (UTC when no offset)."
    )
    cancelled: datetime | None = strawberry.field(
        default=None, description="`cancelled`: when the step was cancelled (UTC when no offset)."
    )
    time_events: JSON | None = strawberry.field(
        default=None, description="A JSON object: ISO timestamp -> integer."
    )
    note: str | None = strawberry.field(
        default=None, description="`note`, at most 10,000 characters."
    )
    note_resource_filenames: list[str] | None = strawberry.field(
        default=None, description="`noteResourceFilenames`, each at most 512 characters."
    )
    coordinates: JSON | None = strawberry.field(
        default=None, description="`coordinates`: any JSON value, at most 256 KiB."
    )
    parent_step_id: str | None = strawberry.field(
        default=None,
        description="`parentStepId`: the `stepId` of the step this one is nested "
        "under; 1..200 characters, without spaces or control "
        "characters.",
    )
    parent_unique_step_id: str | None = strawberry.field(
        default=None,
        description="`parentUniqueStepId`: the `uniqueStepId` of the step this "
        "one is nested under; 1..200 characters, without spaces or "
        "control characters.",
    )
    parent_step_title: str | None = strawberry.field(
        default=None, description="`parentStepTitle`, at most 512 characters."
    )
    parent_step_description: str | None = strawberry.field(
        default=None, description="`parentStepDescription`, at most 10,000 characters."
    )
    tags: str | None = strawberry.field(default=None, description='`metadata.tags`; "" if absent.')


@strawberry.input(description="A job to store in the jobs store (`POST /jobs/v1`).")
class CreateFlowJobInput:
    job_title: str = strawberry.field(description=f"Required, 1..{MAX_TITLE} characters.")
    client_job_id: str | None = strawberry.field(
        default=None,
        description="Your UUID for this job, the key that makes the create idempotent: a second "
        "create with the same one answers the existing job. Generated when absent.",
    )
    workflow_id: str | None = strawberry.field(
        default=None,
        description="`metadata.workflowId`: the workflow the job runs; 1..200 "
        "characters, without spaces or control characters.",
    )
    workflow_version_id: str | None = strawberry.field(
        default=None,
        description="`metadata.workflowVersionId`: the version of that workflow; "
        "1..200 characters, without spaces or control characters.",
    )
    workflow_name: str | None = strawberry.field(
        default=None, description="`metadata.workflowName`, at most 512 characters."
    )
    metadata: JSON | None = strawberry.field(
        default=None, description="The job's own metadata: a JSON object of string values."
    )
    metadata_entries: list[MetadataEntryInput] | None = strawberry.field(
        default=None, description="The same as `metadata`, as key/value pairs (give one of them)."
    )
    team: str | None = strawberry.field(
        default=None, description="`team`: the team the job belongs to, at most 256 characters."
    )
    status: str | None = strawberry.field(
        default=None, description="The upstream's own word: Paused, Completed, Aborted, ..."
    )
    username: str | None = strawberry.field(
        default=None,
        description="`metadata.username`: the person running the job, at most 256 characters.",
    )
    user_id: str | None = strawberry.field(
        default=None,
        description="`metadata.userId`: the id of the person running the job; "
        "1..200 characters, without spaces or control characters.",
    )
    created: datetime | None = strawberry.field(
        default=None,
        description="`metadata.created`; now when null. UTC when no offset; sent in UTC with "
        "milliseconds.",
    )
    completed_steps: list[StepInput] | None = strawberry.field(
        default=None, description="`completedSteps`: the steps already done, in order, at most 500."
    )
    current_step: StepInput | None = strawberry.field(
        default=None,
        description="`metadata.currentStep`: the step the person is on; it "
        "follows the completed steps.",
    )


@dataclass(frozen=True, slots=True)
class FlowJobRequest:
    """A checked create: its idempotency key and the body to POST."""

    client_job_id: str
    body: dict[str, Any]


def flow_job_request(data: CreateFlowJobInput, errors: UserErrors) -> FlowJobRequest | None:
    """The create to send, or ``None`` with every problem recorded in ``errors``."""
    client_job_id = str(uuid.uuid4())
    if data.client_job_id is not None:
        client_job_id = errors.uuid_text("clientJobId", data.client_job_id) or ""
    title = errors.text("jobTitle", data.job_title, max_length=MAX_TITLE, required=True)
    own_metadata = _metadata(data, errors)
    steps = [] if data.completed_steps is None else data.completed_steps
    if len(steps) > MAX_STEPS:
        errors.add("completedSteps", Code.TOO_MANY, f"at most {MAX_STEPS} completed steps")
        steps = []
    seen: set[str] = set()
    entries: list[dict[str, Any]] = []
    previous = ""
    for index, step in enumerate(steps):
        entry = _step(step, ("completedSteps", index), index, previous, seen, errors)
        previous = entry["singleStep"]["uniqueStepId"]
        entries.append(entry)
    current = None
    if data.current_step is not None:
        current = _step(data.current_step, ("currentStep",), len(steps), previous, seen, errors)
    status = data.status
    if status is not None:
        status = errors.text("status", status, max_length=MAX_STATUS, required=True)
    meta = {
        "clientJobId": client_job_id,
        "workflowId": errors.identifier("workflowId", data.workflow_id),
        "workflowVersionId": errors.identifier("workflowVersionId", data.workflow_version_id),
        "jobTitle": title,
        "metadata": own_metadata,
        "created": errors.instant("created", data.created or datetime.now(UTC)),
        "updated": None,
        "modified": None,
        "status": status,
        "userId": errors.identifier("userId", data.user_id),
        "currentStep": current,
        "abandonReason": None,
        "username": errors.text("username", data.username, max_length=MAX_SHORT_TEXT),
        "workflowName": errors.text("workflowName", data.workflow_name, max_length=MAX_NAME),
    }
    team = errors.text("team", data.team, max_length=MAX_SHORT_TEXT)
    if errors:
        return None
    body = {
        "metadata": meta,
        "completedSteps": entries if data.completed_steps is not None else None,
        "cancelledSteps": None,
        "team": team,
        "hierarchyStack": None,
        "packetIds": None,
        "jobExclusion": [],
        "excluded": False,
    }
    return FlowJobRequest(client_job_id=client_job_id, body=body)


def _metadata(data: CreateFlowJobInput, errors: UserErrors) -> dict[str, str]:
    """``metadata`` or ``metadataEntries`` as one string map (``{}`` when neither)."""
    if data.metadata is not None and data.metadata_entries is not None:
        errors.add(
            "metadataEntries", Code.CONFLICT, "give `metadata` or `metadataEntries`, not both"
        )
        return {}
    pairs: list[tuple[str, Any, str]] = []
    if data.metadata is not None:
        if not isinstance(data.metadata, dict):
            errors.add("metadata", Code.INVALID_TYPE, "`metadata` must be a JSON object")
            return {}
        pairs = [(k, v, path("metadata", k)) for k, v in data.metadata.items()]
    elif data.metadata_entries is not None:
        seen: set[str] = set()
        for i, item in enumerate(data.metadata_entries):
            if item.key in seen:
                errors.add(
                    path("metadataEntries", i, "key"), Code.DUPLICATE, f"duplicate key {item.key!r}"
                )
            seen.add(item.key)
            pairs.append((item.key, item.value, path("metadataEntries", i)))
    if len(pairs) > MAX_METADATA_ENTRIES:
        errors.add("metadata", Code.TOO_MANY, f"at most {MAX_METADATA_ENTRIES} metadata entries")
        return {}
    result: dict[str, str] = {}
    for key, value, where in pairs:
        if not key.strip() or len(key) > MAX_METADATA_KEY:
            errors.add(
                where,
                Code.INVALID_VALUE,
                f"metadata keys must be 1..{MAX_METADATA_KEY} non-blank characters",
            )
        elif not isinstance(value, str):
            errors.add(where, Code.INVALID_TYPE, "metadata values must be strings")
        elif len(value) > MAX_METADATA_VALUE:
            errors.add(
                where, Code.TOO_LONG, f"metadata values must be at most {MAX_METADATA_VALUE} chars"
            )
        else:
            result[key] = value
    return result


def _step(
    step: StepInput,
    at: tuple[str | int, ...],
    index: int,
    previous: str,
    seen: set[str],
    errors: UserErrors,
) -> dict[str, Any]:
    """One ``{singleStep, reportStep: null}`` entry; problems go to ``errors``."""

    def f(name: str) -> str:
        return path(*at, name)

    unique = step.unique_step_id
    if unique is None:
        unique = str(uuid.uuid4())
    elif errors.identifier(f("uniqueStepId"), unique) is not None and unique in seen:
        errors.add(f("uniqueStepId"), Code.DUPLICATE, f"uniqueStepId {unique!r} is repeated")
    seen.add(unique)
    prev = step.previous_unique_step_id
    if prev is None:
        prev = previous
    elif prev:
        errors.identifier(f("previousUniqueStepId"), prev)
    values = step.values if step.values is not None else []
    if not isinstance(values, list):
        errors.add(f("values"), Code.INVALID_TYPE, "`values` must be a JSON list")
    else:
        errors.json_value(f("values"), values)
    time_events = step.time_events
    if time_events is not None and not (
        isinstance(time_events, dict)
        and all(isinstance(v, int) and not isinstance(v, bool) for v in time_events.values())
    ):
        errors.add(
            f("timeEvents"), Code.INVALID_TYPE, "`timeEvents` must map timestamps to integers"
        )
    elif time_events is not None:
        errors.json_value(f("timeEvents"), time_events)
    if step.coordinates is not None:
        errors.json_value(f("coordinates"), step.coordinates)
    started = errors.instant(f("started"), step.started)
    completed = errors.instant(f("completed"), step.completed)
    if started is not None and completed is not None and completed < started:
        errors.add(f("completed"), Code.INVALID_VALUE, "`completed` is before `started`")
    number = step.step_number
    if number is None:
        number = index + 1
    errors.positive_int(f("stepNumber"), number)
    single = {
        "values": values,
        "valueResourceIds": _strings(step.value_resource_ids, f("valueResourceIds"), errors),
        "uniqueStepId": unique,
        "previousUniqueStepId": prev,
        "userId": errors.identifier(f("userId"), step.user_id),
        "userName": errors.text(f("userName"), step.user_name, max_length=MAX_SHORT_TEXT),
        "deviceId": errors.identifier(f("deviceId"), step.device_id),
        "stepId": errors.identifier(f("stepId"), step.step_id),
        "stepNumber": number,
        "stepTitle": errors.text(f("stepTitle"), step.step_title, max_length=MAX_NAME),
        "stepDescription": errors.text(
            f("stepDescription"), step.step_description, max_length=MAX_TEXT
        ),
        "stepType": errors.text(f("stepType"), step.step_type, max_length=MAX_SHORT_TEXT),
        "connectionType": errors.text(
            f("connectionType"), step.connection_type, max_length=MAX_SHORT_TEXT
        ),
        "started": started,
        "completed": completed,
        "updated": errors.instant(f("updated"), step.updated),
        "cancelled": errors.instant(f("cancelled"), step.cancelled),
        "timeEvents": time_events,
        "note": errors.text(f("note"), step.note, max_length=MAX_TEXT),
        "noteResourceFilenames": None
        if step.note_resource_filenames is None
        else _strings(step.note_resource_filenames, f("noteResourceFilenames"), errors),
        "coordinates": step.coordinates,
        "parentStepId": errors.identifier(f("parentStepId"), step.parent_step_id),
        "parentUniqueStepId": errors.identifier(
            f("parentUniqueStepId"), step.parent_unique_step_id
        ),
        "parentStepTitle": errors.text(
            f("parentStepTitle"), step.parent_step_title, max_length=MAX_NAME
        ),
        "parentStepDescription": errors.text(
            f("parentStepDescription"), step.parent_step_description, max_length=MAX_TEXT
        ),
        "metadata": {
            "tags": errors.text(f("tags"), step.tags or "", max_length=MAX_SHORT_TEXT) or ""
        },
    }
    return {"singleStep": single, "reportStep": None}


def _strings(items: list[str] | None, field: str, errors: UserErrors) -> list[str]:
    if items is None:
        return []
    for i, item in enumerate(items):
        errors.text(path(field, i), item, max_length=MAX_NAME)
    return list(items)
