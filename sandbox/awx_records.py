"""The AWX sandbox's vocabulary: constants, record types and status changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.clock import Phase, Progression

API = "/api/v2"

STATUSES = ("new", "pending", "waiting", "running", "successful", "failed", "error", "canceled")
ACTIVE_STATUSES = frozenset({"new", "pending", "waiting", "running"})
CANCELABLE_STATUSES = frozenset({"new", "pending", "waiting", "running"})
FAILED_STATUSES = frozenset({"failed", "error"})
LAUNCH_TYPES = (
    "manual",
    "relaunch",
    "callback",
    "scheduled",
    "dependency",
    "workflow",
    "webhook",
    "sync",
    "scm",
)
WEBHOOK_SERVICES = ("", "github", "gitlab", "bitbucket_dc")
NODE_PATTERN = (0, 1, 1, 2, 0, 1, 1, 1, 2, 0)
"""Node counts of consecutive workflow jobs: 9 nodes per 10 jobs."""

WORKFLOW_JOB_COUNT = 300
JOB_TEMPLATE_COUNT = 30
FIRST_WFJT_ID = 31
WFJT_COUNT = 6
FIRST_PROJECT_ID = 37
FIRST_SPAWNED_JOB_ID = 1001
SEED_START = datetime(2025, 3, 1, tzinfo=UTC)
SEED_END = datetime(2026, 9, 30, 23, 59, 59, tzinfo=UTC)

USERS: dict[int, str] = {1: "admin", 2: "alice", 3: "bob", 4: "carol"}
SANDBOX_USER_ID = 1
INVENTORIES: dict[int, str] = {
    1: "Production",
    2: "Staging",
    3: "Edge routers",
    4: "Lab",
    5: "Datacenter East",
}
CREDENTIALS: dict[int, str] = {
    1: "GitHub deploy token",
    2: "GitLab bot token",
    3: "Bitbucket DC token",
    4: "GitHub ops token",
    5: "GitLab release token",
    6: "Bitbucket DC mirror token",
}
VERBS = ("Deploy", "Patch", "Backup", "Restart", "Audit", "Provision", "Upgrade", "Rotate")
NOUNS = (
    "web tier",
    "database cluster",
    "edge routers",
    "load balancers",
    "kafka brokers",
    "dns servers",
    "vpn gateways",
    "monitoring stack",
    "certificates",
    "linux hosts",
)
WFJT_NAMES = (
    "Nightly release train",
    "Quarterly patch wave",
    "Site failover drill",
    "New branch onboarding",
    "Compliance sweep",
    "Blue-green cutover",
)
PROJECT_NAMES = ("infra-playbooks", "network-automation", "platform-ops", "security-baseline")
LABELS = ("prod", "nightly", "network", "security", "team-a", "team-b")
TAGS = ("", "", "", "configuration", "packages", "services,restart", "facts")
LIMITS = ("", "", "", "webservers", "db*", "region_eu", "edge:&routers")
BRANCHES = ("", "", "main", "release/2.4", "hotfix/cve")
EXPLANATIONS = {
    "failed": ("", "", "Workflow job node failed"),
    "error": (
        "Previous Task Failed: a job failed to start",
        "Job terminated due to error",
        "Task was marked as running but was not present in the job queue",
    ),
    "canceled": ("", "Workflow job canceled by user"),
}


def awx_time(moment: datetime) -> str:
    """``2026-01-05T10:11:12.123456Z``: how AWX writes timestamps."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def user_ref(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "username": USERS[user_id], "first_name": "", "last_name": ""}


def launched_by_user(user_id: int) -> dict[str, Any]:
    return {
        "id": user_id,
        "name": USERS[user_id],
        "type": "user",
        "url": f"{API}/users/{user_id}/",
    }


def inventory_summary(inventory_id: int) -> dict[str, Any]:
    """``summary_fields.inventory`` as AWX gives it."""
    return {
        "id": inventory_id,
        "name": INVENTORIES[inventory_id],
        "description": "",
        "has_active_failures": False,
        "total_hosts": 10 * inventory_id,
        "hosts_with_active_failures": 0,
        "total_groups": inventory_id + 1,
        "has_inventory_sources": inventory_id % 2 == 1,
        "total_inventory_sources": inventory_id % 2,
        "inventory_sources_with_failures": 0,
        "organization_id": 1,
        "kind": "",
    }


@dataclass(slots=True)
class JobTemplate:
    """One job template: its rendered document plus what the views need."""

    doc: dict[str, Any]

    @property
    def id(self) -> int:
        return int(self.doc["id"])

    @property
    def name(self) -> str:
        return str(self.doc["name"])

    @property
    def can_start(self) -> bool:
        return bool(self.doc["summary_fields"]["user_capabilities"]["start"])

    @property
    def slice_count(self) -> int:
        return int(self.doc["job_slice_count"])

    def brief(self) -> dict[str, Any]:
        """``{id, name, description}`` for other objects' summary fields."""
        return {"id": self.id, "name": self.name, "description": self.doc["description"]}


@dataclass(slots=True)
class UnifiedJobRecord:
    """A workflow job or a job: its document, refreshed in place while its clock runs."""

    doc: dict[str, Any]
    progression: Progression | None = None
    created_at: datetime | None = None
    node_ids: list[int] = field(default_factory=list)

    def document(self) -> dict[str, Any]:
        """The current document (the same dict every time)."""
        if self.progression is not None:
            self._refresh(self.progression)
        return self.doc

    def _refresh(self, progression: Progression) -> None:
        assert self.created_at is not None
        phase = progression.phase()
        doc = self.doc
        if phase is Phase.QUEUED:
            return
        started = self.created_at + timedelta(seconds=progression.progress_seconds / 5)
        doc["started"] = awx_time(started)
        if phase is Phase.RUNNING:
            set_status(doc, "running", modified=started)
            return
        finished = self.created_at + timedelta(seconds=progression.progress_seconds)
        doc["finished"] = awx_time(finished)
        doc["elapsed"] = round((finished - started).total_seconds(), 3)
        set_status(doc, "successful", modified=finished)
        self.progression = None

    def cancel(self, now: datetime) -> None:
        """Cancel the job now (the caller checked it can be canceled)."""
        self.document()
        self.progression = None
        doc = self.doc
        doc["canceled_on"] = awx_time(now)
        doc["finished"] = awx_time(now)
        if doc["started"] is not None:
            started = datetime.fromisoformat(doc["started"])
            doc["elapsed"] = round((now - started).total_seconds(), 3)
        doc["job_explanation"] = (
            "Workflow job canceled by user" if doc["type"] == "workflow_job" else ""
        )
        set_status(doc, "canceled", modified=now)


def set_status(doc: dict[str, Any], status: str, *, modified: datetime) -> None:
    """Set ``status`` and what follows from it (``failed``, capabilities, ``modified``)."""
    doc["status"] = status
    doc["failed"] = status in FAILED_STATUSES
    doc["modified"] = awx_time(modified)
    capabilities = doc["summary_fields"].get("user_capabilities")
    if capabilities is not None:
        capabilities["delete"] = status not in ACTIVE_STATUSES


@dataclass(slots=True)
class NodeRecord:
    """A workflow job node; while its workflow job's clock runs, its job follows it."""

    doc: dict[str, Any]
    parent: UnifiedJobRecord
    pending_job: dict[str, Any] | None = None
    """``summary_fields.job`` to show once the parent runs (API-created nodes only)."""

    def document(self) -> dict[str, Any]:
        """The current document (the same dict every time)."""
        if self.pending_job is not None:
            parent = self.parent.document()
            self._follow(parent)
        return self.doc

    def _follow(self, parent: dict[str, Any]) -> None:
        assert self.pending_job is not None
        if parent["started"] is None:
            return
        job = self.pending_job
        job["status"] = "running" if parent["status"] == "running" else parent["status"]
        job["failed"] = parent["failed"]
        job["elapsed"] = parent["elapsed"]
        self.doc["job"] = job["id"]
        self.doc["summary_fields"]["job"] = job
        self.doc["related"]["job"] = f"{API}/jobs/{job['id']}/"
        self.doc["modified"] = parent["modified"]
        if parent["status"] not in ACTIVE_STATUSES:
            self.pending_job = None
