"""Seeded data of the sandbox operations manager (Itential-compatible).

:func:`generate_jobs` builds 250 job documents from a seed alone
(``random.Random(seed)``; no global generator, no wall clock). Jobs were
created between 2025-03-01 and 2026-09-30 from a catalogue of 15 workflows
(:data:`WORKFLOWS`), each a path of tasks from ``workflow_start`` to
``workflow_end``.

Statuses are mostly ``complete``, with ``running``, ``canceled``, ``error``,
``paused``, ``incomplete`` and two undocumented ones (``archived``,
``blocked``). Task statuses follow the job's: tasks before the stopping point
are ``complete``, the stopping task is ``running``/``paused``/``error``/...,
the rest ``incomplete``.

About a third of the jobs are children: ``parent = {job, task, iteration: 0,
element: 0}`` and ``ancestors`` the chain of ids from the root to the direct
parent. Chains are 1 to 3 deep, every chain starts in a pool of
:data:`ROOT_POOL` root jobs, and a child is always created after its parent.
The parent's task named in ``parent.task`` is turned into a ``childJob`` task.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

JOB_COUNT = 250
ROOT_POOL = 40
CHILD_SHARE = 1 / 3
FIRST_CREATED = datetime(2025, 3, 1, tzinfo=UTC)
LAST_CREATED = datetime(2026, 9, 30, 23, 59, 59, tzinfo=UTC)

STATUS_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("complete", 0.62),
    ("running", 0.07),
    ("canceled", 0.07),
    ("error", 0.10),
    ("paused", 0.05),
    ("incomplete", 0.05),
    ("archived", 0.025),
    ("blocked", 0.015),
)

WORKFLOWS: tuple[str, ...] = (
    "Router Software Upgrade",
    "Provision VLAN",
    "Firewall Rule Change",
    "Decommission Device",
    "Backup Device Config",
    "BGP Peer Turn-Up",
    "Port Shutdown",
    "Onboard Branch Site",
    "Certificate Renewal",
    "DNS Record Update",
    "Load Balancer Pool Change",
    "Compliance Audit",
    "Rollback Config",
    "Create ServiceNow Change",
    "Interface Description Sync",
)
"""The workflow catalogue: seeded jobs use these names; starting any other
non-empty name also works (see :mod:`sandbox.opsmanager`)."""

USERS: tuple[tuple[str, str], ...] = (
    ("5f1a3c9e2b7d4e0012ab3401", "admin@pronghorn"),
    ("5f1a3c9e2b7d4e0012ab3402", "netops.alice"),
    ("5f1a3c9e2b7d4e0012ab3403", "netops.bob"),
    ("5f1a3c9e2b7d4e0012ab3404", "svc.automation"),
    ("5f1a3c9e2b7d4e0012ab3405", "carol.engineer"),
)
SANDBOX_USER = USERS[0][0]
"""Who starts jobs through the API."""

GROUPS: tuple[str, ...] = (
    "62d5a1f0c3b24e0011aa0001",
    "62d5a1f0c3b24e0011aa0002",
    "62d5a1f0c3b24e0011aa0003",
    "62d5a1f0c3b24e0011aa0004",
)

_TASK_KINDS: tuple[tuple[str, str, str, str], ...] = (
    # name, app, type, location
    ("query", "WorkFlowEngine", "operation", "Application"),
    ("makeData", "WorkFlowEngine", "operation", "Application"),
    ("runCommand", "AutomationGateway", "automatic", "Adapter"),
    ("renderJinjaTemplate", "TemplateBuilder", "automatic", "Application"),
    ("ViewData", "WorkFlowEngine", "manual", "Application"),
    ("createChangeRequest", "ServiceNow", "automatic", "Adapter"),
    ("evaluation", "WorkFlowEngine", "operation", "Application"),
    ("runPlaybook", "Ansible", "automatic", "Adapter"),
    ("stub", "WorkFlowEngine", "manual", "Application"),
)


@dataclass(frozen=True, slots=True)
class TaskTemplate:
    """One task of a workflow: its id and what it runs."""

    task_id: str
    name: str
    app: str
    task_type: str
    location: str
    summary: str


@dataclass(frozen=True, slots=True)
class WorkflowTemplate:
    """A workflow: its name, description and the path of tasks between start and end."""

    name: str
    description: str
    tasks: tuple[TaskTemplate, ...]


def iso_millis(moment: datetime) -> str:
    """``2021-10-01T12:48:12.215Z``."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def epoch_ms(moment: datetime) -> int:
    """Milliseconds since the epoch."""
    return int(moment.timestamp() * 1000)


def object_id(rng: random.Random, moment: datetime) -> str:
    """A Mongo-style ObjectId: 4 bytes of time, 8 random bytes."""
    return f"{int(moment.timestamp()) & 0xFFFFFFFF:08x}{rng.getrandbits(64):016x}"


def workflow_catalogue(seed: int) -> dict[str, WorkflowTemplate]:
    """The 15 workflows, by name, drawn from ``seed``."""
    rng = random.Random(f"workflows-{seed}")
    catalogue = {}
    for name in WORKFLOWS:
        used: set[str] = set()
        tasks = []
        for _ in range(rng.randint(2, 5)):
            task_id = f"{rng.getrandbits(16):04x}"
            while task_id in used:
                task_id = f"{rng.getrandbits(16):04x}"
            used.add(task_id)
            kind, app, task_type, location = rng.choice(_TASK_KINDS)
            tasks.append(
                TaskTemplate(task_id, kind, app, task_type, location, f"{kind} for {name}")
            )
        catalogue[name] = WorkflowTemplate(name, f"{name} workflow", tuple(tasks))
    return catalogue


def generic_workflow(name: str) -> WorkflowTemplate:
    """The tasks of a workflow outside the catalogue: the same two for every name."""
    return WorkflowTemplate(
        name,
        "",
        (
            TaskTemplate("a1b2", "makeData", "WorkFlowEngine", "operation", "Application", name),
            TaskTemplate("c3d4", "query", "WorkFlowEngine", "operation", "Application", name),
        ),
    )


def _task_doc(
    template: TaskTemplate | None,
    task_id: str,
    position: int,
    status: str,
    finish_state: str | None,
    start: datetime | None,
    end: datetime | None,
    nexts: list[str],
    failure_to: str | None,
) -> dict[str, Any]:
    """One task document. ``template`` is ``None`` for workflow_start/workflow_end."""
    transitions: dict[str, list[dict[str, str]]] = {}
    if nexts:
        transitions["success"] = [{"task": t, "type": "standard"} for t in nexts]
    if failure_to is not None:
        transitions["failure"] = [{"task": failure_to, "type": "standard"}]
        transitions["error"] = [{"task": failure_to, "type": "revert"}]
    metrics: dict[str, Any] = {
        "start_time": epoch_ms(start) if start else None,
        "end_time": epoch_ms(end) if end else None,
        "run_time": epoch_ms(end) - epoch_ms(start) if start and end else None,
        "finish_state": finish_state,
    }
    doc: dict[str, Any] = {
        "name": template.name if template else task_id,
        "summary": template.summary if template else task_id,
        "description": template.summary if template else task_id,
        "location": template.location if template else "Application",
        "app": template.app if template else "WorkFlowEngine",
        "type": template.task_type if template else "automatic",
        "actor": "job" if template and template.task_type == "manual" else "Pronghorn",
        "status": status,
        "transitions": transitions,
        "metrics": metrics,
        "finish_state": finish_state,
        "variables": {"incoming": {}, "outgoing": {}, "error": ""},
        "iterations": [],
        "groups": [],
        "retrySettings": None,
        "x": 0.1 + 0.15 * position,
        "y": 0.5,
    }
    return doc


def build_tasks(
    workflow: WorkflowTemplate,
    status: str,
    start: datetime,
    stop_at: int,
    step_seconds: list[float],
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]], datetime]:
    """Tasks and the job-level transitions for a job in ``status``.

    ``stop_at`` is the index (in the middle tasks) where an unfinished job
    stopped; ``step_seconds`` the duration of each middle task. Returns the
    tasks, the transitions (``{from: {to: {type, state}}}``) and the instant
    the last finished task ended.
    """
    middle = workflow.tasks
    ids = ["workflow_start", *(t.task_id for t in middle), "workflow_end"]
    finished = status in ("complete", "archived", "blocked")
    stop_status = {
        "running": "running",
        "paused": "paused",
        "error": "error",
        "canceled": "incomplete",
        "incomplete": "complete",
    }.get(status, "complete")
    tasks: dict[str, dict[str, Any]] = {}
    transitions: dict[str, dict[str, Any]] = {}
    clock = start
    tasks["workflow_start"] = _task_doc(
        None, "workflow_start", 0, "complete", "success", clock, clock, [ids[1]], None
    )
    for index, template in enumerate(middle):
        nexts = [ids[index + 2]]
        failure_to = "workflow_end" if template.task_type != "manual" else None
        if finished or index < stop_at:
            begin, clock = clock, clock + timedelta(seconds=step_seconds[index])
            doc = _task_doc(
                template,
                template.task_id,
                index + 1,
                "complete",
                "success",
                begin,
                clock,
                nexts,
                failure_to,
            )
        elif index == stop_at:
            state = {"error": "error", "incomplete": "failure"}.get(status)
            end = None
            if state is not None:
                end = clock + timedelta(seconds=step_seconds[index])
            doc = _task_doc(
                template,
                template.task_id,
                index + 1,
                stop_status,
                state,
                clock,
                end,
                nexts,
                failure_to,
            )
            if end is not None:
                clock = end
        else:
            doc = _task_doc(
                template,
                template.task_id,
                index + 1,
                "incomplete",
                None,
                None,
                None,
                nexts,
                failure_to,
            )
        tasks[template.task_id] = doc
    tasks["workflow_end"] = _task_doc(
        None,
        "workflow_end",
        len(middle) + 1,
        "complete" if finished else "incomplete",
        "success" if finished else None,
        clock if finished else None,
        clock if finished else None,
        [],
        None,
    )
    for source, doc in tasks.items():
        links: dict[str, Any] = {}
        for state, targets in doc["transitions"].items():
            for target in targets:
                links.setdefault(target["task"], {"type": target["type"], "state": state})
        transitions[source] = links
    return tasks, transitions, clock


def _errors(
    rng: random.Random, status: str, tasks: dict[str, dict[str, Any]], at: datetime
) -> list[dict[str, Any]]:
    if status == "incomplete":
        stopped = next((k for k, t in tasks.items() if t["finish_state"] == "failure"), "job")
        return [
            {
                "task": "job",
                "message": (
                    f"Job has no available transitions. {stopped} could have led to the "
                    "workflow end task, but did not. These tasks performed in a way that the "
                    "end of the workflow could not be reached."
                ),
                "timestamp": epoch_ms(at),
            }
        ]
    if status != "error":
        return []
    failed = next((k for k, t in tasks.items() if t["status"] == "error"), "job")
    if rng.random() < 0.5:
        message: Any = rng.choice(
            (
                "Connection refused by device",
                "Timeout waiting for adapter response",
                "Template variable 'hostname' is undefined",
            )
        )
    else:
        message = {
            "code": 500,
            "message": {
                "apiVersion": "1",
                "method": "transformations.run",
                "error": {
                    "code": 500,
                    "message": "Missing one of the following required instances: arg2, arg1",
                    "errors": [],
                },
            },
        }
    return [{"task": failed, "message": message, "timestamp": epoch_ms(at)}]


def _job(
    rng: random.Random,
    created: datetime,
    workflow: WorkflowTemplate,
) -> dict[str, Any]:
    status = rng.choices([s for s, _ in STATUS_WEIGHTS], [w for _, w in STATUS_WEIGHTS])[0]
    user_id, username = rng.choice(USERS)
    middle = len(workflow.tasks)
    stop_at = rng.randrange(middle) if status not in ("complete", "archived", "blocked") else middle
    durations = [round(rng.uniform(0.2, 90), 3) for _ in range(middle)]
    start = created + timedelta(milliseconds=rng.randint(5, 400))
    tasks, transitions, last = build_tasks(workflow, status, start, stop_at, durations)
    ended = status not in ("running", "paused")
    done = sum(1 for t in tasks.values() if t["status"] == "complete")
    progress = 1.0 if status == "complete" else round(done / len(tasks), 3)
    last_updated = last + timedelta(milliseconds=rng.randint(1, 900))
    warnings: list[dict[str, Any]] = []
    if rng.random() < 0.08:
        warnings.append(
            {"task": workflow.tasks[0].task_id, "name": workflow.name, "message": "deprecated task"}
        )
    variables: dict[str, Any] = {
        "device": f"rtr-{rng.choice(('nyc', 'lon', 'fra', 'sin'))}-{rng.randint(1, 40):02d}",
        "ticket": f"CHG{rng.randint(1_000_000, 9_999_999)}",
        "_id": "",
        "initiator": username,
    }
    return {
        "_id": object_id(rng, created),
        "name": workflow.name,
        "description": workflow.description,
        "type": "resource:action" if rng.random() < 0.05 else "automation",
        "status": status,
        "tasks": tasks,
        "transitions": transitions,
        "variables": variables,
        "created": iso_millis(created),
        "created_by": user_id,
        "last_updated": iso_millis(last_updated),
        "last_updated_by": user_id,
        "error": _errors(rng, status, tasks, last),
        "warnings": warnings,
        "ancestors": [],
        "parent": None,
        "errorHandler": None,
        "groups": rng.sample(GROUPS, rng.randint(0, 2)),
        "watchers": [user_id],
        "metrics": {
            "start_time": epoch_ms(start),
            "end_time": epoch_ms(last_updated) if ended else None,
            "progress": progress,
            "user": user_id,
            "owner": user_id,
        },
        "tags": rng.sample(["network", "change", "nightly", "audit"], rng.randint(0, 2)),
        "decorators": [],
        "validationErrors": [],
    }


def _link_children(rng: random.Random, jobs: list[dict[str, Any]]) -> None:
    """Make about a third of the jobs children of earlier jobs (``jobs`` oldest first)."""
    count = len(jobs)
    roots = sorted(rng.sample(range(count * 3 // 4), min(ROOT_POOL, count)))
    pool = set(roots)
    depth: dict[int, int] = dict.fromkeys(roots, 0)
    candidates = [i for i in range(roots[0] + 1, count) if i not in pool] if roots else []
    children = sorted(rng.sample(candidates, min(len(candidates), round(count * CHILD_SHARE))))
    for index in children:
        earlier_roots = [r for r in roots if r < index]
        earlier_children = [c for c, d in depth.items() if 0 < d < 3 and c < index]
        if earlier_children and rng.random() < 0.35:
            parent_index = rng.choice(earlier_children)
        else:
            parent_index = rng.choice(earlier_roots)
        parent = jobs[parent_index]
        child = jobs[index]
        depth[index] = depth[parent_index] + 1
        middle = [k for k in parent["tasks"] if k not in ("workflow_start", "workflow_end")]
        task_id = rng.choice(middle)
        task = parent["tasks"][task_id]
        task.update(
            name="childJob",
            app="WorkFlowEngine",
            type="operation",
            location="Application",
            summary=f"Run {child['name']}",
        )
        task["variables"]["incoming"] = {"workflow": child["name"], "data_array": []}
        child["parent"] = {"job": parent["_id"], "task": task_id, "iteration": 0, "element": 0}
        child["ancestors"] = [*parent["ancestors"], parent["_id"]]
        child["type"] = "automation"


def generate_jobs(seed: int, count: int = JOB_COUNT) -> list[dict[str, Any]]:
    """``count`` job documents, oldest first, a pure function of ``seed``."""
    rng = random.Random(seed)
    catalogue = list(workflow_catalogue(seed).values())
    span = (LAST_CREATED - FIRST_CREATED).total_seconds()
    moments = sorted(
        {
            (FIRST_CREATED + timedelta(seconds=rng.uniform(0, span))).replace(microsecond=0)
            + timedelta(milliseconds=rng.randint(0, 999))
            for _ in range(count)
        }
    )
    while len(moments) < count:  # equal draws are (very) rare; keep the count exact
        moments.append(moments[-1] + timedelta(milliseconds=1))
    jobs = [_job(rng, moment, rng.choice(catalogue)) for moment in moments]
    _link_children(rng, jobs)
    for job in jobs:
        fill_task_variables(job)
    return jobs


def fill_task_variables(job: dict[str, Any]) -> None:
    """Give the job's tasks the variables Itential keeps: ``incoming``, ``outgoing``, ``error``.

    A task that ran got the job's device and ticket; one that completed wrote
    a result; the one the job's ``error`` names holds that error. Computed
    from the job alone (no random draws), after everything else is seeded.
    """
    errors = {e["task"]: e["message"] for e in job.get("error") or [] if isinstance(e, dict)}
    variables = job.get("variables") or {}
    for task_id, task in job["tasks"].items():
        if task_id in ("workflow_start", "workflow_end") or task["status"] == "incomplete":
            continue
        own = task["variables"]
        own["incoming"] = {
            **own["incoming"],
            "device": variables.get("device"),
            "ticket": variables.get("ticket"),
        }
        if task["status"] == "complete":
            own["outgoing"] = {"result": f"{task['summary']}: done on {variables.get('device')}"}
        if task_id in errors:
            own["error"] = errors[task_id]
