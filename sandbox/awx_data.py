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
:class:`~sandbox.clock.Progression` and are refreshed in place when
read: ``pending`` while queued, ``running`` (with ``started``), then
``successful`` (``finished``, ``elapsed``) and frozen.

The record types and constants are in :mod:`sandbox.awx_records`, the
document rendering in :mod:`sandbox.awx_documents`; this module holds
:class:`AwxStore`, which seeds them and creates new ones for the API.
"""

from __future__ import annotations

import json
import random
import uuid
from datetime import datetime, timedelta
from typing import Any

from sandbox.awx_documents import render_node, render_template, render_workflow_job
from sandbox.awx_records import (
    ACTIVE_STATUSES,
    API,
    BRANCHES,
    EXPLANATIONS,
    FAILED_STATUSES,
    FIRST_SPAWNED_JOB_ID,
    FIRST_WFJT_ID,
    INVENTORIES,
    JOB_TEMPLATE_COUNT,
    LABELS,
    LAUNCH_TYPES,
    LIMITS,
    NODE_PATTERN,
    NOUNS,
    SANDBOX_USER_ID,
    SEED_END,
    SEED_START,
    STATUSES,
    TAGS,
    USERS,
    VERBS,
    WEBHOOK_SERVICES,
    WFJT_COUNT,
    WFJT_NAMES,
    WORKFLOW_JOB_COUNT,
    JobTemplate,
    NodeRecord,
    UnifiedJobRecord,
    awx_time,
    inventory_summary,
    launched_by_user,
    user_ref,
)
from sandbox.awx_spawned import render_spawned_job, spawned_type
from sandbox.clock import Progression, utc_now


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
        names = [f"{verb} {noun}" for verb in VERBS for noun in NOUNS]
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
                render_template(
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
                "name": WFJT_NAMES[offset],
                "description": f"{WFJT_NAMES[offset]} across all sites",
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
        labels = rng.sample(LABELS, rng.randint(0, 2))
        workflow_job_id = self.next_workflow_job_id
        self.next_workflow_job_id += 1
        explanation = rng.choice(EXPLANATIONS.get(status, ("",)))
        doc = render_workflow_job(
            workflow_job_id,
            workflow_job_templates=self.workflow_job_templates,
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
                "limit": rng.choice(LIMITS),
                "scm_branch": rng.choice(BRANCHES),
                "webhook_service": webhook_service,
                "webhook_credential": webhook_credential,
                "webhook_guid": webhook_guid,
                "skip_tags": rng.choice(TAGS),
                "job_tags": rng.choice(TAGS),
            },
        )
        return UnifiedJobRecord(doc)

    def _launched_by(
        self, rng: random.Random, launch_type: str, user_id: int, workflow_job_id: int
    ) -> dict[str, Any]:
        if launch_type in ("manual", "relaunch"):
            return launched_by_user(user_id)
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
            if job is not None:
                self._spawn(job, wj, node_template, node_id, position, sliced=template is not None)
            self.nodes[node_id] = NodeRecord(
                render_node(
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

    def _spawn(
        self,
        summary: dict[str, Any],
        workflow_job: dict[str, Any],
        template: JobTemplate,
        node_id: int,
        position: int,
        *,
        sliced: bool,
    ) -> None:
        """Make the job a seeded node spawned a unified job of its own (no random draws)."""
        summary["type"] = spawned_type(node_id, position, sliced=sliced)
        doc = render_spawned_job(
            summary,
            workflow_job=workflow_job,
            template=template.doc,
            node_id=node_id,
            position=position,
        )
        summary["name"] = doc["name"]
        self.jobs[doc["id"]] = UnifiedJobRecord(doc)

    def unified_job(self, job_id: int) -> UnifiedJobRecord | None:
        """A job of any type by id: a workflow job, or a job a node spawned or the API launched."""
        return self.workflow_jobs.get(job_id) or self.jobs.get(job_id)

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
        doc = render_workflow_job(
            workflow_job_id,
            workflow_job_templates=self.workflow_job_templates,
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
            launched_by=launched_by_user(SANDBOX_USER_ID),
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
            prompts = {
                key: value
                for key, value in values.items()
                if key in ("inventory", "limit", "job_tags", "skip_tags", "extra_vars")
                and value is not None
            }
            slice_job = self.launch_job(template, prompts, progress_seconds=progress_seconds)
            slice_job.doc.update(
                launch_type="workflow",
                job_slice_number=position + 1,
                job_slice_count=slices,
                launched_by={
                    "id": workflow_job_id,
                    "name": doc["name"],
                    "type": "workflow_job",
                    "url": doc["url"],
                },
            )
            job_id = slice_job.doc["id"]
            record.node_ids.append(node_id)
            node_doc = render_node(
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
            "created_by": user_ref(SANDBOX_USER_ID),
            "modified_by": user_ref(SANDBOX_USER_ID),
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
            "launched_by": launched_by_user(SANDBOX_USER_ID),
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
