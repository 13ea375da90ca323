"""Upstream documents for :mod:`bench.big_answer`, built in memory from a seed.

Shaped like the sandbox's (every documented key, .NET-style timestamps,
``reportStep`` entries, a ``currentStep`` on unfinished jobs) but kept here so
the bench depends on nothing but the gateway itself.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

Doc = dict[str, Any]

START = datetime(2026, 1, 1, tzinfo=UTC)
STEP_TYPES = ("ConfirmStep", "Text", "Number", "Photo", "Signature", "Checklist", "Choice")


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _hex(rng: random.Random, length: int = 24) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(length))


def _step(rng: random.Random, number: int, previous: str, at: datetime, done: bool) -> Doc:
    unique = _hex(rng, 32)
    body = {
        "values": [str(rng.randint(1, 100))],
        "valueResourceIds": [],
        "uniqueStepId": unique,
        "previousUniqueStepId": previous,
        "userId": _hex(rng),
        "userName": "marek@example.com",
        "deviceId": f"device-{rng.randint(1, 400)}",
        "stepId": _hex(rng, 32),
        "stepNumber": number,
        "stepTitle": f"Step {number}",
        "stepDescription": "Value in the unit shown on the gauge",
        "stepType": rng.choice(STEP_TYPES),
        "connectionType": "Wifi",
        "started": _iso(at),
        "completed": _iso(at + timedelta(seconds=40)) if done else None,
        "updated": _iso(at + timedelta(seconds=41)),
        "cancelled": None,
        "timeEvents": {_iso(at): 0},
        "note": "Checked with supervisor" if number % 3 == 0 else None,
        "noteResourceFilenames": [f"note_{number}.jpg"] if number % 4 == 0 else None,
        "coordinates": None,
        "parentStepId": None,
        "parentUniqueStepId": None,
        "parentStepTitle": None,
        "parentStepDescription": None,
        "metadata": {"tags": ""},
    }
    if number % 5 == 0:
        return {"singleStep": None, "reportStep": body}
    return {"singleStep": body, "reportStep": None}


def flow_jobs(count: int, steps: int, seed: int = 0) -> list[Doc]:
    """``count`` jobs-store jobs of ``steps`` steps each (the last one current when unfinished)."""
    rng = random.Random(seed)
    jobs: list[Doc] = []
    for index in range(count):
        created = START + timedelta(minutes=17 * index)
        finished = index % 4 != 0
        previous = ""
        entries: list[Doc] = []
        for number in range(1, steps + 1):
            at = created + timedelta(minutes=number)
            entry = _step(rng, number, previous, at, finished or number < steps)
            previous = (entry["singleStep"] or entry["reportStep"])["uniqueStepId"]
            entries.append(entry)
        current = None if finished else entries.pop()
        jobs.append(
            {
                "jobId": _hex(rng),
                "metadata": {
                    "clientJobId": f"client-{index}",
                    "workflowId": _hex(rng, 32),
                    "workflowVersionId": _hex(rng, 32),
                    "jobTitle": f"Pump Inspection Job {index}",
                    "metadata": {"Site": "South", "ScheduledJobId": f"sched-{index}"},
                    "created": _iso(created),
                    "updated": _iso(created + timedelta(minutes=steps + 1)),
                    "modified": _iso(created + timedelta(minutes=steps + 1)),
                    "status": "Completed" if finished else "Paused",
                    "userId": _hex(rng),
                    "currentStep": current,
                    "abandonReason": None,
                    "username": "marek@example.com",
                    "workflowName": "Pump Inspection",
                },
                "completedSteps": entries,
                "cancelledSteps": None,
                "team": "maintenance",
                "hierarchyStack": None,
                "packetIds": None,
                "jobExclusion": [],
                "excluded": False,
            }
        )
    return jobs


def workflow_jobs(count: int, seed: int = 0) -> list[Doc]:
    """``count`` AWX workflow jobs, newest first."""
    rng = random.Random(seed)
    jobs: list[Doc] = []
    for index in range(count, 0, -1):
        created = START + timedelta(minutes=11 * index)
        jobs.append(
            {
                "id": index,
                "type": "workflow_job",
                "url": f"/api/v2/workflow_jobs/{index}/",
                "related": {"workflow_nodes": f"/api/v2/workflow_jobs/{index}/workflow_nodes/"},
                "summary_fields": {
                    "created_by": {"id": 1, "username": "admin"},
                    "user_capabilities": {"delete": True, "start": True},
                },
                "created": _iso(created),
                "modified": _iso(created + timedelta(seconds=90)),
                "name": f"Nightly deploy {index}",
                "description": "",
                "launch_type": "manual",
                "status": rng.choice(("successful", "failed", "running")),
                "failed": False,
                "started": _iso(created + timedelta(seconds=1)),
                "finished": _iso(created + timedelta(seconds=89)),
                "canceled_on": None,
                "elapsed": 88.123,
                "job_explanation": "",
                "launched_by": {"id": 1, "name": "admin", "type": "user"},
                "work_unit_id": None,
                "workflow_job_template": 7,
                "extra_vars": '{"target": "blue"}',
                "allow_simultaneous": False,
                "job_template": None,
                "is_sliced_job": False,
                "inventory": None,
                "limit": None,
                "scm_branch": None,
                "webhook_service": "",
                "webhook_credential": None,
                "webhook_guid": "",
                "skip_tags": None,
                "job_tags": None,
            }
        )
    return jobs
