"""OpenAPI 3.1 description of the sandbox operations manager."""

from __future__ import annotations

from typing import Any

from gateway.upstreams.opsmanager_start_schema import START_SCHEMA


def _envelope(data: dict[str, Any], metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["message", "data", "metadata"],
        "properties": {
            "message": {"type": "string"},
            "data": data,
            "metadata": metadata or {"type": "object"},
        },
    }


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERROR = {"$ref": "#/components/schemas/ErrorEnvelope"}
_JOB = {"$ref": "#/components/schemas/Job"}
_UNAUTHORIZED = _json(_ERROR, "No accepted credential")
_BAD_REQUEST = _json(_ERROR, "Invalid request")


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "description": description, "schema": schema}


def _operator(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "description": f"{description}. Written {name}[field]=value; field may be dotted.",
        "style": "deepObject",
        "explode": True,
        "schema": {"type": "object", "additionalProperties": {"type": "string"}},
    }


_PROJECTION = [
    _query(
        "include", "Comma list of top-level fields to keep (_id always kept)", {"type": "string"}
    ),
    _query("exclude", "Comma list of top-level fields to drop", {"type": "string"}),
    _query("dereference", "Only 'tasks' (tasks are returned as they are)", {"enum": ["tasks"]}),
]

_TASK: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "summary": {"type": "string"},
        "description": {"type": "string"},
        "location": {"type": "string"},
        "app": {"type": "string"},
        "type": {"type": "string", "examples": ["automatic", "manual", "operation"]},
        "actor": {"type": "string"},
        "status": {
            "type": "string",
            "examples": ["complete", "error", "running", "scheduled", "paused", "incomplete"],
        },
        "transitions": {
            "type": "object",
            "additionalProperties": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "task": {"type": "string"},
                        "type": {"enum": ["standard", "revert", "loop"]},
                    },
                },
            },
        },
        "metrics": {
            "type": "object",
            "properties": {
                "start_time": {"type": ["integer", "null"]},
                "end_time": {"type": ["integer", "null"]},
                "run_time": {"type": ["integer", "null"]},
                "finish_state": {"type": ["string", "null"]},
            },
        },
        "finish_state": {"type": ["string", "null"]},
        "variables": {"type": "object"},
        "iterations": {"type": "array"},
        "groups": {"type": "array"},
        "retrySettings": {"type": ["object", "null"]},
        "x": {"type": "number"},
        "y": {"type": "number"},
    },
}

_JOB_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["_id", "name", "status", "tasks", "created"],
    "properties": {
        "_id": {"type": "string", "pattern": "^[0-9a-f]{24}$"},
        "name": {"type": "string"},
        "description": {"type": "string"},
        "type": {"type": "string", "examples": ["automation", "resource:action"]},
        "status": {
            "type": "string",
            "examples": ["running", "complete", "canceled", "error", "paused", "incomplete"],
        },
        "tasks": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Task"}},
        "transitions": {"type": "object"},
        "variables": {"type": "object"},
        "created": {"type": "string", "format": "date-time"},
        "created_by": {"type": ["string", "null"]},
        "last_updated": {"type": "string", "format": "date-time"},
        "last_updated_by": {"type": ["string", "null"]},
        "error": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "task": {"type": "string"},
                    "message": {"type": ["string", "object"]},
                    "timestamp": {"type": "integer", "description": "epoch ms"},
                },
            },
        },
        "warnings": {"type": "array"},
        "ancestors": {"type": "array", "items": {"type": "string"}},
        "parent": {
            "type": ["object", "null"],
            "properties": {
                "job": {"type": "string"},
                "task": {"type": "string"},
                "iteration": {"type": "integer"},
                "element": {"type": "integer"},
            },
        },
        "errorHandler": {"type": ["object", "null"]},
        "groups": {"type": "array"},
        "watchers": {"type": "array"},
        "metrics": {
            "type": "object",
            "properties": {
                "start_time": {"type": "integer", "description": "epoch ms"},
                "end_time": {"type": ["integer", "null"]},
                "progress": {"type": "number", "minimum": 0, "maximum": 1},
                "user": {"type": ["string", "null"]},
                "owner": {"type": ["string", "null"]},
            },
        },
        "tags": {"type": "array"},
        "decorators": {"type": "array"},
        "validationErrors": {"type": "array"},
    },
}

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Sandbox operations manager (Itential-compatible)",
        "version": "1.0.0",
        "description": (
            "Reference implementation of the operations manager API used by jobs-gateway. "
            "Every answer is an envelope {message, data, metadata}. Control endpoints "
            "under /_sandbox/ need no credentials."
        ),
    },
    "security": [{"bearer": []}, {"basic": []}, {"queryToken": []}, {"cookieToken": []}],
    "paths": {
        "/operations-manager/jobs/start": {
            "post": {
                "operationId": "startJob",
                "summary": "Spawn a job from a workflow (every call makes a new job)",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": START_SCHEMA}},
                },
                "responses": {
                    "200": _json(_envelope(_JOB), "The started job"),
                    "400": _BAD_REQUEST,
                    "401": _UNAUTHORIZED,
                },
            }
        },
        "/operations-manager/jobs": {
            "get": {
                "operationId": "searchJobs",
                "summary": "Search jobs",
                "description": "As in Itential 2023.2 and later, listed jobs carry no "
                "`variables`, neither the job's nor its tasks'; GET /operations-manager/jobs/{id} "
                "has them.",
                "parameters": [
                    _operator("equals", "Field equals value"),
                    _operator("in", "Field is one of a comma list"),
                    _operator("not-in", "Field is none of a comma list"),
                    _operator("contains", "Case-insensitive substring"),
                    _operator("starts-with", "Case-sensitive prefix"),
                    _operator("gt", "Greater than (numbers, ISO timestamps)"),
                    _operator("lt", "Less than (numbers, ISO timestamps)"),
                    _query(
                        "limit",
                        "Page size; values above 100 are cut to 100",
                        {"type": "integer", "minimum": 0, "default": 25},
                    ),
                    _query("skip", "Jobs to skip", {"type": "integer", "minimum": 0, "default": 0}),
                    _query(
                        "sort", "Dotted field to sort by", {"type": "string", "default": "created"}
                    ),
                    _query("order", "1 ascending, -1 descending", {"enum": [1, -1], "default": -1}),
                    *_PROJECTION,
                ],
                "responses": {
                    "200": _json(
                        _envelope(
                            {"type": "array", "items": _JOB},
                            {
                                "type": "object",
                                "properties": {
                                    "total": {"type": "integer"},
                                    "skip": {"type": "integer"},
                                    "limit": {"type": "integer"},
                                },
                            },
                        ),
                        "Matching jobs",
                    ),
                    "400": _BAD_REQUEST,
                    "401": _UNAUTHORIZED,
                },
            }
        },
        "/operations-manager/jobs/{job_id}": {
            "get": {
                "operationId": "getJob",
                "summary": "One job",
                "parameters": [
                    {
                        "name": "job_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    },
                    *_PROJECTION,
                ],
                "responses": {
                    "200": _json(_envelope(_JOB), "The job"),
                    "400": _BAD_REQUEST,
                    "401": _UNAUTHORIZED,
                    "404": _json(_ERROR, "Job not found"),
                },
            }
        },
    },
    "components": {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "basic": {"type": "http", "scheme": "basic"},
            "queryToken": {"type": "apiKey", "in": "query", "name": "token"},
            "cookieToken": {"type": "apiKey", "in": "cookie", "name": "token"},
        },
        "schemas": {
            "ErrorEnvelope": _envelope({"type": "null"}),
            "Task": _TASK,
            "Job": _JOB_SCHEMA,
        },
    },
}


def _bulk_action(action: str, allowed: str, done: str) -> dict[str, Any]:
    return {
        "post": {
            "operationId": f"{action}Jobs",
            "summary": f"{action.capitalize()} jobs ({allowed} only; all or none)",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["jobIds"],
                            "additionalProperties": False,
                            "properties": {
                                "jobIds": {
                                    "type": "array",
                                    "minItems": 1,
                                    "maxItems": 100,
                                    "items": {"type": "string"},
                                }
                            },
                        }
                    }
                },
            },
            "responses": {
                "200": _json(_envelope({"type": "array", "items": _JOB}), f"The {done} jobs"),
                "400": _json(_ERROR, "A bad body, or a job whose status forbids the action"),
                "401": _UNAUTHORIZED,
                "404": _json(_ERROR, "Job not found"),
            },
        }
    }


_PATH_ID = {"in": "path", "required": True, "schema": {"type": "string"}}

OPENAPI["paths"].update(
    {
        "/operations-manager/jobs/cancel": _bulk_action(
            "cancel", "running, paused or error", "canceled"
        ),
        "/operations-manager/jobs/pause": _bulk_action("pause", "running", "paused"),
        "/operations-manager/jobs/resume": _bulk_action("resume", "paused", "resumed"),
        "/operations-manager/jobs/{job_id}/tasks/{task_id}/retry": {
            "post": {
                "operationId": "retryTask",
                "summary": "Run an errored task of an errored job again",
                "parameters": [{"name": "job_id", **_PATH_ID}, {"name": "task_id", **_PATH_ID}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "additionalProperties": False,
                                "properties": {"variables": {"type": "object"}},
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json(_envelope(_JOB), "The job, running again"),
                    "400": _json(_ERROR, "A bad body, or a job or task not in error"),
                    "401": _UNAUTHORIZED,
                    "404": _json(_ERROR, "Job not found, or Task not found"),
                },
            }
        },
    }
)
