"""AWX (Ansible automation controller) sandbox: the ``/api/v2/`` endpoints the gateway uses.

Contract (what the gateway may rely on, as real AWX does it):

- ``GET /api/v2/job_templates/``, ``/job_templates/{id}/``;
  ``GET``/``POST /api/v2/job_templates/{id}/slice_workflow_jobs/``;
  ``GET``/``POST /api/v2/job_templates/{id}/launch/``;
  ``GET /api/v2/workflow_jobs/``, ``/workflow_jobs/{id}/``,
  ``/workflow_jobs/{id}/workflow_nodes/``, ``GET``/``POST
  /workflow_jobs/{id}/cancel/`` (202, or 405 when it cannot be canceled; 403
  when the caller may not act on it), ``GET``/``POST
  /workflow_jobs/{id}/relaunch/`` (201 with the new workflow job; see
  :mod:`sandbox.awx_actions`);
  ``GET /api/v2/workflow_job_nodes/``, ``/workflow_job_nodes/{id}/``;
  ``GET /api/v2/unified_jobs/``, ``/jobs/{id}/``, ``/project_updates/{id}/``,
  ``/inventory_updates/{id}/`` and their ``stdout/`` (the jobs workflow nodes
  spawned and jobs launched through this API; see :mod:`sandbox.awx_job_views`).
- Lists answer ``{count, next, previous, results}``; ``next``/``previous`` are
  the request path with the query string re-encoded (keys sorted, ``page``
  replaced, ``page_size`` capped) as AWX writes them. ``page`` is 1-based
  (``last`` allowed; out of range: 404 ``{"detail": "Invalid page."}``);
  ``page_size`` defaults to 25 and is silently capped at 200.
- Filters follow AWX's field lookups on every top-level field:
  ``field=``, ``field__in=a,b``, ``__gt``/``__gte``/``__lt``/``__lte``,
  ``__exact``/``__iexact``/``__contains``/``__icontains``/``__startswith``/
  ``__istartswith``/``__endswith``/``__iendswith``/``__regex``/``__iregex``,
  ``__isnull``; ``not__`` negates, ``or__`` joins with OR; ``search=`` matches
  every term against name and description; ``order_by=`` (or ``order=``)
  takes comma-separated fields, ``-`` for descending. Unknown fields and
  malformed values answer 400 ``{"detail": ...}`` with AWX's messages.
- Errors use Django REST framework's shapes: ``{"detail": "..."}`` for
  401/403/404/405/415, validation ``{"field": ["message", ...]}`` with
  non-field errors under ``__all__``.
- Authentication: ``Authorization: Bearer <token>`` or basic auth with the
  token as password; 401 carries ``WWW-Authenticate: Bearer realm=api``.

Deviations from real AWX (on purpose):

- ``POST /job_templates/{id}/slice_workflow_jobs/`` creates a workflow job
  (real AWX answers 403 to everyone); it is still denied (403) on the
  templates whose ``summary_fields.user_capabilities.start`` is false, as is
  ``/launch/``. The created workflow job has no nodes.
- The default ordering is ``id`` everywhere, and ties of ``order_by`` are
  broken by ``id`` in the direction of the first ordering field.
- Jobs created through the API move on the sandbox clock: ``pending``, then
  ``running``, then ``successful``. Seeded data never changes except by cancel
  (a relaunch adds a new workflow job).
- ``extra_vars`` is stored as the JSON text of the parsed variables; YAML is
  understood only as flat ``key: value`` lines.
- Only the endpoints above exist; related links to other resources (users,
  inventories, labels, ...) are given but not served. Filters on related
  objects' fields (``job_template__name``) are not supported.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.auth import AuthPolicy
from sandbox.awx_actions import check_may_act, relaunch
from sandbox.awx_data import AwxStore
from sandbox.awx_job_views import SpawnedJobViews
from sandbox.awx_lists import ApiError, Doc, Resource, list_answer
from sandbox.awx_openapi import build_openapi
from sandbox.awx_records import (
    CANCELABLE_STATUSES,
    CREDENTIALS,
    INVENTORIES,
    WEBHOOK_SERVICES,
    JobTemplate,
)
from sandbox.awx_requests import Validator, read_body, require_mapping
from sandbox.clock import utc_now
from sandbox.harness import build_sandbox_app
from sandbox.responses import JSONBody
from sandbox.settings import SandboxSettings

API = "/api/v2"
NOT_FOUND = "Not found."
VERSION = "24.6.1"
"""The AWX version the sandbox claims in ``GET /api/v2/ping/``."""
PING = f"{API}/ping/"
FORBIDDEN = "You do not have permission to perform this action."
UNAUTHORIZED = "Authentication credentials were not provided."


class AwxApi:
    """The views of one AWX sandbox over its :class:`AwxStore`."""

    def __init__(self, settings: SandboxSettings) -> None:
        self.settings = settings
        self.store = AwxStore(settings.seed)
        self.job_views = SpawnedJobViews(self.store)
        self.workflow_job_resource = Resource(
            "WorkflowJob",
            next(iter(self.store.workflow_jobs.values())).doc,
            foreign_keys=(
                "unified_job_template",
                "workflow_job_template",
                "job_template",
                "inventory",
                "webhook_credential",
            ),
            datetimes=("created", "modified", "started", "finished", "canceled_on"),
            search_fields=("name", "description"),
            overrides={"work_unit_id": "text"},
        )
        self.node_resource = Resource(
            "WorkflowJobNode",
            next(iter(self.store.nodes.values())).doc,
            foreign_keys=(
                "workflow_job",
                "unified_job_template",
                "job",
                "inventory",
                "execution_environment",
            ),
            datetimes=("created", "modified"),
            search_fields=("identifier",),
            overrides={
                "verbosity": "int",
                "diff_mode": "bool",
                "forks": "int",
                "job_slice_count": "int",
                "timeout": "int",
            },
        )
        self.template_resource = Resource(
            "JobTemplate",
            next(iter(self.store.job_templates.values())).doc,
            foreign_keys=(
                "inventory",
                "project",
                "organization",
                "webhook_credential",
                "execution_environment",
            ),
            datetimes=("created", "modified", "last_job_run", "next_job_run"),
            search_fields=("name", "description", "playbook"),
            overrides={"custom_virtualenv": "text"},
        )

    def reset(self) -> None:
        """Regenerate the seeded data (``POST /_sandbox/reset {"data": true}``)."""
        self.store.regenerate()

    # -- lookups -------------------------------------------------------------------

    def template(self, request: Request) -> JobTemplate:
        """The job template of the path, or 404."""
        template = self.store.job_templates.get(_path_id(request))
        if template is None:
            raise ApiError.detail(404, NOT_FOUND)
        return template

    def startable_template(self, request: Request) -> JobTemplate:
        """The job template of the path if the caller may start it (404, 403)."""
        template = self.template(request)
        if not template.can_start:
            raise ApiError.detail(403, FORBIDDEN)
        return template

    def workflow_job_docs(self) -> list[Doc]:
        """Every workflow job, current, in id order."""
        return [record.document() for record in self.store.workflow_jobs.values()]

    def node_docs(self, workflow_job: int | None = None) -> list[Doc]:
        """Every node (or a workflow job's nodes), current, in id order."""
        if workflow_job is not None:
            record = self.store.workflow_jobs.get(workflow_job)
            if record is None:
                raise ApiError.detail(404, NOT_FOUND)
            return [self.store.nodes[n].document() for n in record.node_ids]
        return [node.document() for node in self.store.nodes.values()]

    # -- views ---------------------------------------------------------------------

    async def ping(self, request: Request) -> Response:
        """AWX's public health answer: the version and the node that answered."""
        return JSONBody(
            {
                "ha": False,
                "version": VERSION,
                "active_node": "awx-sandbox",
                "install_uuid": "00000000-0000-4000-8000-000000000000",
            }
        )

    async def root(self, request: Request) -> Response:
        return JSONBody(
            {
                "ping": f"{API}/ping/",
                "job_templates": f"{API}/job_templates/",
                "jobs": f"{API}/jobs/",
                "workflow_jobs": f"{API}/workflow_jobs/",
                "workflow_job_nodes": f"{API}/workflow_job_nodes/",
            }
        )

    async def job_templates(self, request: Request) -> Response:
        docs = [t.doc for t in self.store.job_templates.values()]
        return list_answer(self.template_resource, request, docs)

    async def job_template(self, request: Request) -> Response:
        return JSONBody(self.template(request).doc)

    async def slice_workflow_jobs(self, request: Request) -> Response:
        if request.method == "GET":
            template = self.template(request)
            docs = [d for d in self.workflow_job_docs() if d["job_template"] == template.id]
            return list_answer(self.workflow_job_resource, request, docs)
        template = self.startable_template(request)
        data = require_mapping(await read_body(request))
        check = Validator(data)
        check.char("name", required=True, max_length=512)
        check.char("description")
        check.pk("workflow_job_template", lambda pk: pk in self.store.workflow_job_templates)
        check.variables("extra_vars")
        check.boolean("allow_simultaneous")
        check.boolean("is_sliced_job")
        check.pk("inventory", lambda pk: pk in INVENTORIES)
        check.char("limit")
        check.char("scm_branch")
        check.choice("webhook_service", WEBHOOK_SERVICES)
        check.pk("webhook_credential", lambda pk: pk in CREDENTIALS)
        check.char("webhook_guid", max_length=128)
        check.char("skip_tags")
        check.char("job_tags")
        check.raise_if_invalid()
        record = self.store.create_workflow_job(
            template, check.values, progress_seconds=self.settings.progress_seconds
        )
        doc = record.document()
        return JSONBody(doc, status_code=201, headers={"location": doc["url"]})

    async def launch(self, request: Request) -> Response:
        template = self.template(request)
        t = template.doc
        if request.method == "GET":
            return JSONBody(_launch_info(template))
        template = self.startable_template(request)
        data = require_mapping(await read_body(request))
        prompts = {
            "extra_vars": "ask_variables_on_launch",
            "inventory": "ask_inventory_on_launch",
            "limit": "ask_limit_on_launch",
            "job_tags": "ask_tags_on_launch",
            "skip_tags": "ask_skip_tags_on_launch",
            "scm_branch": "ask_scm_branch_on_launch",
        }
        ignored: dict[str, Any] = {}
        accepted: dict[str, Any] = {}
        for name, value in data.items():
            if name in prompts and t[prompts[name]]:
                accepted[name] = value
            elif name in prompts:
                ignored[name] = value
        check = Validator(accepted)
        check.variables("extra_vars")
        check.pk("inventory", lambda pk: pk in INVENTORIES)
        for name in ("limit", "job_tags", "skip_tags", "scm_branch"):
            check.char(name)
        check.raise_if_invalid()
        values = dict(check.values)
        if values.get("inventory") is None:
            values["inventory"] = t["inventory"]
        progress = self.settings.progress_seconds
        if template.slice_count > 1:
            values.setdefault("limit", t["limit"])
            values.setdefault("job_tags", t["job_tags"])
            values.setdefault("skip_tags", t["skip_tags"])
            values["allow_simultaneous"] = t["allow_simultaneous"]
            record = self.store.create_workflow_job(
                template, values, progress_seconds=progress, slices=template.slice_count
            )
            doc = record.document()
            body = {"workflow_job": doc["id"], "ignored_fields": ignored, **doc}
        else:
            record = self.store.launch_job(template, values, progress_seconds=progress)
            doc = record.document()
            body = {"job": doc["id"], "ignored_fields": ignored, **doc}
        return JSONBody(body, status_code=201, headers={"location": doc["url"]})

    async def workflow_jobs(self, request: Request) -> Response:
        return list_answer(self.workflow_job_resource, request, self.workflow_job_docs())

    async def workflow_job_nodes_of(self, request: Request) -> Response:
        docs = self.node_docs(_path_id(request))
        return list_answer(self.node_resource, request, docs)

    async def cancel(self, request: Request) -> Response:
        record = self.store.workflow_jobs.get(_path_id(request))
        if record is None:
            raise ApiError.detail(404, NOT_FOUND)
        can_cancel = record.document()["status"] in CANCELABLE_STATUSES
        if request.method == "GET":
            return JSONBody({"can_cancel": can_cancel})
        if not can_cancel:
            raise ApiError.detail(405, 'Method "POST" not allowed.')
        check_may_act(record.document())
        record.cancel(utc_now())
        return Response(status_code=202)

    async def relaunch(self, request: Request) -> Response:
        record = self.store.workflow_jobs.get(_path_id(request))
        if record is None:
            raise ApiError.detail(404, NOT_FOUND)
        if request.method == "GET":
            return JSONBody({})
        doc = relaunch(self.store, record, progress_seconds=self.settings.progress_seconds)
        return JSONBody(doc, status_code=201, headers={"location": doc["url"]})

    async def workflow_job_nodes(self, request: Request) -> Response:
        return list_answer(self.node_resource, request, self.node_docs())

    async def workflow_job_node(self, request: Request) -> Response:
        node = self.store.nodes.get(_path_id(request))
        if node is None:
            raise ApiError.detail(404, NOT_FOUND)
        return JSONBody(node.document())

    def routes(self) -> list[Route]:
        """The upstream's routes, each answering :class:`ApiError` in DRF's shape."""
        table: list[tuple[str, Callable[[Request], Any], list[str]]] = [
            (f"{API}/", self.root, ["GET"]),
            (PING, self.ping, ["GET"]),
            (f"{API}/job_templates/", self.job_templates, ["GET"]),
            (f"{API}/job_templates/{{id}}/", self.job_template, ["GET"]),
            (
                f"{API}/job_templates/{{id}}/slice_workflow_jobs/",
                self.slice_workflow_jobs,
                ["GET", "POST"],
            ),
            (f"{API}/job_templates/{{id}}/launch/", self.launch, ["GET", "POST"]),
            (f"{API}/workflow_jobs/", self.workflow_jobs, ["GET"]),
            (
                f"{API}/workflow_jobs/{{id}}/workflow_nodes/",
                self.workflow_job_nodes_of,
                ["GET"],
            ),
            (f"{API}/workflow_jobs/{{id}}/cancel/", self.cancel, ["GET", "POST"]),
            (f"{API}/workflow_jobs/{{id}}/relaunch/", self.relaunch, ["GET", "POST"]),
            (f"{API}/workflow_job_nodes/", self.workflow_job_nodes, ["GET"]),
            (f"{API}/workflow_job_nodes/{{id}}/", self.workflow_job_node, ["GET"]),
            *self.job_views.routes(),
        ]
        return [
            Route(path, _answering_errors(view), methods=methods) for path, view, methods in table
        ]


def _launch_info(template: JobTemplate) -> Doc:
    t = template.doc
    return {
        "can_start_without_user_input": True,
        "passwords_needed_to_start": [],
        "ask_scm_branch_on_launch": t["ask_scm_branch_on_launch"],
        "ask_variables_on_launch": t["ask_variables_on_launch"],
        "ask_tags_on_launch": t["ask_tags_on_launch"],
        "ask_diff_mode_on_launch": t["ask_diff_mode_on_launch"],
        "ask_skip_tags_on_launch": t["ask_skip_tags_on_launch"],
        "ask_job_type_on_launch": t["ask_job_type_on_launch"],
        "ask_limit_on_launch": t["ask_limit_on_launch"],
        "ask_verbosity_on_launch": t["ask_verbosity_on_launch"],
        "ask_inventory_on_launch": t["ask_inventory_on_launch"],
        "ask_credential_on_launch": t["ask_credential_on_launch"],
        "survey_enabled": False,
        "variables_needed_to_start": [],
        "credential_needed_to_start": False,
        "inventory_needed_to_start": False,
        "job_template_data": template.brief(),
        "defaults": {
            "extra_vars": t["extra_vars"],
            "diff_mode": False,
            "limit": t["limit"],
            "job_tags": t["job_tags"],
            "skip_tags": t["skip_tags"],
            "job_type": t["job_type"],
            "verbosity": t["verbosity"],
            "inventory": {"name": INVENTORIES[t["inventory"]], "id": t["inventory"]},
            "scm_branch": t["scm_branch"],
        },
    }


def _path_id(request: Request) -> int:
    raw = str(request.path_params["id"])
    if not raw.isdigit():
        raise ApiError.detail(404, NOT_FOUND)
    return int(raw)


def _answering_errors(
    view: Callable[[Request], Any],
) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        try:
            response: Response = await view(request)
        except ApiError as error:
            return error.response()
        return response

    return endpoint


def _error_body(status: int, message: str) -> Doc:
    return {"detail": message}


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        message = NOT_FOUND
    elif exc.status_code == 405:
        message = f'Method "{request.method}" not allowed.'
    else:
        message = str(exc.detail)
    return JSONBody({"detail": message}, status_code=exc.status_code, headers=exc.headers)


def create_app(settings: SandboxSettings) -> Starlette:
    """The AWX sandbox app, seeded from ``settings.seed``."""
    api = AwxApi(settings)
    app = build_sandbox_app(
        name="awx",
        routes=api.routes(),
        auth=AuthPolicy(token=settings.token, bearer=True, basic=True),
        error_body=_error_body,
        openapi=build_openapi(),
        settings=settings,
        reset_data=api.reset,
        unauthorized_headers={"WWW-Authenticate": "Bearer realm=api"},
        public_paths=frozenset({PING}),  # no credentials needed, as in AWX
    )
    app.add_exception_handler(HTTPException, _http_error)
    app.state.awx = api
    return app
