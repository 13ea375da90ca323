"""The OpenAPI 3 description of the AWX sandbox, served at ``/openapi.json``.

It describes what the sandbox serves (see :mod:`sandbox.awx`), in
the shapes real AWX uses: the list envelope, the WorkflowJob, WorkflowJobNode,
JobTemplate and Job documents, the slice workflow job create body and Django
REST framework's error bodies.
"""

from __future__ import annotations

from typing import Any

from sandbox.awx_openapi_jobs import job_paths, job_schemas
from sandbox.awx_records import LAUNCH_TYPES, STATUSES, WEBHOOK_SERVICES

Schema = dict[str, Any]

_STATUSES = list(STATUSES)
_LAUNCH_TYPES = list(LAUNCH_TYPES)
_WEBHOOK_SERVICES = list(WEBHOOK_SERVICES)


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: Schema) -> Schema:
    return {**schema, "nullable": True}


_STR: Schema = {"type": "string"}
_INT: Schema = {"type": "integer"}
_BOOL: Schema = {"type": "boolean"}
_OBJ: Schema = {"type": "object", "additionalProperties": True}
_TIME: Schema = {"type": "string", "format": "date-time", "example": "2026-01-05T10:11:12.123456Z"}
_ELAPSED: Schema = {"type": "number", "description": "Seconds, three decimals."}


def _object(properties: dict[str, Schema], required: list[str] | None = None) -> Schema:
    schema: Schema = {"type": "object", "properties": properties}
    schema["required"] = required if required is not None else sorted(properties)
    return schema


def _schemas() -> dict[str, Schema]:
    brief = _object({"id": _INT, "name": _STR, "description": _STR})
    user = _object({"id": _INT, "username": _STR, "first_name": _STR, "last_name": _STR})
    labels = _object(
        {"count": _INT, "results": {"type": "array", "items": _object({"id": _INT, "name": _STR})}}
    )
    launched_by: Schema = {
        "type": "object",
        "description": "Empty when not launched by a user, a schedule or a workflow.",
        "properties": {
            "id": _INT,
            "name": _STR,
            "type": {"type": "string", "enum": ["user", "schedule", "workflow_job"]},
            "url": _STR,
        },
    }
    unified_job_template = _object(
        {"id": _INT, "name": _STR, "description": _STR, "unified_job_type": _STR}
    )
    job_summary = _object(
        {
            "id": _INT,
            "name": _STR,
            "description": _STR,
            "status": {"type": "string", "enum": _STATUSES},
            "failed": _BOOL,
            "elapsed": _ELAPSED,
            "type": _STR,
        },
        required=["id", "name", "status", "failed", "elapsed", "type"],
    )
    workflow_job_fields: dict[str, Schema] = {
        "id": _INT,
        "type": {"type": "string", "enum": ["workflow_job"]},
        "url": _STR,
        "related": {
            "type": "object",
            "additionalProperties": _STR,
            "description": "workflow_nodes, labels, activity_stream, relaunch, cancel, "
            "notifications, unified_job_template; job_template or workflow_job_template; "
            "created_by/modified_by when launched by a user; inventory when set.",
        },
        "summary_fields": {
            "type": "object",
            "properties": {
                "created_by": user,
                "modified_by": user,
                "job_template": brief,
                "workflow_job_template": brief,
                "unified_job_template": unified_job_template,
                "inventory": _OBJ,
                "webhook_credential": _OBJ,
                "labels": labels,
                "user_capabilities": _object({"delete": _BOOL, "start": _BOOL}),
            },
            "required": ["labels", "user_capabilities", "unified_job_template"],
        },
        "created": _TIME,
        "modified": _TIME,
        "name": {"type": "string", "minLength": 1, "maxLength": 512},
        "description": _STR,
        "unified_job_template": _INT,
        "launch_type": {"type": "string", "enum": _LAUNCH_TYPES},
        "status": {"type": "string", "enum": _STATUSES},
        "failed": _BOOL,
        "started": _nullable(_TIME),
        "finished": _nullable(_TIME),
        "canceled_on": _nullable(_TIME),
        "elapsed": _ELAPSED,
        "job_explanation": _STR,
        "launched_by": launched_by,
        "work_unit_id": _nullable(_STR),
        "workflow_job_template": _nullable(_INT),
        "extra_vars": {"type": "string", "description": "JSON text of the variables."},
        "allow_simultaneous": _BOOL,
        "job_template": _nullable(_INT),
        "is_sliced_job": _BOOL,
        "inventory": _nullable(_INT),
        "limit": _STR,
        "scm_branch": _STR,
        "webhook_service": {"type": "string", "enum": _WEBHOOK_SERVICES},
        "webhook_credential": _nullable(_INT),
        "webhook_guid": {"type": "string", "maxLength": 128},
        "skip_tags": _STR,
        "job_tags": _STR,
    }
    node_fields: dict[str, Schema] = {
        "id": _INT,
        "type": {"type": "string", "enum": ["workflow_job_node"]},
        "url": _STR,
        "related": {"type": "object", "additionalProperties": _STR},
        "summary_fields": {
            "type": "object",
            "properties": {
                "job": job_summary,
                "workflow_job": _OBJ,
                "unified_job_template": unified_job_template,
            },
            "required": ["workflow_job", "unified_job_template"],
            "description": "`job` only once the node spawned a job.",
        },
        "created": _TIME,
        "modified": _TIME,
        "workflow_job": _INT,
        "unified_job_template": _nullable(_INT),
        "job": _nullable(_INT),
        "identifier": _STR,
        "success_nodes": {"type": "array", "items": _INT},
        "failure_nodes": {"type": "array", "items": _INT},
        "always_nodes": {"type": "array", "items": _INT},
        "do_not_run": _BOOL,
        "all_parents_must_converge": _BOOL,
        "extra_data": _OBJ,
        "inventory": _nullable(_INT),
        "limit": _nullable(_STR),
        "scm_branch": _nullable(_STR),
        "job_type": _nullable(_STR),
        "job_tags": _nullable(_STR),
        "skip_tags": _nullable(_STR),
        "diff_mode": _nullable(_BOOL),
        "verbosity": _nullable(_INT),
    }
    template_fields: dict[str, Schema] = {
        "id": _INT,
        "type": {"type": "string", "enum": ["job_template"]},
        "url": _STR,
        "related": {"type": "object", "additionalProperties": _STR},
        "summary_fields": {
            "type": "object",
            "properties": {
                "inventory": _OBJ,
                "project": _OBJ,
                "user_capabilities": _object(
                    {
                        "edit": _BOOL,
                        "delete": _BOOL,
                        "start": _BOOL,
                        "schedule": _BOOL,
                        "copy": _BOOL,
                    }
                ),
            },
            "required": ["user_capabilities"],
        },
        "created": _TIME,
        "modified": _TIME,
        "name": _STR,
        "description": _STR,
        "job_type": {"type": "string", "enum": ["run", "check"]},
        "inventory": _nullable(_INT),
        "project": _nullable(_INT),
        "playbook": _STR,
        "forks": _INT,
        "limit": _STR,
        "verbosity": _INT,
        "extra_vars": _STR,
        "job_tags": _STR,
        "skip_tags": _STR,
        "job_slice_count": {"type": "integer", "minimum": 1},
        "status": _STR,
        "last_job_run": _nullable(_TIME),
        "last_job_failed": _BOOL,
        "next_job_run": _nullable(_TIME),
        "allow_simultaneous": _BOOL,
        "ask_variables_on_launch": _BOOL,
        "ask_inventory_on_launch": _BOOL,
        "ask_limit_on_launch": _BOOL,
        "ask_tags_on_launch": _BOOL,
        "ask_skip_tags_on_launch": _BOOL,
        "ask_scm_branch_on_launch": _BOOL,
        "webhook_service": {"type": "string", "enum": _WEBHOOK_SERVICES},
        "webhook_credential": _nullable(_INT),
    }
    create_body: Schema = {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 512},
            "description": _STR,
            "workflow_job_template": _nullable(_INT),
            "extra_vars": {
                "oneOf": [_STR, _OBJ],
                "description": "JSON or YAML text of a mapping, or an object.",
            },
            "allow_simultaneous": _BOOL,
            "is_sliced_job": _BOOL,
            "inventory": _nullable(_INT),
            "limit": _STR,
            "scm_branch": _STR,
            "webhook_service": {"type": "string", "enum": _WEBHOOK_SERVICES},
            "webhook_credential": _nullable(_INT),
            "webhook_guid": {"type": "string", "maxLength": 128},
            "skip_tags": _STR,
            "job_tags": _STR,
        },
    }
    launch_body: Schema = {
        "type": "object",
        "description": "Fields the template does not prompt for are returned in ignored_fields.",
        "properties": {
            "extra_vars": {"oneOf": [_STR, _OBJ]},
            "inventory": _INT,
            "limit": _STR,
            "job_tags": _STR,
            "skip_tags": _STR,
            "scm_branch": _STR,
        },
    }
    job: Schema = {
        "type": "object",
        "properties": {
            "id": _INT,
            "type": {"type": "string", "enum": ["job"]},
            "url": _STR,
            "name": _STR,
            "status": {"type": "string", "enum": _STATUSES},
            "failed": _BOOL,
            "started": _nullable(_TIME),
            "finished": _nullable(_TIME),
            "elapsed": _ELAPSED,
            "job_template": _INT,
            "launch_type": {"type": "string", "enum": _LAUNCH_TYPES},
        },
        "required": ["id", "type", "url", "name", "status", "failed", "job_template"],
        "additionalProperties": True,
    }
    return {
        "WorkflowJob": _object(workflow_job_fields),
        "WorkflowJobNode": _object(node_fields),
        "JobTemplate": _object(template_fields),
        "Job": job,
        "WorkflowJobCreate": create_body,
        "JobTemplateLaunch": launch_body,
        "LaunchedWorkflowJob": {
            "allOf": [
                _ref("WorkflowJob"),
                _object({"workflow_job": _INT, "ignored_fields": _OBJ}),
            ]
        },
        "LaunchedJob": {"allOf": [_ref("Job"), _object({"job": _INT, "ignored_fields": _OBJ})]},
        "WorkflowJobList": _list(_ref("WorkflowJob")),
        "WorkflowJobNodeList": _list(_ref("WorkflowJobNode")),
        "JobTemplateList": _list(_ref("JobTemplate")),
        "Detail": _object({"detail": _STR}),
        "ValidationErrors": {
            "type": "object",
            "description": "Per-field messages; errors not tied to a field under `__all__`.",
            "additionalProperties": {"type": "array", "items": _STR},
            "example": {"name": ["This field is required."]},
        },
        "CanCancel": _object({"can_cancel": _BOOL}),
    }


def _list(item: Schema) -> Schema:
    return _object(
        {
            "count": _INT,
            "next": _nullable({"type": "string", "example": "/api/v2/workflow_jobs/?page=2"}),
            "previous": _nullable(_STR),
            "results": {"type": "array", "items": item},
        }
    )


def _error(description: str) -> Schema:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref("Detail")}},
    }


def _ok(schema: str, status_description: str = "OK") -> Schema:
    return {
        "description": status_description,
        "content": {"application/json": {"schema": _ref(schema)}},
    }


_ID_PARAM: Schema = {"name": "id", "in": "path", "required": True, "schema": _INT}


def _list_parameters(examples: list[str]) -> list[Schema]:
    params: list[Schema] = [
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {
            "name": "page_size",
            "in": "query",
            "description": "Default 25; larger than 200 is silently cut to 200.",
            "schema": {"type": "integer", "minimum": 1},
        },
        {
            "name": "order_by",
            "in": "query",
            "description": "Comma-separated fields, `-` for descending. Default `id`.",
            "schema": _STR,
        },
        {"name": "search", "in": "query", "schema": _STR},
    ]
    params += [
        {
            "name": name,
            "in": "query",
            "description": "AWX field lookup; every field accepts __in, __gt, __lt, "
            "__icontains, ... and the not__/or__ prefixes.",
            "schema": _STR,
        }
        for name in examples
    ]
    return params


def _common_errors() -> dict[str, Schema]:
    return {
        "400": {
            "description": "Malformed filter or value",
            "content": {"application/json": {"schema": _ref("Detail")}},
        },
        "401": _error("No or wrong credentials"),
        "404": _error("Not found, or Invalid page."),
    }


def build_openapi() -> dict[str, Any]:
    """The OpenAPI document of the AWX sandbox."""
    wj_filters = [
        "id",
        "id__in",
        "status",
        "status__in",
        "not__status",
        "job_template",
        "created__gt",
        "created__lt",
        "created__gte",
        "created__lte",
        "name__icontains",
    ]
    node_filters = ["id", "id__in", "workflow_job", "workflow_job__in", "job"]
    template_filters = ["id", "id__in", "name__icontains"]
    create_errors = {
        "400": {
            "description": "Validation errors, or a body that is not JSON",
            "content": {
                "application/json": {
                    "schema": {"oneOf": [_ref("ValidationErrors"), _ref("Detail")]}
                }
            },
        },
        "401": _error("No or wrong credentials"),
        "403": _error("The caller may not start this template"),
        "404": _error("No such job template"),
        "415": _error("Unsupported media type"),
    }
    paths: dict[str, Any] = {
        "/api/v2/job_templates/": {
            "get": {
                "operationId": "listJobTemplates",
                "parameters": _list_parameters(template_filters),
                "responses": {"200": _ok("JobTemplateList"), **_common_errors()},
            }
        },
        "/api/v2/job_templates/{id}/": {
            "get": {
                "operationId": "getJobTemplate",
                "parameters": [_ID_PARAM],
                "responses": {"200": _ok("JobTemplate"), **_common_errors()},
            }
        },
        "/api/v2/job_templates/{id}/slice_workflow_jobs/": {
            "get": {
                "operationId": "listSliceWorkflowJobs",
                "parameters": [_ID_PARAM, *_list_parameters(wj_filters)],
                "responses": {"200": _ok("WorkflowJobList"), **_common_errors()},
            },
            "post": {
                "operationId": "createSliceWorkflowJob",
                "description": "Create a workflow job for the job template. Real AWX denies "
                "this (403); the sandbox allows it except on templates whose "
                "user_capabilities.start is false.",
                "parameters": [_ID_PARAM],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("WorkflowJobCreate")}},
                },
                "responses": {"201": _ok("WorkflowJob", "Created"), **create_errors},
            },
        },
        "/api/v2/job_templates/{id}/launch/": {
            "get": {
                "operationId": "getLaunchInfo",
                "parameters": [_ID_PARAM],
                "responses": {
                    "200": {
                        "description": "What launching needs",
                        "content": {"application/json": {"schema": _OBJ}},
                    },
                    **_common_errors(),
                },
            },
            "post": {
                "operationId": "launchJobTemplate",
                "description": "A template with job_slice_count > 1 answers a sliced workflow "
                "job; any other a job.",
                "parameters": [_ID_PARAM],
                "requestBody": {
                    "content": {"application/json": {"schema": _ref("JobTemplateLaunch")}}
                },
                "responses": {
                    "201": {
                        "description": "Launched",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "oneOf": [_ref("LaunchedWorkflowJob"), _ref("LaunchedJob")]
                                }
                            }
                        },
                    },
                    **create_errors,
                },
            },
        },
        "/api/v2/workflow_jobs/": {
            "get": {
                "operationId": "listWorkflowJobs",
                "parameters": _list_parameters(wj_filters),
                "responses": {"200": _ok("WorkflowJobList"), **_common_errors()},
            }
        },
        "/api/v2/workflow_jobs/{id}/": {
            "get": {
                "operationId": "getWorkflowJob",
                "parameters": [_ID_PARAM],
                "responses": {"200": _ok("WorkflowJob"), **_common_errors()},
            }
        },
        "/api/v2/workflow_jobs/{id}/workflow_nodes/": {
            "get": {
                "operationId": "listWorkflowJobWorkflowNodes",
                "parameters": [_ID_PARAM, *_list_parameters(node_filters)],
                "responses": {"200": _ok("WorkflowJobNodeList"), **_common_errors()},
            }
        },
        "/api/v2/workflow_jobs/{id}/cancel/": {
            "get": {
                "operationId": "getWorkflowJobCancel",
                "parameters": [_ID_PARAM],
                "responses": {"200": _ok("CanCancel"), **_common_errors()},
            },
            "post": {
                "operationId": "cancelWorkflowJob",
                "parameters": [_ID_PARAM],
                "responses": {
                    "202": {"description": "Cancel requested"},
                    "403": _error("The caller may not act on this workflow job"),
                    "405": _error("The workflow job cannot be canceled"),
                    **_common_errors(),
                },
            },
        },
        "/api/v2/workflow_jobs/{id}/relaunch/": {
            "get": {
                "operationId": "getWorkflowJobRelaunch",
                "parameters": [_ID_PARAM],
                "responses": {
                    "200": {
                        "description": "An empty object",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    **_common_errors(),
                },
            },
            "post": {
                "operationId": "relaunchWorkflowJob",
                "description": "A new workflow job with this one's settings, in any status; "
                "403 when the caller may not start it, 400 for a slice workflow job whose "
                "job template is gone.",
                "parameters": [_ID_PARAM],
                "responses": {
                    "201": _ok("WorkflowJob", "The new workflow job"),
                    "403": _error("The caller may not start this workflow job"),
                    **_common_errors(),
                },
            },
        },
        "/api/v2/workflow_job_nodes/": {
            "get": {
                "operationId": "listWorkflowJobNodes",
                "parameters": _list_parameters(node_filters),
                "responses": {"200": _ok("WorkflowJobNodeList"), **_common_errors()},
            }
        },
        "/api/v2/workflow_job_nodes/{id}/": {
            "get": {
                "operationId": "getWorkflowJobNode",
                "parameters": [_ID_PARAM],
                "responses": {"200": _ok("WorkflowJobNode"), **_common_errors()},
            }
        },
        **job_paths(),
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "AWX sandbox",
            "version": "v2",
            "description": "The part of the AWX / automation controller REST API the "
            "jobs gateway uses, as served by the sandbox.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}, {"basicAuth": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Personal access or OAuth2 token.",
                },
                "basicAuth": {"type": "http", "scheme": "basic"},
            },
            "schemas": {**_schemas(), **job_schemas()},
        },
    }
