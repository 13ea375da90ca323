"""Sandbox jobs store: a WorkfloPlus-compatible ``/jobs/v1`` API.

Endpoints (all need ``Authorization: Bearer <token>``):

- ``POST /jobs/v1``: store a job. The body is a job without ``jobId``; it must
  be a JSON object with a ``metadata`` object, and ``metadata.clientJobId``,
  when given, must be a string (``null`` counts as absent). Anything else is
  a 400. The answer (200) is the stored job: every documented key (seed 000),
  missing ones filled with ``null``/``[]``/``false``, unknown keys dropped (as
  the real API's model binding does), plus a new ``jobId`` (24 lowercase hex).
  A missing ``clientJobId`` gets a new UUID4 and a missing ``created`` is set
  to now. Posts are **not** deduplicated by ``clientJobId``: two posts make
  two jobs, and the lookup by ``clientJobId`` then answers both.
- ``GET /jobs/v1/bson/{job_id}``: a JSON **array** holding the one job; 404
  when unknown.
- ``POST /jobs/v1/`` is the same as ``POST /jobs/v1``.
- ``GET /jobs/v1`` and ``GET /jobs/v1/``: ``skip`` (default 0) and ``limit``
  (default 20, no maximum); negative or non-integer values are a 400. Newest
  first by ``metadata.created`` (ties: ``jobId`` descending). No filters.
- ``GET /jobs/v1/{client_job_id}``: the jobs with that ``metadata.clientJobId``
  (an array, empty when none).
- ``GET /jobs/v1/workflow/{workflow_id}``: that workflow's jobs, newest first.

Control (tests, no credential): ``PUT /_sandbox/jobs/{job_id}/status``
``{"status": "<word>"}`` pins a job's status from now on (see
:func:`_status_control_routes`).

The clock: a posted job whose ``metadata.status`` is final (``Completed``,
``Aborted``) keeps it (an imported, finished job). Any other posted job reads
``InProgress`` until its :class:`~sandbox.clock.Progression` is final
(``settings.progress_seconds``), then ``Completed`` with ``currentStep``
cleared; ``metadata.updated``/``modified`` are the creation instant while it
runs and the completion instant after.

Errors (ours and the middleware's) are ASP.NET ProblemDetails:
``{"type": "about:blank", "title": <message>, "status": <code>}``.

Deviations from the real product, which documents none of this: the answer
code of ``POST`` is 200, the ``reportStep`` shape is invented, and unparseable
``metadata.created`` values sort as the oldest jobs.
"""

from __future__ import annotations

import bisect
import copy
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.auth import AuthPolicy
from sandbox.clock import Phase, Progression, utc_now
from sandbox.harness import build_sandbox_app
from sandbox.jobstore_data import FINAL_STATUSES, dotnet_iso, generate_jobs, parse_iso
from sandbox.jobstore_openapi import OPENAPI
from sandbox.responses import JSONBody
from sandbox.settings import SandboxSettings

DEFAULT_LIMIT = 20
EPOCH = datetime(1, 1, 1, tzinfo=UTC)

METADATA_KEYS: tuple[str, ...] = (
    "clientJobId",
    "workflowId",
    "workflowVersionId",
    "jobTitle",
    "metadata",
    "created",
    "updated",
    "modified",
    "status",
    "userId",
    "currentStep",
    "abandonReason",
    "username",
    "workflowName",
)
JOB_DEFAULTS: dict[str, Any] = {
    "completedSteps": None,
    "cancelledSteps": None,
    "team": None,
    "hierarchyStack": None,
    "packetIds": None,
    "jobExclusion": [],
    "excluded": False,
}


def problem(status: int, title: str) -> dict[str, Any]:
    """An error body in the store's ASP.NET ProblemDetails shape."""
    return {"type": "about:blank", "title": title, "status": status}


def problem_response(status: int, title: str) -> Response:
    """A ProblemDetails answer."""
    return JSONBody(problem(status, title), status_code=status)


class BadRequest(ValueError):
    """A request the store rejects with 400."""


SortKey = tuple[datetime, str]


class JobStore:
    """The jobs, their indexes and the clocks of the jobs created through the API."""

    def __init__(self, settings: SandboxSettings) -> None:
        self.settings = settings
        self.jobs: dict[str, dict[str, Any]] = {}
        self.clocks: dict[str, tuple[Progression, datetime]] = {}
        self.by_client: dict[str, list[str]] = {}
        self.by_workflow: dict[str, list[SortKey]] = {}
        self.order: list[SortKey] = []
        self.reset()

    def reset(self) -> None:
        """Back to the seeded data only."""
        self.jobs.clear()
        self.clocks.clear()
        self.by_client.clear()
        self.by_workflow.clear()
        self.order.clear()
        for job in generate_jobs(self.settings.seed):
            self._index(job)

    def _index(self, job: dict[str, Any]) -> None:
        job_id: str = job["jobId"]
        meta = job["metadata"]
        self.jobs[job_id] = job
        key = (parse_iso(meta.get("created")) or EPOCH, job_id)
        bisect.insort(self.order, key)
        client = meta.get("clientJobId")
        if isinstance(client, str):
            self.by_client.setdefault(client, []).append(job_id)
        workflow = meta.get("workflowId")
        if isinstance(workflow, str):
            bisect.insort(self.by_workflow.setdefault(workflow, []), key)

    def create(self, body: Any) -> dict[str, Any]:
        """Store a posted job; ``BadRequest`` when the body is not a job."""
        if not isinstance(body, dict):
            raise BadRequest("The request body must be a JSON object (a job).")
        posted_meta = body.get("metadata")
        if not isinstance(posted_meta, dict):
            raise BadRequest("The job must have a 'metadata' object.")
        client = posted_meta.get("clientJobId")
        if client is not None and not isinstance(client, str):
            raise BadRequest("'metadata.clientJobId' must be a string.")
        now = utc_now()
        meta = {key: copy.deepcopy(posted_meta.get(key)) for key in METADATA_KEYS}
        meta["clientJobId"] = client or str(uuid.uuid4())
        if meta["metadata"] is None:
            meta["metadata"] = {}
        if not meta["created"]:
            meta["created"] = dotnet_iso(now)
        job: dict[str, Any] = {
            "jobId": f"{int(now.timestamp()):08x}{secrets.token_hex(8)}",
            "metadata": meta,
        }
        for key, default in JOB_DEFAULTS.items():
            job[key] = copy.deepcopy(body.get(key, default))
        if meta["status"] not in FINAL_STATUSES:
            self.clocks[job["jobId"]] = (Progression.start_now(self.settings.progress_seconds), now)
        self._index(job)
        return self.render(job)

    def render(self, job: dict[str, Any]) -> dict[str, Any]:
        """The job as it reads now: created jobs move with their clock."""
        clock = self.clocks.get(job["jobId"])
        if clock is None:
            return job
        progression, created_at = clock
        shown = dict(job)
        meta = dict(job["metadata"])
        shown["metadata"] = meta
        if progression.phase() is Phase.FINAL:
            moment = created_at + timedelta(seconds=progression.progress_seconds)
            meta["status"] = "Completed"
            meta["currentStep"] = None
        else:
            moment = created_at
            meta["status"] = "InProgress"
        meta["updated"] = dotnet_iso(moment)
        meta["modified"] = dotnet_iso(moment.replace(microsecond=0))
        return shown

    def set_status(self, job_id: str, status: str) -> dict[str, Any] | None:
        """Pin a job's ``metadata.status`` (its clock stops), ``updated`` now; ``None``: unknown."""
        job = self.jobs.get(job_id)
        if job is None:
            return None
        self.clocks.pop(job_id, None)
        now = utc_now()
        job["metadata"]["status"] = status
        job["metadata"]["updated"] = dotnet_iso(now)
        job["metadata"]["modified"] = dotnet_iso(now.replace(microsecond=0))
        return job

    def get(self, job_id: str) -> dict[str, Any] | None:
        """One job by ``jobId``."""
        job = self.jobs.get(job_id)
        return self.render(job) if job is not None else None

    def page(self, skip: int, limit: int) -> list[dict[str, Any]]:
        """Jobs newest first."""
        return self._newest_first(self.order, skip, limit)

    def by_client_job_id(self, client_job_id: str) -> list[dict[str, Any]]:
        """Jobs with that ``metadata.clientJobId``, in creation order."""
        return [self.render(self.jobs[i]) for i in self.by_client.get(client_job_id, [])]

    def of_workflow(self, workflow_id: str) -> list[dict[str, Any]]:
        """Jobs of one workflow, newest first."""
        keys = self.by_workflow.get(workflow_id, [])
        return self._newest_first(keys, 0, len(keys))

    def _newest_first(self, keys: list[SortKey], skip: int, limit: int) -> list[dict[str, Any]]:
        end = len(keys) - skip
        start = max(0, end - limit)
        if end <= 0 or limit <= 0:
            return []
        return [self.render(self.jobs[job_id]) for _, job_id in reversed(keys[start:end])]


def _int_param(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(
            f"The value '{raw}' is not valid for {name}: expected an integer."
        ) from None
    if value < 0:
        raise BadRequest(f"The value '{raw}' is not valid for {name}: it must be >= 0.")
    return value


def _routes(store: JobStore) -> list[Route]:
    async def create_job(request: Request) -> Response:
        try:
            body = JSONBody.parse(await request.body())
            job = store.create(body)
        except BadRequest as exc:
            return problem_response(400, str(exc))
        except ValueError as exc:
            return problem_response(400, f"The request body is not valid JSON: {exc}")
        return JSONBody(job)

    async def list_jobs(request: Request) -> Response:
        try:
            skip = _int_param(request, "skip", 0)
            limit = _int_param(request, "limit", DEFAULT_LIMIT)
        except BadRequest as exc:
            return problem_response(400, str(exc))
        return JSONBody(store.page(skip, limit))

    async def get_bson(request: Request) -> Response:
        job = store.get(request.path_params["job_id"])
        if job is None:
            return problem_response(404, "Job not found")
        return JSONBody([job])

    async def by_workflow(request: Request) -> Response:
        return JSONBody(store.of_workflow(request.path_params["workflow_id"]))

    async def by_client(request: Request) -> Response:
        return JSONBody(store.by_client_job_id(request.path_params["client_job_id"]))

    return [
        Route("/jobs/v1", create_job, methods=["POST"]),
        Route("/jobs/v1", list_jobs, methods=["GET"]),
        Route("/jobs/v1/", create_job, methods=["POST"]),
        Route("/jobs/v1/", list_jobs, methods=["GET"]),
        Route("/jobs/v1/bson/{job_id}", get_bson, methods=["GET"]),
        Route("/jobs/v1/workflow/{workflow_id}", by_workflow, methods=["GET"]),
        Route("/jobs/v1/{client_job_id}", by_client, methods=["GET"]),
    ]


def _status_control_routes(store: JobStore) -> list[Route]:
    """``PUT /_sandbox/jobs/{job_id}/status`` ``{"status": "<word>"}``: set a job's status now.

    For live-status tests: the job stops following its clock and reads the
    given word (``InProgress``, ``Completed``, ``Aborted``, ...) from now on,
    with ``metadata.updated`` set to now. Like every ``/_sandbox/`` route it
    is not counted and needs no credential.
    """

    async def set_status(request: Request) -> Response:
        try:
            body = JSONBody.parse(await request.body())
        except ValueError:
            return problem_response(400, "The body must be JSON.")
        status = body.get("status") if isinstance(body, dict) else None
        if not isinstance(status, str) or not status:
            return problem_response(400, 'The body must be {"status": "<word>"}.')
        job = store.set_status(request.path_params["job_id"], status)
        if job is None:
            return problem_response(404, "Job not found")
        return JSONBody(store.render(job))

    return [Route("/_sandbox/jobs/{job_id}/status", set_status, methods=["PUT"])]


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own 404/405 in the store's ProblemDetails shape."""
    if not isinstance(exc, HTTPException):
        return problem_response(500, "Internal Server Error")
    return JSONBody(
        problem(exc.status_code, exc.detail), status_code=exc.status_code, headers=exc.headers
    )


TOKEN_PATH = "/connect/token"  # noqa: S105 - a path
"""The OAuth2 token endpoint (the real one lives on the vendor's accounts host)."""


def create_app(settings: SandboxSettings) -> Starlette:
    """The jobs store as a Starlette app (``app.state.sandbox`` is its control)."""
    store = JobStore(settings)
    app = build_sandbox_app(
        name="jobstore",
        routes=[*_routes(store), *_status_control_routes(store)],
        auth=AuthPolicy(token=settings.token),
        error_body=problem,
        openapi=OPENAPI,
        settings=settings,
        reset_data=store.reset,
        token_path=TOKEN_PATH,
    )
    app.add_exception_handler(HTTPException, _http_error)
    app.state.jobstore = store
    return app
