"""AWX's relaunch of a workflow job, and who may act on one, for the AWX sandbox.

``GET /api/v2/workflow_jobs/{id}/relaunch/`` answers ``{}`` and ``POST``
makes a new workflow job from the old one's settings (AWX's
``WorkflowJobRelaunch`` view): 201 with the new workflow job and a
``Location`` header; 404 ``{"detail": "Not found."}`` for an unknown id; 403
``{"detail": ...}`` when the caller may not start it; 400 ``{"detail":
"Cannot relaunch slice workflow job orphaned from job template."}`` for a
sliced job whose template is gone. Any status may be relaunched, a running
one included, as in AWX.

Permission, in the sandbox, is the job's own
``summary_fields.user_capabilities.start`` (false for the jobs of the
templates the sandbox user may not start): it also governs cancel (403 for a
job that could otherwise be canceled; a finished one is still a 405).

Deviations from real AWX: the new workflow job copies the old one's fields
but gets no nodes (AWX copies the workflow graph); it moves on the sandbox
clock like any job created through the API.
"""

from __future__ import annotations

import copy
from typing import Any

from sandbox.awx_data import AwxStore
from sandbox.awx_lists import ApiError
from sandbox.awx_records import (
    API,
    SANDBOX_USER_ID,
    UnifiedJobRecord,
    awx_time,
    launched_by_user,
    user_ref,
)
from sandbox.clock import Progression, utc_now

FORBIDDEN = "You do not have permission to perform this action."
ORPHANED = "Cannot relaunch slice workflow job orphaned from job template."

Doc = dict[str, Any]


def may_start(doc: Doc) -> bool:
    """Whether the sandbox user may start (relaunch) or cancel this workflow job."""
    capabilities = doc.get("summary_fields", {}).get("user_capabilities", {})
    return bool(capabilities.get("start", True))


def check_may_act(doc: Doc) -> None:
    """403 in DRF's shape when the sandbox user may not act on this workflow job."""
    if not may_start(doc):
        raise ApiError.detail(403, FORBIDDEN)


def relaunch(store: AwxStore, record: UnifiedJobRecord, *, progress_seconds: float) -> Doc:
    """A new workflow job with ``record``'s settings, launched now; its document.

    Raises :class:`ApiError` with AWX's 403 and 400 answers.
    """
    old = record.document()
    check_may_act(old)
    template = old["job_template"]
    if old["is_sliced_job"] and template is not None and template not in store.job_templates:
        raise ApiError.detail(400, ORPHANED)
    now = utc_now()
    workflow_job_id = store.next_workflow_job_id
    store.next_workflow_job_id += 1
    url = f"{API}/workflow_jobs/{workflow_job_id}/"
    old_url = str(old["url"])
    doc = copy.deepcopy(old)
    doc["related"] = {
        key: (value.replace(old_url, url) if isinstance(value, str) else value)
        for key, value in doc["related"].items()
    }
    doc["related"]["created_by"] = f"{API}/users/{SANDBOX_USER_ID}/"
    doc["related"]["modified_by"] = f"{API}/users/{SANDBOX_USER_ID}/"
    summary = doc["summary_fields"]
    summary["created_by"] = user_ref(SANDBOX_USER_ID)
    summary["modified_by"] = user_ref(SANDBOX_USER_ID)
    summary["user_capabilities"] = {"delete": False, "start": True}
    doc.update(
        {
            "id": workflow_job_id,
            "url": url,
            "created": awx_time(now),
            "modified": awx_time(now),
            "launch_type": "relaunch",
            "status": "pending",
            "failed": False,
            "started": None,
            "finished": None,
            "canceled_on": None,
            "elapsed": 0.0,
            "job_explanation": "",
            "launched_by": launched_by_user(SANDBOX_USER_ID),
        }
    )
    store.workflow_jobs[workflow_job_id] = UnifiedJobRecord(
        doc, progression=Progression.start_now(progress_seconds), created_at=now
    )
    return doc
