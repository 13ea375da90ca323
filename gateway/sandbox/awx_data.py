"""The AWX sandbox's data: seeded job templates, workflow jobs and nodes, and what the API adds.

Everything seeded comes from ``random.Random(seed)`` and fixed dates, never
from the wall clock, so the same seed always gives the same documents:

- 30 job templates (ids 1..30), some sliced (``job_slice_count`` 2..4), a few
  that the sandbox user may not start (``user_capabilities.start`` false);
- 6 workflow job templates (ids 31..36), projects (37..40), inventories
  (1..5), webhook credentials (1..6) and users, only referenced by id;
- 300 workflow jobs created between 2025-03-01 and 2026-09-30, ids in
  creation order, every status and launch type, about half of them slice
  workflow jobs of a job template, the rest runs of a workflow job template;
- their nodes: workflow job number ``i`` (in id order, from 0) has
  ``NODE_PATTERN[i % 10]`` nodes, so any 200 consecutive workflow jobs have
  exactly 180 nodes.

Documents are kept rendered (one dict per object, shared with the answers, so a
list never copies them). Objects created through the API carry a
:class:`~gateway.sandbox.clock.Progression` and are refreshed in place when
read: ``pending`` while queued, ``running`` (with ``started``), then
``successful`` (``finished``, ``elapsed``) and frozen.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from gateway.sandbox.clock import Phase, Progression, utc_now

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
_VERBS = ("Deploy", "Patch", "Backup", "Restart", "Audit", "Provision", "Upgrade", "Rotate")
_NOUNS = (
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
_WFJT_NAMES = (
    "Nightly release train",
    "Quarterly patch wave",
    "Site failover drill",
    "New branch onboarding",
    "Compliance sweep",
    "Blue-green cutover",
)
_PROJECT_NAMES = ("infra-playbooks", "network-automation", "platform-ops", "security-baseline")
_LABELS = ("prod", "nightly", "network", "security", "team-a", "team-b")
_TAGS = ("", "", "", "configuration", "packages", "services,restart", "facts")
_LIMITS = ("", "", "", "webservers", "db*", "region_eu", "edge:&routers")
_BRANCHES = ("", "", "main", "release/2.4", "hotfix/cve")
_EXPLANATIONS = {
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


def _user_ref(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "username": USERS[user_id], "first_name": "", "last_name": ""}


def _launched_by_user(user_id: int) -> dict[str, Any]:
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


class AwxStore:
    """All AWX objects of one sandbox, seeded from ``seed``."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.job_templates: dict[int, JobTemplate] = {}
        self.workflow_job_templates: dict[int, dict[str, Any]] = {}
        self.workflow_jobs: dict[int, UnifiedJobRecord] = {}
        self.nodes: dict[int, NodeRecord] = {}
        self.jobs: dict[int, UnifiedJobRecord] = {}
        self.next_workflow_job_id = 1
        self.next_node_id = 1
        self.next_job_id = FIRST_SPAWNED_JOB_ID
        self.regenerate()

    # -- seeding ---------------------------------------------------------------

    def regenerate(self) -> None:
        """Throw away everything and rebuild the seeded data."""
        rng = random.Random(self.seed)
        self.job_templates = {}
        self.workflow_job_templates = {}
        self.workflow_jobs = {}
        self.nodes = {}
        self.jobs = {}
        self.next_workflow_job_id = 1
        self.next_node_id = 1
        self.next_job_id = FIRST_SPAWNED_JOB_ID
        self._seed_templates(rng)
        self._seed_workflow_jobs(rng)

    def _seed_templates(self, rng: random.Random) -> None:
        names = [f"{verb} {noun}" for verb in _VERBS for noun in _NOUNS]
        rng.shuffle(names)
        sliced = set(rng.sample(range(JOB_TEMPLATE_COUNT), 9))
        denied = set(rng.sample(sorted(sliced), 2))
        denied |= set(rng.sample(sorted(set(range(JOB_TEMPLATE_COUNT)) - sliced), 2))
        for index in range(JOB_TEMPLATE_COUNT):
            template_id = index + 1
            created = SEED_START - timedelta(
                days=rng.randint(30, 400), seconds=rng.random() * 86400
            )
            modified = created + timedelta(days=rng.randint(0, 25), seconds=rng.random() * 86400)
            slice_count = rng.randint(2, 4) if index in sliced else 1
            self.job_templates[template_id] = JobTemplate(
                self._template_doc(
                    rng,
                    template_id=template_id,
                    name=names[index],
                    created=created,
                    modified=modified,
                    slice_count=slice_count,
                    can_start=index not in denied,
                )
            )
        for offset in range(WFJT_COUNT):
            wfjt_id = FIRST_WFJT_ID + offset
            self.workflow_job_templates[wfjt_id] = {
                "id": wfjt_id,
                "name": _WFJT_NAMES[offset],
                "description": f"{_WFJT_NAMES[offset]} across all sites",
            }

    def _template_doc(
        self,
        rng: random.Random,
        *,
        template_id: int,
        name: str,
        created: datetime,
        modified: datetime,
        slice_count: int,
        can_start: bool,
    ) -> dict[str, Any]:
        inventory = rng.randint(1, len(INVENTORIES))
        project = FIRST_PROJECT_ID + rng.randrange(len(_PROJECT_NAMES))
        last_run = SEED_END - timedelta(days=rng.randint(0, 60), seconds=rng.random() * 86400)
        last_failed = rng.random() < 0.25
        has_schedule = rng.random() < 0.4
        webhook_service = rng.choice(("", "", "", "github", "gitlab"))
        webhook_credential = (1 if webhook_service == "github" else 2) if webhook_service else None
        url = f"{API}/job_templates/{template_id}/"
        playbook = name.lower().replace(" ", "_") + ".yml"
        return {
            "id": template_id,
            "type": "job_template",
            "url": url,
            "related": {
                "created_by": f"{API}/users/{SANDBOX_USER_ID}/",
                "modified_by": f"{API}/users/{SANDBOX_USER_ID}/",
                "labels": f"{url}labels/",
                "inventory": f"{API}/inventories/{inventory}/",
                "project": f"{API}/projects/{project}/",
                "organization": f"{API}/organizations/1/",
                "credentials": f"{url}credentials/",
                "last_job": f"{API}/jobs/{rng.randint(1, FIRST_SPAWNED_JOB_ID - 1)}/",
                "jobs": f"{url}jobs/",
                "schedules": f"{url}schedules/",
                "activity_stream": f"{url}activity_stream/",
                "launch": f"{url}launch/",
                "webhook_key": f"{url}webhook_key/",
                "webhook_receiver": (
                    f"{API}/job_templates/{template_id}/{webhook_service}/"
                    if webhook_service
                    else ""
                ),
                "notification_templates_started": f"{url}notification_templates_started/",
                "notification_templates_success": f"{url}notification_templates_success/",
                "notification_templates_error": f"{url}notification_templates_error/",
                "access_list": f"{url}access_list/",
                "survey_spec": f"{url}survey_spec/",
                "object_roles": f"{url}object_roles/",
                "instance_groups": f"{url}instance_groups/",
                "slice_workflow_jobs": f"{url}slice_workflow_jobs/",
                "copy": f"{url}copy/",
            },
            "summary_fields": {
                "organization": {"id": 1, "name": "Default", "description": ""},
                "inventory": inventory_summary(inventory),
                "project": {
                    "id": project,
                    "name": _PROJECT_NAMES[project - FIRST_PROJECT_ID],
                    "description": "",
                    "status": "successful",
                    "scm_type": "git",
                    "allow_override": True,
                },
                "created_by": _user_ref(SANDBOX_USER_ID),
                "modified_by": _user_ref(SANDBOX_USER_ID),
                "user_capabilities": {
                    "edit": can_start,
                    "delete": can_start,
                    "start": can_start,
                    "schedule": can_start,
                    "copy": can_start,
                },
                "labels": {"count": 0, "results": []},
                "recent_jobs": [],
                "credentials": [],
            },
            "created": awx_time(created),
            "modified": awx_time(modified),
            "name": name,
            "description": f"{name} ({'sliced' if slice_count > 1 else 'single run'})",
            "job_type": rng.choice(("run", "run", "run", "check")),
            "inventory": inventory,
            "project": project,
            "playbook": playbook,
            "scm_branch": "",
            "forks": rng.choice((0, 0, 5, 10, 25)),
            "limit": rng.choice(_LIMITS),
            "verbosity": rng.choice((0, 0, 1, 2)),
            "extra_vars": rng.choice(("", "---\nbatch_size: 5", '{"serial": 2}')),
            "job_tags": rng.choice(_TAGS),
            "force_handlers": False,
            "skip_tags": rng.choice(_TAGS),
            "start_at_task": "",
            "timeout": 0,
            "use_fact_cache": False,
            "organization": 1,
            "last_job_run": awx_time(last_run),
            "last_job_failed": last_failed,
            "next_job_run": (
                awx_time(SEED_END + timedelta(days=rng.randint(1, 7))) if has_schedule else None
            ),
            "status": "failed" if last_failed else "successful",
            "execution_environment": None,
            "host_config_key": "",
            "ask_scm_branch_on_launch": False,
            "ask_diff_mode_on_launch": False,
            "ask_variables_on_launch": rng.random() < 0.6,
            "ask_limit_on_launch": rng.random() < 0.6,
            "ask_tags_on_launch": rng.random() < 0.4,
            "ask_skip_tags_on_launch": rng.random() < 0.4,
            "ask_job_type_on_launch": False,
            "ask_verbosity_on_launch": False,
            "ask_inventory_on_launch": rng.random() < 0.6,
            "ask_credential_on_launch": False,
            "ask_execution_environment_on_launch": False,
            "ask_labels_on_launch": False,
            "ask_forks_on_launch": False,
            "ask_job_slice_count_on_launch": False,
            "ask_timeout_on_launch": False,
            "ask_instance_groups_on_launch": False,
            "survey_enabled": False,
            "become_enabled": False,
            "diff_mode": False,
            "allow_simultaneous": slice_count > 1 or rng.random() < 0.3,
            "custom_virtualenv": None,
            "job_slice_count": slice_count,
            "webhook_service": webhook_service,
            "webhook_credential": webhook_credential,
            "prevent_instance_group_fallback": False,
        }

    def _seed_workflow_jobs(self, rng: random.Random) -> None:
        span = (SEED_END - SEED_START).total_seconds()
        moments = sorted(rng.random() * span for _ in range(WORKFLOW_JOB_COUNT))
        statuses = rng.choices(STATUSES, weights=(3, 4, 3, 4, 52, 22, 5, 7), k=WORKFLOW_JOB_COUNT)
        sliced_flags = [rng.random() < 0.5 for _ in range(WORKFLOW_JOB_COUNT)]
        launch_types = [
            rng.choice(("manual", "manual", "manual", "scheduled", "scheduled", "relaunch"))
            if sliced
            else rng.choice(LAUNCH_TYPES)
            for sliced in sliced_flags
        ]
        # Every status and every launch type occurs, whatever the seed.
        for index, status in enumerate(STATUSES):
            if status not in statuses:
                statuses[7 + index * 31] = status
        for index, launch_type in enumerate(LAUNCH_TYPES):
            if launch_type not in launch_types:
                position = 5 + index * 29
                sliced_flags[position] = False
                launch_types[position] = launch_type
        sliced_templates = [t for t in self.job_templates.values() if t.slice_count > 1]
        for index in range(WORKFLOW_JOB_COUNT):
            created = SEED_START + timedelta(seconds=moments[index])
            template = rng.choice(sliced_templates) if sliced_flags[index] else None
            wfjt_id = None if template else rng.randrange(FIRST_WFJT_ID, FIRST_WFJT_ID + WFJT_COUNT)
            record = self._seed_one(
                rng,
                created=created,
                status=statuses[index],
                launch_type=launch_types[index],
                template=template,
                wfjt_id=wfjt_id,
            )
            self.workflow_jobs[record.doc["id"]] = record
            self._seed_nodes(rng, record, NODE_PATTERN[index % len(NODE_PATTERN)], template)

    def _seed_one(
        self,
        rng: random.Random,
        *,
        created: datetime,
        status: str,
        launch_type: str,
        template: JobTemplate | None,
        wfjt_id: int | None,
    ) -> UnifiedJobRecord:
        user_id = rng.choice(tuple(USERS))
        started: datetime | None = None
        finished: datetime | None = None
        canceled_on: datetime | None = None
        elapsed = 0.0
        if status not in ("new", "pending", "waiting") and not (
            status == "canceled" and rng.random() < 0.3
        ):
            started = created + timedelta(seconds=rng.uniform(0.5, 20))
        if status not in ACTIVE_STATUSES:
            base = started or created
            finished = base + timedelta(seconds=rng.uniform(5, 3600) if started else 0.2)
            if started is not None:
                elapsed = round((finished - started).total_seconds(), 3)
            if status == "canceled":
                canceled_on = finished - timedelta(seconds=rng.uniform(0.05, 2))
        modified = finished or started or created
        if template is not None:
            inventory: int | None = int(template.doc["inventory"])
            name = template.name
            description = template.doc["description"]
        else:
            assert wfjt_id is not None
            inventory = rng.choice((None, None, None, rng.randint(1, len(INVENTORIES))))
            name = self.workflow_job_templates[wfjt_id]["name"]
            description = self.workflow_job_templates[wfjt_id]["description"]
        webhook_service = ""
        webhook_credential: int | None = None
        webhook_guid = ""
        if launch_type == "webhook":
            webhook_service = rng.choice(WEBHOOK_SERVICES[1:])
            webhook_credential = WEBHOOK_SERVICES.index(webhook_service) + rng.choice((0, 3))
            webhook_guid = uuid.UUID(int=rng.getrandbits(128), version=4).hex
        if rng.random() < 0.4:
            extra_vars = "{}"
        else:
            extra_vars = json.dumps(
                {
                    "target_env": rng.choice(("prod", "staging", "lab")),
                    "batch_size": rng.randint(1, 20),
                    "dry_run": rng.random() < 0.2,
                }
            )
        labels = rng.sample(_LABELS, rng.randint(0, 2))
        workflow_job_id = self.next_workflow_job_id
        self.next_workflow_job_id += 1
        explanation = rng.choice(_EXPLANATIONS.get(status, ("",)))
        doc = self._workflow_job_doc(
            workflow_job_id,
            name=name,
            description=description,
            created=created,
            modified=modified,
            status=status,
            launch_type=launch_type,
            started=started,
            finished=finished,
            canceled_on=canceled_on,
            elapsed=elapsed,
            explanation=explanation,
            user_id=user_id,
            launched_by=self._launched_by(rng, launch_type, user_id, workflow_job_id),
            template=template,
            wfjt_id=wfjt_id,
            inventory=inventory,
            extra_vars=extra_vars,
            labels=labels,
            fields={
                "allow_simultaneous": template is not None or rng.random() < 0.3,
                "limit": rng.choice(_LIMITS),
                "scm_branch": rng.choice(_BRANCHES),
                "webhook_service": webhook_service,
                "webhook_credential": webhook_credential,
                "webhook_guid": webhook_guid,
                "skip_tags": rng.choice(_TAGS),
                "job_tags": rng.choice(_TAGS),
            },
        )
        return UnifiedJobRecord(doc)

    def _launched_by(
        self, rng: random.Random, launch_type: str, user_id: int, workflow_job_id: int
    ) -> dict[str, Any]:
        if launch_type in ("manual", "relaunch"):
            return _launched_by_user(user_id)
        if launch_type == "scheduled":
            schedule = rng.randint(1, 12)
            return {
                "id": schedule,
                "name": f"Schedule {schedule}",
                "type": "schedule",
                "url": f"{API}/schedules/{schedule}/",
            }
        if launch_type == "workflow" and workflow_job_id > 1:
            parent = rng.randint(1, workflow_job_id - 1)
            return {
                "id": parent,
                "name": f"Workflow job {parent}",
                "type": "workflow_job",
                "url": f"{API}/workflow_jobs/{parent}/",
            }
        return {}

    def _seed_nodes(
        self,
        rng: random.Random,
        record: UnifiedJobRecord,
        count: int,
        template: JobTemplate | None,
    ) -> None:
        wj = record.doc
        status = wj["status"]
        node_ids = [self.next_node_id + k for k in range(count)]
        self.next_node_id += count
        record.node_ids = node_ids
        templates = list(self.job_templates.values())
        for position, node_id in enumerate(node_ids):
            node_template = template or rng.choice(templates)
            job_status = (
                _seeded_node_job_status(status, position, sliced=template is not None)
                if wj["started"] is not None
                else None
            )
            do_not_run = job_status is None and status not in ACTIVE_STATUSES
            job: dict[str, Any] | None = None
            if job_status is not None:
                job_id = self.next_job_id
                self.next_job_id += 1
                job = {
                    "id": job_id,
                    "name": node_template.name,
                    "description": node_template.doc["description"],
                    "status": job_status,
                    "failed": job_status in FAILED_STATUSES,
                    "elapsed": (
                        round(wj["elapsed"] * rng.uniform(0.3, 0.95), 3)
                        if job_status not in ACTIVE_STATUSES
                        else 0.0
                    ),
                    "type": "job",
                }
            if template is not None:
                identifier = f"slice-{position + 1}"
                edges: list[int] = []
            else:
                identifier = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                edges = [node_ids[position + 1]] if position + 1 < count else []
            self.nodes[node_id] = NodeRecord(
                self._node_doc(
                    node_id,
                    workflow_job=wj,
                    node_template=node_template,
                    job=job,
                    identifier=identifier,
                    success_nodes=edges,
                    do_not_run=do_not_run,
                    extra_data=({"job_slice": position + 1} if template is not None else {}),
                    limit="",
                ),
                record,
            )

    # -- rendering -------------------------------------------------------------

    def _workflow_job_doc(
        self,
        workflow_job_id: int,
        *,
        name: str,
        description: str,
        created: datetime,
        modified: datetime,
        status: str,
        launch_type: str,
        started: datetime | None,
        finished: datetime | None,
        canceled_on: datetime | None,
        elapsed: float,
        explanation: str,
        user_id: int | None,
        launched_by: dict[str, Any],
        template: JobTemplate | None,
        wfjt_id: int | None,
        inventory: int | None,
        extra_vars: str,
        labels: list[str],
        fields: dict[str, Any],
    ) -> dict[str, Any]:
        url = f"{API}/workflow_jobs/{workflow_job_id}/"
        related: dict[str, Any] = {}
        summary: dict[str, Any] = {}
        if template is not None:
            ujt_id = template.id
            ujt_url = f"{API}/job_templates/{template.id}/"
            summary["job_template"] = template.brief()
            summary["unified_job_template"] = {**template.brief(), "unified_job_type": "job"}
            related["job_template"] = ujt_url
        else:
            assert wfjt_id is not None
            ujt_id = wfjt_id
            ujt_url = f"{API}/workflow_job_templates/{wfjt_id}/"
            wfjt = self.workflow_job_templates[wfjt_id]
            summary["workflow_job_template"] = dict(wfjt)
            summary["unified_job_template"] = {**wfjt, "unified_job_type": "workflow_job"}
            related["workflow_job_template"] = ujt_url
        if user_id is not None and launch_type in ("manual", "relaunch"):
            related["created_by"] = f"{API}/users/{user_id}/"
            related["modified_by"] = f"{API}/users/{user_id}/"
            summary["created_by"] = _user_ref(user_id)
            summary["modified_by"] = _user_ref(user_id)
        related["unified_job_template"] = ujt_url
        related.update(
            {
                "workflow_nodes": f"{url}workflow_nodes/",
                "labels": f"{url}labels/",
                "activity_stream": f"{url}activity_stream/",
                "relaunch": f"{url}relaunch/",
                "cancel": f"{url}cancel/",
                "notifications": f"{url}notifications/",
            }
        )
        if inventory is not None:
            related["inventory"] = f"{API}/inventories/{inventory}/"
            summary["inventory"] = inventory_summary(inventory)
        if fields.get("webhook_credential") is not None:
            credential = int(fields["webhook_credential"])
            related["webhook_credential"] = f"{API}/credentials/{credential}/"
            summary["webhook_credential"] = {
                "id": credential,
                "name": CREDENTIALS[credential],
                "description": "",
                "kind": f"{fields['webhook_service'] or 'github'}_token",
                "cloud": False,
                "credential_type_id": 11,
            }
        label_results = [{"id": _LABELS.index(label) + 1, "name": label} for label in labels]
        summary["labels"] = {"count": len(label_results), "results": label_results}
        summary["user_capabilities"] = {
            "delete": status not in ACTIVE_STATUSES,
            "start": template is None or template.can_start,
        }
        return {
            "id": workflow_job_id,
            "type": "workflow_job",
            "url": url,
            "related": related,
            "summary_fields": summary,
            "created": awx_time(created),
            "modified": awx_time(modified),
            "name": name,
            "description": description,
            "unified_job_template": ujt_id,
            "launch_type": launch_type,
            "status": status,
            "failed": status in FAILED_STATUSES,
            "started": awx_time(started) if started else None,
            "finished": awx_time(finished) if finished else None,
            "canceled_on": awx_time(canceled_on) if canceled_on else None,
            "elapsed": elapsed,
            "job_explanation": explanation,
            "launched_by": launched_by,
            "work_unit_id": None,
            "workflow_job_template": wfjt_id,
            "extra_vars": extra_vars,
            "allow_simultaneous": bool(fields.get("allow_simultaneous", False)),
            "job_template": template.id if template is not None else None,
            "is_sliced_job": template is not None or bool(fields.get("is_sliced_job", False)),
            "inventory": inventory,
            "limit": fields.get("limit", ""),
            "scm_branch": fields.get("scm_branch", ""),
            "webhook_service": fields.get("webhook_service", ""),
            "webhook_credential": fields.get("webhook_credential"),
            "webhook_guid": fields.get("webhook_guid", ""),
            "skip_tags": fields.get("skip_tags", ""),
            "job_tags": fields.get("job_tags", ""),
        }

    def _node_doc(
        self,
        node_id: int,
        *,
        workflow_job: dict[str, Any],
        node_template: JobTemplate,
        job: dict[str, Any] | None,
        identifier: str,
        success_nodes: list[int],
        do_not_run: bool,
        extra_data: dict[str, Any],
        limit: str,
    ) -> dict[str, Any]:
        url = f"{API}/workflow_job_nodes/{node_id}/"
        related: dict[str, Any] = {
            "credentials": f"{url}credentials/",
            "labels": f"{url}labels/",
            "instance_groups": f"{url}instance_groups/",
            "success_nodes": f"{url}success_nodes/",
            "failure_nodes": f"{url}failure_nodes/",
            "always_nodes": f"{url}always_nodes/",
            "unified_job_template": f"{API}/job_templates/{node_template.id}/",
            "workflow_job": workflow_job["url"],
        }
        summary: dict[str, Any] = {
            "workflow_job": {
                "id": workflow_job["id"],
                "name": workflow_job["name"],
                "description": workflow_job["description"],
                "status": workflow_job["status"],
                "failed": workflow_job["failed"],
                "elapsed": workflow_job["elapsed"],
            },
            "unified_job_template": {**node_template.brief(), "unified_job_type": "job"},
        }
        if job is not None:
            related["job"] = f"{API}/jobs/{job['id']}/"
            summary["job"] = job
        created = workflow_job["created"]
        return {
            "id": node_id,
            "type": "workflow_job_node",
            "url": url,
            "related": related,
            "summary_fields": summary,
            "created": created,
            "modified": workflow_job["modified"] if job is not None else created,
            "extra_data": extra_data,
            "inventory": workflow_job["inventory"],
            "scm_branch": None,
            "job_type": None,
            "job_tags": None,
            "skip_tags": None,
            "limit": limit or None,
            "diff_mode": None,
            "verbosity": None,
            "execution_environment": None,
            "forks": None,
            "job_slice_count": None,
            "timeout": None,
            "workflow_job": workflow_job["id"],
            "unified_job_template": node_template.id,
            "success_nodes": success_nodes,
            "failure_nodes": [],
            "always_nodes": [],
            "all_parents_must_converge": False,
            "do_not_run": do_not_run,
            "identifier": identifier,
            "job": job["id"] if job is not None else None,
        }

    # -- creating through the API ----------------------------------------------

    def create_workflow_job(
        self,
        template: JobTemplate,
        values: dict[str, Any],
        *,
        progress_seconds: float,
        launch_type: str = "manual",
        slices: int = 0,
    ) -> UnifiedJobRecord:
        """A new workflow job of ``template`` (``values`` already validated), on the clock.

        ``slices`` nodes are added, one per slice; their jobs appear once it runs.
        """
        now = utc_now()
        workflow_job_id = self.next_workflow_job_id
        self.next_workflow_job_id += 1
        wfjt_id = values.get("workflow_job_template")
        doc = self._workflow_job_doc(
            workflow_job_id,
            name=str(values.get("name", template.name)),
            description=str(values.get("description", template.doc["description"])),
            created=now,
            modified=now,
            status="pending",
            launch_type=launch_type,
            started=None,
            finished=None,
            canceled_on=None,
            elapsed=0.0,
            explanation="",
            user_id=SANDBOX_USER_ID,
            launched_by=_launched_by_user(SANDBOX_USER_ID),
            template=template,
            wfjt_id=None,
            inventory=values.get("inventory"),
            extra_vars=str(values.get("extra_vars", "{}")),
            labels=[],
            fields=values,
        )
        if wfjt_id is not None:
            wfjt = self.workflow_job_templates[int(wfjt_id)]
            doc["workflow_job_template"] = wfjt["id"]
            doc["summary_fields"]["workflow_job_template"] = dict(wfjt)
            doc["related"]["workflow_job_template"] = f"{API}/workflow_job_templates/{wfjt['id']}/"
        doc["is_sliced_job"] = bool(values.get("is_sliced_job", slices > 0))
        record = UnifiedJobRecord(
            doc, progression=Progression.start_now(progress_seconds), created_at=now
        )
        self.workflow_jobs[workflow_job_id] = record
        for position in range(slices):
            node_id = self.next_node_id
            self.next_node_id += 1
            job_id = self.next_job_id
            self.next_job_id += 1
            record.node_ids.append(node_id)
            node_doc = self._node_doc(
                node_id,
                workflow_job=doc,
                node_template=template,
                job=None,
                identifier=f"slice-{position + 1}",
                success_nodes=[],
                do_not_run=False,
                extra_data={"job_slice": position + 1},
                limit=str(values.get("limit", "")),
            )
            pending_job = {
                "id": job_id,
                "name": template.name,
                "description": template.doc["description"],
                "status": "pending",
                "failed": False,
                "elapsed": 0.0,
                "type": "job",
            }
            self.nodes[node_id] = NodeRecord(node_doc, record, pending_job=pending_job)
        return record

    def launch_job(
        self, template: JobTemplate, values: dict[str, Any], *, progress_seconds: float
    ) -> UnifiedJobRecord:
        """A new job of a template that is not sliced, on the clock."""
        now = utc_now()
        job_id = self.next_job_id
        self.next_job_id += 1
        t = template.doc
        inventory = values.get("inventory", t["inventory"])
        url = f"{API}/jobs/{job_id}/"
        related = {
            "created_by": f"{API}/users/{SANDBOX_USER_ID}/",
            "modified_by": f"{API}/users/{SANDBOX_USER_ID}/",
            "labels": f"{url}labels/",
            "inventory": f"{API}/inventories/{inventory}/",
            "project": t["related"]["project"],
            "organization": f"{API}/organizations/1/",
            "credentials": f"{url}credentials/",
            "unified_job_template": t["url"],
            "stdout": f"{url}stdout/",
            "job_events": f"{url}job_events/",
            "job_host_summaries": f"{url}job_host_summaries/",
            "activity_stream": f"{url}activity_stream/",
            "notifications": f"{url}notifications/",
            "create_schedule": f"{url}create_schedule/",
            "job_template": t["url"],
            "cancel": f"{url}cancel/",
            "relaunch": f"{url}relaunch/",
        }
        summary = {
            "organization": t["summary_fields"]["organization"],
            "inventory": inventory_summary(int(inventory)),
            "project": t["summary_fields"]["project"],
            "job_template": template.brief(),
            "unified_job_template": {**template.brief(), "unified_job_type": "job"},
            "created_by": _user_ref(SANDBOX_USER_ID),
            "modified_by": _user_ref(SANDBOX_USER_ID),
            "user_capabilities": {"delete": False, "start": True},
            "labels": {"count": 0, "results": []},
            "credentials": [],
        }
        doc: dict[str, Any] = {
            "id": job_id,
            "type": "job",
            "url": url,
            "related": related,
            "summary_fields": summary,
            "created": awx_time(now),
            "modified": awx_time(now),
            "name": template.name,
            "description": t["description"],
            "job_type": t["job_type"],
            "inventory": inventory,
            "project": t["project"],
            "playbook": t["playbook"],
            "scm_branch": t["scm_branch"],
            "forks": t["forks"],
            "limit": values.get("limit", t["limit"]),
            "verbosity": t["verbosity"],
            "extra_vars": values.get("extra_vars", "{}"),
            "job_tags": values.get("job_tags", t["job_tags"]),
            "force_handlers": False,
            "skip_tags": values.get("skip_tags", t["skip_tags"]),
            "start_at_task": "",
            "timeout": 0,
            "use_fact_cache": False,
            "organization": 1,
            "unified_job_template": template.id,
            "launch_type": "manual",
            "status": "pending",
            "execution_environment": None,
            "failed": False,
            "started": None,
            "finished": None,
            "canceled_on": None,
            "elapsed": 0.0,
            "job_explanation": "",
            "execution_node": "",
            "controller_node": "",
            "launched_by": _launched_by_user(SANDBOX_USER_ID),
            "work_unit_id": None,
            "job_template": template.id,
            "passwords_needed_to_start": [],
            "allow_simultaneous": t["allow_simultaneous"],
            "artifacts": {},
            "scm_revision": "",
            "instance_group": None,
            "diff_mode": False,
            "job_slice_number": 0,
            "job_slice_count": 1,
            "webhook_service": "",
            "webhook_credential": None,
            "webhook_guid": "",
        }
        record = UnifiedJobRecord(
            doc, progression=Progression.start_now(progress_seconds), created_at=now
        )
        self.jobs[job_id] = record
        return record


def _seeded_node_job_status(status: str, position: int, *, sliced: bool) -> str | None:
    """The status of the job a seeded node spawned (None: not spawned)."""
    if status in ("new", "pending", "waiting"):
        return None
    if status == "successful":
        return "successful"
    if status == "running":
        return "running" if sliced or position == 0 else None
    if status in ("failed", "error"):
        if position == 0:
            return status
        return "successful" if sliced else None
    # canceled
    return "canceled" if position == 0 else None
