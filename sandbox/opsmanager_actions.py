"""Job actions of the sandbox operations manager: cancel, pause, resume, retry a task.

Itential's routes (the Itential Platform API reference, "Operations Manager"):

- ``POST /operations-manager/jobs/cancel``, ``/pause``, ``/resume``, body
  ``{"jobIds": ["<id>", ...]}`` (bulk);
- ``POST /operations-manager/jobs/{id}/tasks/{taskId}/retry``, body
  ``{"variables": {...}}``.

Answers use the envelope: 200 ``{"message": "Successfully canceled all jobs",
"data": [<job>, ...], "metadata": {}}``; 400 with the reason in ``message``
for a body that is not ``{"jobIds": [strings]}`` or a job whose status does
not allow the action; 404 ``"Job not found"`` / ``"Task not found"``.

State rules (what the sandbox enforces; the statuses in which Itential accepts
each action are not documented, these follow its UI):

=========  ====================================  ==============
action     allowed from                          leads to
=========  ====================================  ==============
cancel     ``running``, ``paused``, ``error``    ``canceled``
pause      ``running``                           ``paused``
resume     ``paused``                            ``running``
retry      job ``error``, task ``error``         job and task ``running``
=========  ====================================  ==============

A bulk action is all or nothing: if one id is unknown (404) or in a status
that forbids the action (400), no job changes. A job started through the API
stops moving on its clock once acted on (its state as it read then is kept);
a resumed or retried job stays ``running`` until canceled.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.clock import utc_now
from sandbox.opsmanager_data import epoch_ms, iso_millis
from sandbox.responses import JSONBody

if TYPE_CHECKING:
    from sandbox.opsmanager import OpsStore

Doc = dict[str, Any]

ALLOWED: dict[str, frozenset[str]] = {
    "cancel": frozenset({"running", "paused", "error"}),
    "pause": frozenset({"running"}),
    "resume": frozenset({"paused"}),
}
RESULT = {"cancel": "canceled", "pause": "paused", "resume": "running"}
DONE = {"cancel": "canceled", "pause": "paused", "resume": "resumed"}
MAX_JOB_IDS = 100
"""Itential's bulk limit (``BULK_JOB_UPDATE_TRANSACTION_LIMIT``)."""


class ActionError(Exception):
    """An answer other than 200: a status and the envelope's message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def response(self) -> Response:
        """The error in the operations manager's envelope."""
        return JSONBody(
            {"message": self.message, "data": None, "metadata": {}}, status_code=self.status
        )


def frozen(store: OpsStore, job_id: str) -> Doc:
    """The stored job as it reads now, off its clock (so an action's change sticks)."""
    job = store.jobs[job_id]
    if job_id in store.clocks:
        job = store.render(job)
        store.jobs[job_id] = job
        del store.clocks[job_id]
    return job


def _job_ids(body: Any) -> list[str]:
    if not isinstance(body, dict) or set(body) != {"jobIds"}:
        raise ActionError(400, 'body must be {"jobIds": ["<job id>", ...]}')
    ids = body["jobIds"]
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise ActionError(400, "jobIds must be a non-empty array of job ids")
    if len(ids) > MAX_JOB_IDS:
        raise ActionError(400, f"jobIds may hold at most {MAX_JOB_IDS} ids")
    return list(dict.fromkeys(ids))


def job_action(store: OpsStore, action: str, body: Any) -> Any:
    """Carry ``action`` out on every job of the body, or on none; the answer's envelope."""
    ids = _job_ids(body)
    for job_id in ids:
        if job_id not in store.jobs:
            raise ActionError(404, f"Job not found: {job_id}")
        status = store.render(store.jobs[job_id])["status"]
        if status not in ALLOWED[action]:
            raise ActionError(400, f"Job {job_id} cannot be {DONE[action]}: its status is {status}")
    now = utc_now()
    changed = []
    for job_id in ids:
        job = frozen(store, job_id)
        job["status"] = RESULT[action]
        job["last_updated"] = iso_millis(now)
        if action == "cancel":
            job["metrics"] = {**job["metrics"], "end_time": epoch_ms(now)}
            for task in job["tasks"].values():
                if task.get("status") == "running":
                    task["status"] = "canceled"
        changed.append(job)
    return {"message": f"Successfully {DONE[action]} all jobs", "data": changed, "metadata": {}}


def retry_task(store: OpsStore, job_id: str, task_id: str, body: Any) -> Any:
    """Run an errored task of an errored job again; the answer's envelope."""
    if not isinstance(body, dict) or not set(body) <= {"variables"}:
        raise ActionError(400, 'body must be {"variables": {...}}')
    variables = body.get("variables", {})
    if not isinstance(variables, dict):
        raise ActionError(400, "variables must be an object")
    if job_id not in store.jobs:
        raise ActionError(404, "Job not found")
    current = store.render(store.jobs[job_id])
    task = current["tasks"].get(task_id) if isinstance(current["tasks"], dict) else None
    if task is None:
        raise ActionError(404, "Task not found")
    if current["status"] != "error" or task.get("status") != "error":
        raise ActionError(
            400,
            f"Task {task_id} of job {job_id} cannot be retried: the job is "
            f"{current['status']} and the task {task.get('status')}",
        )
    job = frozen(store, job_id)
    task = job["tasks"][task_id]
    task["status"] = "running"
    task["finish_state"] = None
    task["metrics"] = {**task["metrics"], "end_time": None, "finish_state": None}
    if variables and isinstance(task.get("variables"), dict):
        task["variables"]["incoming"] = variables
    job["status"] = "running"
    job["error"] = [
        e for e in job["error"] if not (isinstance(e, dict) and e.get("task") == task_id)
    ]
    job["metrics"] = {**job["metrics"], "end_time": None}
    job["last_updated"] = iso_millis(utc_now())
    return {"message": "Successfully retried task", "data": job, "metadata": {}}


def _parsed(raw: bytes) -> Any:
    try:
        return JSONBody.parse(raw)
    except ValueError as exc:
        raise ActionError(400, f"Request body is not valid JSON: {exc}") from None


def action_routes(store: OpsStore) -> list[Route]:
    """The action routes over ``store``, each answering errors in the envelope."""

    def bulk(action: str) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            try:
                return JSONBody(job_action(store, action, _parsed(await request.body())))
            except ActionError as error:
                return error.response()

        return endpoint

    async def retry(request: Request) -> Response:
        try:
            body = _parsed(await request.body())
            return JSONBody(
                retry_task(
                    store,
                    request.path_params["job_id"],
                    request.path_params["task_id"],
                    body,
                )
            )
        except ActionError as error:
            return error.response()

    return [
        *(
            Route(f"/operations-manager/jobs/{action}", bulk(action), methods=["POST"])
            for action in ALLOWED
        ),
        Route("/operations-manager/jobs/{job_id}/tasks/{task_id}/retry", retry, methods=["POST"]),
    ]
