"""What the AWX sandbox's workflow nodes spawn: jobs of several types, with output.

Seeded nodes that ran point at real unified jobs (``GET /api/v2/unified_jobs/``):

- a slice of a sliced run is always a playbook job (``type: "job"``);
- in a workflow job template's run, the first node spawns a project update
  when the node's id is a multiple of 3, an inventory update when it is 1
  more, else a playbook job; the second node a nested workflow job when its
  id is even, else a playbook job.

Everything here is computed from ids and the workflow job's own document (no
random draws), so adding it changed none of the seeded data around it.

Output (``stdout``) is generated from the job's id and status, the same every
time: Ansible-style play recaps with ANSI colours. A playbook job whose id is
a multiple of 5 writes a few thousand lines; one whose id is 7 more than a
multiple of 50 writes over :data:`STDOUT_MAX_BYTES_DISPLAY` (AWX then refuses
to display it and offers only a download). Playbook jobs' detail carries
``host_status_counts`` and ``playbook_counts`` matching their recap.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sandbox.awx_records import ACTIVE_STATUSES, API, FAILED_STATUSES, awx_time

STDOUT_MAX_BYTES_DISPLAY = 1_048_576
"""AWX's default: output over this many bytes is not displayed, only downloaded."""
OUTPUT_SEGMENTS = {
    "job": "jobs",
    "project_update": "project_updates",
    "inventory_update": "inventory_updates",
}
"""The API list of each spawned type that has a ``stdout/`` route."""
PROJECTS = {
    37: "infra-playbooks",
    38: "network-automation",
    39: "platform-ops",
    40: "security-baseline",
}

_GREEN, _YELLOW, _RED, _RESET = "\x1b[0;32m", "\x1b[0;33m", "\x1b[0;31m", "\x1b[0m"


def spawned_type(node_id: int, position: int, *, sliced: bool) -> str:
    """The ``type`` of the job a seeded node spawned (see the module's rules)."""
    if sliced:
        return "job"
    if position == 0:
        return ("project_update", "inventory_update", "job")[node_id % 3]
    return "workflow_job" if node_id % 2 == 0 else "job"


def render_spawned_job(
    summary: dict[str, Any],
    *,
    workflow_job: dict[str, Any],
    template: dict[str, Any],
    node_id: int,
    position: int,
) -> dict[str, Any]:
    """The unified job document of a spawned job, from the node's ``summary_fields.job``.

    Its timings sit inside the workflow job's: it starts a little after it, one
    second per earlier node, and ran ``summary["elapsed"]`` seconds.
    """
    kind = str(summary["type"])
    job_id = int(summary["id"])
    status = str(summary["status"])
    wj_started = datetime.fromisoformat(str(workflow_job["started"]))
    started = wj_started + timedelta(seconds=0.5 + position)
    elapsed = float(summary["elapsed"])
    finished: datetime | None = None
    if status not in ACTIVE_STATUSES:
        finished = started + timedelta(seconds=elapsed)
    segment = OUTPUT_SEGMENTS.get(kind, "workflow_jobs")
    url = f"{API}/{segment}/{job_id}/"
    explanation = ""
    if status in FAILED_STATUSES:
        explanation = "Previous Task Failed: a host was unreachable" if status == "error" else ""
    launched_by = {
        "id": workflow_job["id"],
        "name": workflow_job["name"],
        "type": "workflow_job",
        "url": workflow_job["url"],
    }
    doc: dict[str, Any] = {
        "id": job_id,
        "type": kind,
        "url": url,
        "related": {"stdout": f"{url}stdout/"} if kind in OUTPUT_SEGMENTS else {},
        "summary_fields": {
            "source_workflow_job": {
                "id": workflow_job["id"],
                "name": workflow_job["name"],
                "status": workflow_job["status"],
                "failed": workflow_job["failed"],
                "elapsed": workflow_job["elapsed"],
            },
            "user_capabilities": {"delete": status not in ACTIVE_STATUSES, "start": True},
        },
        "created": awx_time(started - timedelta(seconds=0.2)),
        "modified": awx_time(finished or started),
        "name": str(summary["name"]),
        "description": str(summary.get("description", "")),
        "unified_job_template": template["id"],
        "launch_type": "workflow",
        "status": status,
        "failed": status in FAILED_STATUSES,
        "started": awx_time(started),
        "finished": awx_time(finished) if finished else None,
        "canceled_on": awx_time(finished) if finished and status == "canceled" else None,
        "elapsed": elapsed,
        "job_explanation": explanation,
        "execution_node": f"awx-exec-{job_id % 3 + 1}",
        "launched_by": launched_by,
        "work_unit_id": f"unit{job_id:08d}",
    }
    if kind == "job":
        doc.update(
            {
                "job_type": template["job_type"],
                "inventory": template["inventory"],
                "project": template["project"],
                "playbook": template["playbook"],
                "scm_branch": template["scm_branch"],
                "forks": template["forks"],
                "limit": template["limit"],
                "verbosity": template["verbosity"],
                "extra_vars": "{}",
                "job_tags": template["job_tags"],
                "skip_tags": template["skip_tags"],
                "job_template": template["id"],
                "scm_revision": f"{job_id * 2654435761 % 2**32:08x}" * 5,
                "job_slice_number": position + 1 if workflow_job["is_sliced_job"] else 0,
                "job_slice_count": template["job_slice_count"],
            }
        )
    elif kind == "project_update":
        project = int(template["project"])
        doc.update(
            {
                "name": PROJECTS.get(project, f"project-{project}"),
                "project": project,
                "unified_job_template": project,
                "job_type": "check",
                "scm_type": "git",
                "scm_url": f"https://git.example.com/ops/{PROJECTS.get(project, 'project')}.git",
                "scm_branch": "main",
                "scm_revision": f"{job_id * 40503 % 2**32:08x}" * 5,
            }
        )
    elif kind == "inventory_update":
        inventory = int(template["inventory"])
        doc.update(
            {
                "name": f"inventory {inventory} - cloud source",
                "inventory": inventory,
                "inventory_source": 100 + inventory,
                "unified_job_template": 100 + inventory,
                "source": "ec2",
                "source_path": "",
            }
        )
    else:  # a nested workflow job
        doc.update(
            {
                "name": f"{summary['name']} (nested)",
                "workflow_job_template": None,
                "extra_vars": "{}",
                "allow_simultaneous": False,
                "job_template": None,
                "is_sliced_job": False,
                "inventory": None,
                "limit": "",
                "scm_branch": "",
                "webhook_service": "",
                "webhook_credential": None,
                "webhook_guid": "",
                "skip_tags": "",
                "job_tags": "",
            }
        )
    return doc


def _hosts(job_id: int) -> list[str]:
    return [f"host-{n:02d}.example.com" for n in range(1, 3 + job_id % 8 + 1)]


def _line_count(doc: dict[str, Any]) -> int:
    """How many task blocks a playbook job's output has."""
    job_id = int(doc["id"])
    if job_id % 50 == 7:
        return 2400  # over STDOUT_MAX_BYTES_DISPLAY
    if job_id % 5 == 0:
        return 700  # a few thousand lines
    return 6 + job_id % 20


def _status_of_host(doc: dict[str, Any], index: int) -> str:
    if doc["status"] in FAILED_STATUSES and index == 0:
        return "failures" if doc["status"] == "failed" else "dark"
    return ("ok", "changed", "ok", "skipped")[index % 4]


def host_status_counts(doc: dict[str, Any]) -> dict[str, int]:
    """A finished playbook job's ``host_status_counts``; ``{}`` while it has no stats."""
    if doc["status"] in ACTIVE_STATUSES:
        return {}
    counts: dict[str, int] = {}
    for index, _ in enumerate(_hosts(int(doc["id"]))):
        key = _status_of_host(doc, index)
        counts[key] = counts.get(key, 0) + 1
    return counts


def playbook_counts(doc: dict[str, Any]) -> dict[str, int]:
    """``playbook_counts``: plays and tasks of the run."""
    return {"play_count": 1, "task_count": _line_count(doc)}


@lru_cache(maxsize=64)
def _output(job_id: int, kind: str, status: str, name: str) -> tuple[str, ...]:
    doc = {"id": job_id, "status": status}
    hosts = _hosts(job_id)
    if kind == "project_update":
        lines = [
            "",
            "PLAY [Update source tree if necessary] *****************************************",
            "",
            "TASK [update project using git] ************************************************",
            f"{_YELLOW}changed: [localhost]{_RESET}",
            "",
            "PLAY RECAP *********************************************************************",
            f"{_YELLOW}localhost{_RESET}                  : ok=2    changed=1    "
            "unreachable=0    failed=0",
        ]
        return tuple(lines)
    if kind == "inventory_update":
        return (
            "    1.240 INFO     Updating inventory from cloud source",
            "    2.918 INFO     Processing JSON output...",
            f"    3.002 INFO     Loaded {len(hosts)} hosts, 2 groups.",
            "    3.507 INFO     Inventory import completed.",
        )
    lines = ["", f"PLAY [{name}] " + "*" * 60, ""]
    width = 90 if job_id % 50 == 7 else 0
    for task in range(_line_count(doc)):
        lines.append(f"TASK [step {task + 1}: configure service] " + "*" * 40)
        for index, host in enumerate(hosts):
            state = _status_of_host(doc, index) if task == _line_count(doc) - 1 else "ok"
            if state == "failures":
                lines.append(
                    f'{_RED}fatal: [{host}]: FAILED! => {{"msg": "service did not start"}}{_RESET}'
                )
            elif state == "dark":
                lines.append(f'{_RED}fatal: [{host}]: UNREACHABLE! => {{"changed": false}}{_RESET}')
            elif state == "changed":
                lines.append(f"{_YELLOW}changed: [{host}]{_RESET}")
            else:
                lines.append(f"{_GREEN}ok: [{host}]{_RESET}" + (" " + "." * width if width else ""))
        lines.append("")
    if status in ACTIVE_STATUSES:
        return tuple(lines[: len(lines) // 2])
    lines.append("PLAY RECAP " + "*" * 70)
    for index, host in enumerate(hosts):
        state = _status_of_host(doc, index)
        failed = int(state == "failures")
        dark = int(state == "dark")
        changed = int(state == "changed")
        lines.append(
            f"{host:<26}: ok={_line_count(doc) - failed - dark}    changed={changed}    "
            f"unreachable={dark}    failed={failed}"
        )
    return tuple(lines)


def output_lines(doc: dict[str, Any]) -> tuple[str, ...]:
    """The job's output, line by line (without line endings)."""
    return _output(int(doc["id"]), str(doc["type"]), str(doc["status"]), str(doc["name"]))
