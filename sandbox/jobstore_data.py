"""Seeded data of the sandbox jobs store (WorkfloPlus-compatible).

:func:`generate_jobs` builds 300 job documents from a seed alone: the same
seed gives the same documents, byte for byte (``random.Random(seed)``, never
the global generator, never the wall clock). The jobs run a dozen workflows,
each a fixed list of steps, and were created between 2025-03-01 and
2026-09-30.

The documents have every key of the upstream's documented job (seeds 000 and
001) and deliberately show the variety a real store holds:

- statuses: mostly ``Completed``, some ``Paused``, ``InProgress`` and
  ``Aborted``, and a few undocumented ones (``Archived``, ``PendingReview``);
- step types ``ConfirmStep``, ``Text``, ``Number``, ``Photo``, ``Signature``,
  ``Checklist``, ``Choice``, with values of the matching kind, plus
  ``reportStep`` entries whose ``singleStep`` is ``null``;
- ``previousUniqueStepId`` chains (``""`` for the first step), steps nested
  under a ``Checklist`` parent (``parentStepId``, ``parentUniqueStepId``,
  ``parentStepTitle``, ``parentStepDescription``);
- timestamps in .NET style with varying precision (``...12.8Z``, ``...14Z``,
  ``...42.266Z``);
- ``currentStep`` for paused and in-progress jobs, ``cancelledSteps`` and
  ``abandonReason`` for aborted ones;
- scheduler-made jobs with ``ScheduledJobId``/``ScheduledTaskId`` in
  ``metadata.metadata``.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

JOB_COUNT = 300
FIRST_CREATED = datetime(2025, 3, 1, tzinfo=UTC)
LAST_CREATED = datetime(2026, 9, 30, 23, 59, 59, tzinfo=UTC)

FINAL_STATUSES = frozenset({"Completed", "Aborted"})
"""Statuses a posted job keeps: an imported, finished job."""

STATUS_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("Completed", 0.70),
    ("Paused", 0.09),
    ("InProgress", 0.08),
    ("Aborted", 0.09),
    ("Archived", 0.025),
    ("PendingReview", 0.015),
)

TEAMS = ("apiteam", "maintenance", "quality", "field-ops", "warehouse", "commissioning")
WORKFLOW_NAMES = (
    "Pump Inspection",
    "Forklift Pre-Use Check",
    "Fire Extinguisher Audit",
    "Substation Walkdown",
    "Boiler Startup",
    "Goods Inward",
    "HVAC Filter Change",
    "Confined Space Entry",
    "Vehicle Handover",
    "Line Clearance",
    "Wind Turbine Service",
    "Calibration Record",
)
ABANDON_REASONS = (
    "Equipment not accessible",
    "Wrong asset selected",
    "Shift ended",
    "Safety concern raised",
    "Duplicate job",
)
NOTES = (
    "Checked with supervisor",
    "Minor corrosion noted",
    "Access via north gate",
    "Replaced seal",
    None,
)


@dataclass(frozen=True, slots=True)
class StepTemplate:
    """One step of a workflow definition."""

    step_id: str
    title: str
    description: str
    step_type: str
    parent: int | None = None
    """Index of the ``Checklist`` step this one is nested under."""
    report: bool = False


@dataclass(frozen=True, slots=True)
class WorkflowTemplate:
    """A workflow definition: its ids, name and steps."""

    workflow_id: str
    version_id: str
    name: str
    steps: tuple[StepTemplate, ...]


@dataclass(frozen=True, slots=True)
class User:
    """A person who runs jobs."""

    user_id: str
    username: str


def dotnet_iso(moment: datetime) -> str:
    """A UTC timestamp as .NET writes it: trailing zeros of the fraction trimmed.

    ``12:48:13.800`` becomes ``12:48:13.8Z``, ``12:48:14.000`` becomes ``12:48:14Z``.
    """
    base = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    millis = moment.microsecond // 1000
    if millis == 0:
        return f"{base}Z"
    return f"{base}.{f'{millis:03d}'.rstrip('0')}Z"


def parse_iso(value: object) -> datetime | None:
    """A timestamp string as an aware datetime; ``None`` when it is not one."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def object_id(rng: random.Random, moment: datetime) -> str:
    """A Mongo-style ObjectId: 4 bytes of creation time, 8 random bytes."""
    return f"{int(moment.timestamp()) & 0xFFFFFFFF:08x}{rng.getrandbits(64):016x}"


def uuid4(rng: random.Random) -> str:
    """A version-4 UUID drawn from ``rng``."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _moment(rng: random.Random, base: datetime, min_s: float, max_s: float) -> datetime:
    """``base`` plus a random delay, rounded to a random precision (s, 0.1 s or ms)."""
    moment = base + timedelta(seconds=rng.uniform(min_s, max_s))
    precision = rng.choice(("ms", "ms", "ms", "tenth", "second"))
    micro = moment.microsecond
    if precision == "second":
        micro = 0
    elif precision == "tenth":
        micro = micro // 100_000 * 100_000
    else:
        micro = micro // 1000 * 1000
    return moment.replace(microsecond=micro)


_STEP_KINDS: tuple[tuple[str, str, str], ...] = (
    ("Text", "Describe the condition", "Free text observation"),
    ("Number", "Record the reading", "Value in the unit shown on the gauge"),
    ("Photo", "Take a photo", "Photograph the asset tag and the work area"),
    ("Choice", "Select the outcome", "Pass, fail or not applicable"),
    ("Text", "Asset serial number", "As printed on the nameplate"),
    ("Number", "Enter the temperature", "Degrees Celsius"),
)


def _workflows(rng: random.Random) -> list[WorkflowTemplate]:
    workflows = []
    for name in WORKFLOW_NAMES:
        steps: list[StepTemplate] = [
            StepTemplate(uuid4(rng), "Instruction", f"Read the {name} procedure", "ConfirmStep")
        ]
        for _ in range(rng.randint(2, 4)):
            kind, title, description = rng.choice(_STEP_KINDS)
            steps.append(StepTemplate(uuid4(rng), title, description, kind))
        if rng.random() < 0.7:
            parent = len(steps)
            steps.append(StepTemplate(uuid4(rng), "Safety checks", "Tick every item", "Checklist"))
            for title in rng.sample(
                ["Isolate power", "Wear gloves", "Barrier in place", "Permit signed"], 2
            ):
                steps.append(StepTemplate(uuid4(rng), title, "", "ConfirmStep", parent=parent))
        steps.append(StepTemplate(uuid4(rng), "Sign off", "Sign to confirm", "Signature"))
        if rng.random() < 0.5:
            steps.append(StepTemplate(uuid4(rng), "Report", "Job report", "Report", report=True))
        workflows.append(WorkflowTemplate(uuid4(rng), uuid4(rng), name, tuple(steps)))
    return workflows


def _users(rng: random.Random) -> list[User]:
    names = ("alex", "sam", "jo", "priya", "marek", "lena", "tomas", "aisha", "chen", "api.user1")
    moment = datetime(2020, 1, 1, tzinfo=UTC)
    return [User(object_id(rng, moment), f"{name}@example.com") for name in names]


def _values(rng: random.Random, step_type: str) -> tuple[list[str], list[str]]:
    """``values`` and ``valueResourceIds`` of a completed step."""
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    if step_type == "Text":
        return [rng.choice(["OK", "Seal leaking", "SN-48213", "No defects found"])], []
    if step_type == "Number":
        return [f"{rng.uniform(0, 120):.1f}"], []
    if step_type == "Photo":
        count = rng.randint(1, 2)
        files = [f"IMG_{rng.randint(1000, 9999)}.jpg" for _ in range(count)]
        return files, [object_id(rng, moment) for _ in range(count)]
    if step_type == "Signature":
        return ["signature.png"], [object_id(rng, moment)]
    if step_type == "Checklist":
        return rng.sample(["Gloves", "Goggles", "Helmet", "Boots"], rng.randint(1, 3)), []
    if step_type == "Choice":
        return [rng.choice(["Pass", "Pass", "Fail", "N/A"])], []
    return [], []


def _single_step(
    rng: random.Random,
    template: StepTemplate,
    number: int,
    unique_id: str,
    previous: str,
    parent: tuple[StepTemplate, str] | None,
    user: User,
    started: datetime,
    finished: datetime | None,
    cancelled: datetime | None,
) -> dict[str, Any]:
    values, resources = _values(rng, template.step_type) if finished else ([], [])
    last = finished or cancelled or started
    time_events: dict[str, int] | None = None
    if rng.random() < 0.4:
        time_events = {dotnet_iso(last): rng.choice((0, 0, 1, 2))}
    note = rng.choice(NOTES) if finished and rng.random() < 0.2 else None
    return {
        "values": values,
        "valueResourceIds": resources,
        "uniqueStepId": unique_id,
        "previousUniqueStepId": previous,
        "userId": user.user_id,
        "userName": user.username,
        "deviceId": rng.choice((None, None, f"device-{rng.randint(100, 999)}")),
        "stepId": template.step_id,
        "stepNumber": number,
        "stepTitle": template.title,
        "stepDescription": template.description,
        "stepType": template.step_type,
        "connectionType": rng.choice((None, None, "Wifi", "Cellular")),
        "started": dotnet_iso(started),
        "completed": dotnet_iso(finished) if finished else None,
        "updated": dotnet_iso(last),
        "cancelled": dotnet_iso(cancelled) if cancelled else None,
        "timeEvents": time_events,
        "note": note,
        "noteResourceFilenames": [f"note_{rng.randint(10, 99)}.jpg"] if note else None,
        "coordinates": (
            {
                "latitude": round(rng.uniform(50.0, 56.0), 6),
                "longitude": round(rng.uniform(-4.0, 1.0), 6),
            }
            if rng.random() < 0.15
            else None
        ),
        "parentStepId": parent[0].step_id if parent else None,
        "parentUniqueStepId": parent[1] if parent else None,
        "parentStepTitle": parent[0].title if parent else None,
        "parentStepDescription": parent[0].description if parent else None,
        "metadata": {"tags": rng.choice(("", "", "", "safety", "safety,inspection"))},
    }


def _report_step(rng: random.Random, template: StepTemplate, at: datetime) -> dict[str, Any]:
    return {
        "singleStep": None,
        "reportStep": {
            "reportId": uuid4(rng),
            "stepId": template.step_id,
            "reportTitle": template.description,
            "format": "pdf",
            "resourceId": object_id(rng, at),
            "generated": dotnet_iso(at),
        },
    }


def _job(
    rng: random.Random,
    number: int,
    created: datetime,
    workflow: WorkflowTemplate,
    users: list[User],
) -> dict[str, Any]:
    status = rng.choices(
        [name for name, _ in STATUS_WEIGHTS], [weight for _, weight in STATUS_WEIGHTS]
    )[0]
    user = rng.choice(users)
    steps = workflow.steps
    # How many steps were finished: all of them unless the job stopped part-way.
    done = len(steps)
    if status in ("Paused", "InProgress", "Aborted"):
        done = rng.randint(0, len(steps) - 1)
        while done < len(steps) and steps[done].report:  # never stop on a report
            done -= 1

    completed: list[dict[str, Any]] = []
    cancelled: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    unique_ids: dict[int, str] = {}
    previous = ""
    clock = _moment(rng, created, 0.02, 0.6)
    for index, template in enumerate(steps):
        if template.report:
            if index < done:
                clock = _moment(rng, clock, 0.5, 5)
                completed.append(_report_step(rng, template, clock))
            continue
        unique = uuid4(rng)
        unique_ids[index] = unique
        parent = None
        if template.parent is not None:
            parent = (steps[template.parent], unique_ids[template.parent])
        started = clock
        if index < done:
            clock = _moment(rng, started, 1, 240)
            entry = _single_step(
                rng, template, index + 1, unique, previous, parent, user, started, clock, None
            )
            completed.append({"singleStep": entry, "reportStep": None})
        elif index == done and status in ("Paused", "InProgress"):
            clock = _moment(rng, started, 1, 60)
            entry = _single_step(
                rng, template, index + 1, unique, previous, parent, user, started, None, None
            )
            entry["updated"] = dotnet_iso(clock)
            current = {"singleStep": entry, "reportStep": None}
        elif index >= done and status == "Aborted":
            if index == done:
                clock = _moment(rng, started, 1, 120)
            entry = _single_step(
                rng, template, index + 1, unique, previous, parent, user, started, None, clock
            )
            cancelled.append({"singleStep": entry, "reportStep": None})
        else:
            break
        previous = unique

    updated = clock
    modified = (updated + timedelta(microseconds=500_000)).replace(microsecond=0)
    scheduled = rng.random() < 0.15
    if scheduled:
        extra = {"ScheduledJobId": object_id(rng, created), "ScheduledTaskId": uuid4(rng)}
    elif rng.random() < 0.3:
        extra = {"Site": rng.choice(("North", "South", "Depot 4")), "Key1": "V1"}
    else:
        extra = {}
    excluded = rng.random() < 0.03
    return {
        "jobId": object_id(rng, created),
        "metadata": {
            "clientJobId": uuid4(rng),
            "workflowId": workflow.workflow_id,
            "workflowVersionId": workflow.version_id,
            "jobTitle": f"{workflow.name} Job {number}",
            "metadata": extra,
            "created": dotnet_iso(created),
            "updated": dotnet_iso(updated),
            "modified": dotnet_iso(modified),
            "status": status,
            "userId": user.user_id,
            "currentStep": current,
            "abandonReason": rng.choice(ABANDON_REASONS) if status == "Aborted" else None,
            "username": user.username,
            "workflowName": workflow.name,
        },
        "completedSteps": completed or None,
        "cancelledSteps": cancelled or None,
        "team": rng.choice(TEAMS),
        "hierarchyStack": (
            [rng.choice(("Site A", "Site B")), rng.choice(("Plant 1", "Plant 2"))]
            if rng.random() < 0.2
            else None
        ),
        "packetIds": [object_id(rng, created)] if rng.random() < 0.1 else None,
        "jobExclusion": (
            [{"reason": "Test job", "excludedBy": user.user_id, "excluded": dotnet_iso(modified)}]
            if excluded
            else []
        ),
        "excluded": excluded,
    }


def generate_jobs(seed: int, count: int = JOB_COUNT) -> list[dict[str, Any]]:
    """``count`` job documents, a pure function of ``seed``."""
    rng = random.Random(seed)
    workflows = _workflows(rng)
    users = _users(rng)
    span = (LAST_CREATED - FIRST_CREATED).total_seconds()
    jobs = []
    for number in range(1, count + 1):
        created = FIRST_CREATED + timedelta(seconds=rng.uniform(0, span))
        created = created.replace(microsecond=created.microsecond // 1000 * 1000)
        jobs.append(_job(rng, number, created, rng.choice(workflows), users))
    return jobs
