"""Sandbox operations manager: an Itential-compatible ``/operations-manager`` API.

Every answer, success or error (the middleware's 401/500/503 included), is the
envelope ``{"message": str, "data": <payload|null>, "metadata": {}}``; lists
put ``{"total", "skip", "limit"}`` in ``metadata``.

Credentials (all checked against ``settings.token``): ``Authorization: Bearer
<token>``, basic auth with the token as password (any user name),
``?token=<token>`` or a ``token`` cookie.

Endpoints:

- ``POST /operations-manager/jobs/start``: the body is validated with
  ``jsonschema`` against the documented schema (seed 002): ``workflow``
  (string) and ``options`` (object) required, no other top-level key;
  ``options.description``/``type`` strings, ``options.variables`` an object,
  ``options.groups`` ObjectId-like strings (24 hex). A violation is a 400
  whose message names the path, e.g. ``options.groups[1]: 'abc' does not
  match '^[0-9a-fA-F]{24}$'``. **Any non-empty workflow name starts**: names in
  the catalogue (:data:`~sandbox.opsmanager_data.WORKFLOWS`, the ones
  the seeded jobs use) get that workflow's tasks, any other name gets the same
  generic two tasks; an empty name is a 400. There is no idempotency: every
  start makes a new job. The job is ``running`` until its
  :class:`~sandbox.clock.Progression` is final, then ``complete``
  (tasks, ``metrics.end_time``, ``metrics.progress`` and ``last_updated``
  follow).
- ``GET /operations-manager/jobs/{id}``: one job; 404 ``"Job not found"``.
  ``include``/``exclude``: comma lists of top-level fields (``_id`` is always
  kept; the two together are a 400). ``dereference=tasks`` is accepted and
  returns the tasks as they are (other values are a 400).
- ``GET /operations-manager/jobs``: search. ``equals[f]=v``, ``in[f]=a,b``,
  ``not-in[f]=a,b``, ``contains[f]=s`` (case-insensitive substring),
  ``starts-with[f]=s`` (case-sensitive prefix), ``gt[f]=v``/``lt[f]=v`` (numbers
  compare as numbers, ISO timestamps as datetimes, other strings as strings).
  ``f`` may be a dotted path (``metrics.user``, ``parent.job``); a path through
  an array matches when any element does (Mongo semantics), and ``not-in``
  matches documents without the field. Several filters combine with AND.
  ``limit`` (default 25, values above 100 are cut to 100), ``skip``, ``sort``
  (a dotted field, default ``created``), ``order`` (``1``/``-1``, default
  ``-1``); ties are broken by ``_id`` in the same direction. ``include``/
  ``exclude`` as above. Unknown parameters, unknown operators, malformed
  brackets, non-integer or negative ``limit``/``skip`` and other ``order``
  values are a 400 (``token`` is the credential and is ignored). As in
  Itential 2023.2 and later, listed jobs carry no ``variables``, neither the
  job's nor its tasks' (``GET /operations-manager/jobs/{id}`` has them).
- ``POST /operations-manager/jobs/cancel``, ``/pause``, ``/resume``
  (``{"jobIds": [...]}``) and ``POST
  /operations-manager/jobs/{id}/tasks/{taskId}/retry``: the job actions, with
  their state rules (:mod:`sandbox.opsmanager_actions`).
"""

from __future__ import annotations

import copy
import re
import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import jsonschema
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.upstreams.opsmanager_start_schema import START_SCHEMA
from sandbox.auth import AuthPolicy
from sandbox.clock import Phase, Progression, utc_now
from sandbox.harness import build_sandbox_app
from sandbox.opsmanager_actions import action_routes
from sandbox.opsmanager_data import (
    SANDBOX_USER,
    WorkflowTemplate,
    build_tasks,
    epoch_ms,
    fill_task_variables,
    generate_jobs,
    generic_workflow,
    iso_millis,
    workflow_catalogue,
)
from sandbox.opsmanager_openapi import OPENAPI
from sandbox.responses import JSONBody
from sandbox.settings import SandboxSettings

DEFAULT_LIMIT = 25
MAX_LIMIT = 100
OPERATORS = ("equals", "in", "not-in", "contains", "starts-with", "gt", "lt")
PLAIN_PARAMS = frozenset(
    {"limit", "skip", "sort", "order", "include", "exclude", "dereference", "token"}
)
_BRACKET = re.compile(r"^([a-z-]+)\[([^\[\]]+)\]$")
_START_VALIDATOR = jsonschema.Draft7Validator(START_SCHEMA)


def envelope(message: str, data: Any = None, metadata: dict[str, Any] | None = None) -> Any:
    """The operations manager's answer envelope."""
    return {"message": message, "data": data, "metadata": metadata or {}}


def error_body(status: int, message: str) -> Any:
    """Errors use the same envelope, with ``data: null``."""
    return envelope(message)


def _error(status: int, message: str) -> Response:
    return JSONBody(envelope(message), status_code=status)


class BadRequest(ValueError):
    """A request answered with 400."""


# --- the store ---------------------------------------------------------------


class OpsStore:
    """The jobs, and the clocks of the jobs started through the API."""

    def __init__(self, settings: SandboxSettings) -> None:
        self.settings = settings
        self.catalogue: dict[str, WorkflowTemplate] = {}
        self.jobs: dict[str, dict[str, Any]] = {}
        self.clocks: dict[str, Progression] = {}
        self.reset()

    def reset(self) -> None:
        """Back to the seeded data only."""
        self.catalogue = workflow_catalogue(self.settings.seed)
        self.jobs = {job["_id"]: job for job in generate_jobs(self.settings.seed)}
        self.clocks = {}

    def start(self, workflow: str, options: dict[str, Any]) -> dict[str, Any]:
        """A new running job of ``workflow``."""
        now = utc_now()
        template = self.catalogue.get(workflow) or generic_workflow(workflow)
        job_id = f"{int(now.timestamp()):08x}{secrets.token_hex(8)}"
        variables = {"_id": job_id, "initiator": SANDBOX_USER}
        variables.update(copy.deepcopy(options.get("variables", {})))
        job: dict[str, Any] = {
            "_id": job_id,
            "name": workflow,
            "description": options.get("description", template.description),
            "type": options.get("type", "automation"),
            "status": "running",
            "tasks": {},
            "transitions": {},
            "variables": variables,
            "created": iso_millis(now),
            "created_by": SANDBOX_USER,
            "last_updated": iso_millis(now),
            "last_updated_by": SANDBOX_USER,
            "error": [],
            "warnings": [],
            "ancestors": [],
            "parent": None,
            "errorHandler": None,
            "groups": list(options.get("groups", [])),
            "watchers": [SANDBOX_USER],
            "metrics": {
                "start_time": epoch_ms(now),
                "end_time": None,
                "progress": 0.0,
                "user": SANDBOX_USER,
                "owner": SANDBOX_USER,
            },
            "tags": [],
            "decorators": [],
            "validationErrors": [],
        }
        self.jobs[job_id] = job
        self.clocks[job_id] = Progression.start_now(self.settings.progress_seconds)
        return self.render(job)

    def render(self, job: dict[str, Any]) -> dict[str, Any]:
        """The job as it reads now: started jobs move with their clock."""
        progression = self.clocks.get(job["_id"])
        if progression is None:
            return job
        template = self.catalogue.get(job["name"]) or generic_workflow(job["name"])
        start = datetime.fromtimestamp(job["metrics"]["start_time"] / 1000, UTC)
        count = len(template.tasks)
        step = progression.progress_seconds / max(1, count)
        final = progression.phase() is Phase.FINAL
        stop_at = count if final else min(count - 1, int(progression.elapsed() / step))
        status = "complete" if final else "running"
        tasks, transitions, last = build_tasks(template, status, start, stop_at, [step] * count)
        shown = dict(job)
        shown["status"] = status
        shown["tasks"] = tasks
        shown["transitions"] = transitions
        metrics = dict(job["metrics"])
        if final:
            end = start + timedelta(seconds=progression.progress_seconds)
            metrics["end_time"] = epoch_ms(end)
            metrics["progress"] = 1.0
            shown["last_updated"] = iso_millis(end)
        else:
            done = sum(1 for task in tasks.values() if task["status"] == "complete")
            metrics["progress"] = round(done / len(tasks), 3)
            shown["last_updated"] = iso_millis(last)
        shown["metrics"] = metrics
        fill_task_variables(shown)
        return shown

    def get(self, job_id: str) -> dict[str, Any] | None:
        """One job by ``_id``."""
        job = self.jobs.get(job_id)
        return self.render(job) if job is not None else None

    def all(self) -> Iterator[dict[str, Any]]:
        """Every job as it reads now."""
        return (self.render(job) for job in self.jobs.values())


# --- search ------------------------------------------------------------------


def _values_at(document: Any, path: list[str]) -> list[Any]:
    """The values at a dotted path; arrays on the way are searched element-wise."""
    if not path:
        if isinstance(document, list):
            return [document, *document]
        return [document]
    if isinstance(document, list):
        return [v for item in document for v in _values_at(item, path)]
    if isinstance(document, dict) and path[0] in document:
        return _values_at(document[path[0]], path[1:])
    return []


def _as_number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _as_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str) or len(value) < 10 or not value[:4].isdigit():
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _equals(value: Any, text: str) -> bool:
    if value is None:
        return text == "null"
    if isinstance(value, bool):
        return text.lower() == str(value).lower()
    if isinstance(value, int | float):
        number = _as_number(text)
        return number is not None and number == value
    if isinstance(value, str):
        return value == text
    return False


def _compare(value: Any, text: str) -> int | None:
    """Sign of ``value - text`` in the value's own kind; ``None`` when not comparable."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = _as_number(text)
        if number is None:
            return None
        return (value > number) - (value < number)
    if isinstance(value, str):
        left, right = _as_datetime(value), _as_datetime(text)
        if left is not None and right is not None:
            return (left > right) - (left < right)
        return (value > text) - (value < text)
    return None


Predicate = Callable[[dict[str, Any]], bool]


def _predicate(operator: str, field: str, text: str) -> Predicate:
    path = field.split(".")
    items = [item for item in text.split(",") if item != ""] if operator in ("in", "not-in") else []
    needle = text.lower()

    def test(job: dict[str, Any]) -> bool:
        values = _values_at(job, path)
        if operator == "equals":
            return any(_equals(v, text) for v in values)
        if operator == "in":
            return any(_equals(v, item) for v in values for item in items)
        if operator == "not-in":
            return not any(_equals(v, item) for v in values for item in items)
        if operator == "contains":
            return any(isinstance(v, str) and needle in v.lower() for v in values)
        if operator == "starts-with":
            return any(isinstance(v, str) and v.startswith(text) for v in values)
        sign = 1 if operator == "gt" else -1
        return any(_compare(v, text) == sign for v in values)

    return test


def _sort_key(job: dict[str, Any], path: list[str]) -> tuple[int, Any]:
    value: Any = job
    for part in path:
        value = value.get(part, None) if isinstance(value, dict) else None
    if value is None:
        return (0, 0)
    if isinstance(value, bool):
        return (3, int(value))
    if isinstance(value, int | float):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    return (4, repr(value))


def _int_param(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be an integer, got '{raw}'") from None
    if value < 0:
        raise BadRequest(f"{name} must be >= 0, got {value}")
    return value


def _projection(request: Request) -> Callable[[dict[str, Any]], dict[str, Any]]:
    include = request.query_params.get("include")
    exclude = request.query_params.get("exclude")
    if include and exclude:
        raise BadRequest("include and exclude cannot be used together")
    if include:
        keep = {f.strip() for f in include.split(",") if f.strip()} | {"_id"}
        return lambda job: {k: v for k, v in job.items() if k in keep}
    if exclude:
        drop = {f.strip() for f in exclude.split(",") if f.strip()} - {"_id"}
        return lambda job: {k: v for k, v in job.items() if k not in drop}
    return lambda job: job


def _without_variables(job: dict[str, Any]) -> dict[str, Any]:
    """A listed job as Itential 2023.2+ lists it: no job or task ``variables``."""
    listed = {k: v for k, v in job.items() if k != "variables"}
    tasks = job.get("tasks")
    if isinstance(tasks, dict):
        listed["tasks"] = {
            key: {k: v for k, v in task.items() if k != "variables"}
            if isinstance(task, dict)
            else task
            for key, task in tasks.items()
        }
    return listed


def _check_dereference(request: Request) -> None:
    value = request.query_params.get("dereference")
    if value is not None and value not in ("", "tasks"):
        raise BadRequest(f"dereference supports only 'tasks', got '{value}'")


def _search(store: OpsStore, request: Request) -> Any:
    predicates: list[Predicate] = []
    for key, value in request.query_params.multi_items():
        if key in PLAIN_PARAMS:
            continue
        match = _BRACKET.match(key)
        if match is None:
            if "[" in key or "]" in key:
                raise BadRequest(f"malformed query parameter '{key}': expected operator[field]")
            raise BadRequest(f"unknown query parameter '{key}'")
        operator, field = match.groups()
        if operator not in OPERATORS:
            raise BadRequest(
                f"unknown operator '{operator}' in '{key}': expected one of {', '.join(OPERATORS)}"
            )
        if any(part == "" for part in field.split(".")):
            raise BadRequest(f"malformed field path '{field}' in '{key}'")
        predicates.append(_predicate(operator, field, value))
    limit = min(_int_param(request, "limit", DEFAULT_LIMIT), MAX_LIMIT)
    skip = _int_param(request, "skip", 0)
    sort = request.query_params.get("sort") or "created"
    order_raw = request.query_params.get("order") or "-1"
    if order_raw not in ("1", "-1"):
        raise BadRequest(f"order must be 1 or -1, got '{order_raw}'")
    _check_dereference(request)
    project = _projection(request)
    matches = [job for job in store.all() if all(p(job) for p in predicates)]
    path = sort.split(".")
    matches.sort(key=lambda job: (_sort_key(job, path), job["_id"]), reverse=order_raw == "-1")
    page = [_without_variables(project(job)) for job in matches[skip : skip + limit]]
    return envelope(
        "Successfully retrieved jobs",
        page,
        {"total": len(matches), "skip": skip, "limit": limit},
    )


# --- start -------------------------------------------------------------------


def _path_text(error: jsonschema.ValidationError) -> str:
    text = ""
    for part in error.absolute_path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "body"


def _start_errors(body: Any) -> list[str]:
    errors = sorted(_START_VALIDATOR.iter_errors(body), key=lambda e: list(map(str, e.path)))
    messages = [f"{_path_text(e)}: {e.message}" for e in errors]
    if not messages and body["workflow"] == "":
        messages.append("workflow: must not be empty")
    return messages


# --- app ---------------------------------------------------------------------


def _routes(store: OpsStore) -> list[Route]:
    async def start_job(request: Request) -> Response:
        try:
            body = JSONBody.parse(await request.body())
        except ValueError as exc:
            return _error(400, f"Request body is not valid JSON: {exc}")
        problems = _start_errors(body)
        if problems:
            return _error(400, "; ".join(problems))
        job = store.start(body["workflow"], body["options"])
        return JSONBody(envelope("Successfully started job", job))

    async def get_job(request: Request) -> Response:
        try:
            _check_dereference(request)
            project = _projection(request)
        except BadRequest as exc:
            return _error(400, str(exc))
        job = store.get(request.path_params["job_id"])
        if job is None:
            return _error(404, "Job not found")
        return JSONBody(envelope("Successfully retrieved job", project(job)))

    async def search_jobs(request: Request) -> Response:
        try:
            return JSONBody(_search(store, request))
        except BadRequest as exc:
            return _error(400, str(exc))

    return [
        Route("/operations-manager/jobs/start", start_job, methods=["POST"]),
        Route("/operations-manager/jobs", search_jobs, methods=["GET"]),
        Route("/operations-manager/jobs/{job_id}", get_job, methods=["GET"]),
    ]


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own 404/405 in the envelope."""
    if not isinstance(exc, HTTPException):
        return _error(500, "Internal Server Error")
    return JSONBody(envelope(exc.detail), status_code=exc.status_code, headers=exc.headers)


TOKEN_PATH = "/oauth/token"  # noqa: S105 - a path
"""The OAuth2 token endpoint (client credentials)."""


def create_app(settings: SandboxSettings) -> Starlette:
    """The operations manager as a Starlette app (``app.state.sandbox`` is its control)."""
    store = OpsStore(settings)
    app = build_sandbox_app(
        name="opsmanager",
        routes=[*_routes(store), *action_routes(store)],
        auth=AuthPolicy(
            token=settings.token, bearer=True, basic=True, query_token=True, cookie_token=True
        ),
        error_body=error_body,
        openapi=OPENAPI,
        settings=settings,
        reset_data=store.reset,
        token_path=TOKEN_PATH,
    )
    app.add_exception_handler(HTTPException, _http_error)
    app.state.opsmanager = store
    return app
