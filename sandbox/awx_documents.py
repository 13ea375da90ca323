"""Rendering the AWX sandbox's documents: job templates, workflow jobs and nodes."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sandbox.awx_records import (
    ACTIVE_STATUSES,
    API,
    CREDENTIALS,
    FAILED_STATUSES,
    FIRST_PROJECT_ID,
    FIRST_SPAWNED_JOB_ID,
    INVENTORIES,
    LABELS,
    LIMITS,
    PROJECT_NAMES,
    SANDBOX_USER_ID,
    SEED_END,
    TAGS,
    JobTemplate,
    awx_time,
    inventory_summary,
    user_ref,
)


def render_template(
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
    project = FIRST_PROJECT_ID + rng.randrange(len(PROJECT_NAMES))
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
                f"{API}/job_templates/{template_id}/{webhook_service}/" if webhook_service else ""
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
                "name": PROJECT_NAMES[project - FIRST_PROJECT_ID],
                "description": "",
                "status": "successful",
                "scm_type": "git",
                "allow_override": True,
            },
            "created_by": user_ref(SANDBOX_USER_ID),
            "modified_by": user_ref(SANDBOX_USER_ID),
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
        "limit": rng.choice(LIMITS),
        "verbosity": rng.choice((0, 0, 1, 2)),
        "extra_vars": rng.choice(("", "---\nbatch_size: 5", '{"serial": 2}')),
        "job_tags": rng.choice(TAGS),
        "force_handlers": False,
        "skip_tags": rng.choice(TAGS),
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


def render_workflow_job(
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
    workflow_job_templates: dict[int, dict[str, Any]],
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
        wfjt = workflow_job_templates[wfjt_id]
        summary["workflow_job_template"] = dict(wfjt)
        summary["unified_job_template"] = {**wfjt, "unified_job_type": "workflow_job"}
        related["workflow_job_template"] = ujt_url
    if user_id is not None and launch_type in ("manual", "relaunch"):
        related["created_by"] = f"{API}/users/{user_id}/"
        related["modified_by"] = f"{API}/users/{user_id}/"
        summary["created_by"] = user_ref(user_id)
        summary["modified_by"] = user_ref(user_id)
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
    label_results = [{"id": LABELS.index(label) + 1, "name": label} for label in labels]
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


def render_node(
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
        segment = {"project_update": "project_updates", "inventory_update": "inventory_updates"}
        related["job"] = f"{API}/{segment.get(job['type'], 'jobs')}/{job['id']}/"
        if job["type"] == "workflow_job":
            related["job"] = f"{API}/workflow_jobs/{job['id']}/"
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
