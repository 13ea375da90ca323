"""OpenAPI 3.1 description of the sandbox jobs store (served at ``/openapi.json``)."""

from __future__ import annotations

from typing import Any


def _array_of(ref: str) -> dict[str, Any]:
    return {"type": "array", "items": {"$ref": ref}}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_PROBLEM = {"$ref": "#/components/schemas/ProblemDetails"}
_ERRORS: dict[str, Any] = {
    "401": _json(_PROBLEM, "Missing or wrong Bearer token"),
}
_BAD_REQUEST = _json(_PROBLEM, "Invalid request")
_JOBS = _json(_array_of("#/components/schemas/Job"), "Jobs")
_NULLABLE_STRING = {"type": ["string", "null"]}
_TIMESTAMP = {
    "type": ["string", "null"],
    "description": "ISO 8601 UTC, fraction of 0 to 3 digits: 2021-10-01T12:48:13.8Z",
}

_STEP: dict[str, Any] = {
    "type": "object",
    "properties": {
        "values": {"type": "array", "items": {"type": "string"}},
        "valueResourceIds": {"type": "array", "items": {"type": "string"}},
        "uniqueStepId": {"type": "string", "format": "uuid"},
        "previousUniqueStepId": {"type": "string", "description": "empty for the first step"},
        "userId": _NULLABLE_STRING,
        "userName": _NULLABLE_STRING,
        "deviceId": _NULLABLE_STRING,
        "stepId": {"type": "string", "format": "uuid"},
        "stepNumber": {"type": "integer"},
        "stepTitle": {"type": "string"},
        "stepDescription": {"type": "string"},
        "stepType": {
            "type": "string",
            "examples": ["ConfirmStep", "Text", "Number", "Photo", "Signature", "Checklist"],
        },
        "connectionType": _NULLABLE_STRING,
        "started": _TIMESTAMP,
        "completed": _TIMESTAMP,
        "updated": _TIMESTAMP,
        "cancelled": _TIMESTAMP,
        "timeEvents": {
            "type": ["object", "null"],
            "additionalProperties": {"type": "integer"},
            "description": "timestamp -> event code",
        },
        "note": _NULLABLE_STRING,
        "noteResourceFilenames": {"type": ["array", "null"], "items": {"type": "string"}},
        "coordinates": {"type": ["object", "null"]},
        "parentStepId": _NULLABLE_STRING,
        "parentUniqueStepId": _NULLABLE_STRING,
        "parentStepTitle": _NULLABLE_STRING,
        "parentStepDescription": _NULLABLE_STRING,
        "metadata": {"type": "object", "properties": {"tags": {"type": "string"}}},
    },
}

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Sandbox jobs store (WorkfloPlus-compatible)",
        "version": "1.0.0",
        "description": (
            "Reference implementation of the jobs store API used by jobs-gateway. "
            "Control endpoints under /_sandbox/ (stats, reset, faults) need no credentials."
        ),
    },
    "security": [{"bearer": []}],
    "paths": {
        "/jobs/v1": {
            "post": {
                "operationId": "createJob",
                "summary": "Create a job (no deduplication by clientJobId)",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/NewJob"}}
                    },
                },
                "responses": {
                    "200": _json({"$ref": "#/components/schemas/Job"}, "The stored job"),
                    "400": _BAD_REQUEST,
                    **_ERRORS,
                },
            },
            "get": {
                "operationId": "listJobs",
                "summary": "Jobs, newest first",
                "parameters": [
                    {"$ref": "#/components/parameters/skip"},
                    {"$ref": "#/components/parameters/limit"},
                ],
                "responses": {"200": _JOBS, "400": _BAD_REQUEST, **_ERRORS},
            },
        },
        "/jobs/v1/": {
            "post": {
                "operationId": "createJobSlash",
                "summary": "Same as POST /jobs/v1",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/NewJob"}}
                    },
                },
                "responses": {
                    "200": _json({"$ref": "#/components/schemas/Job"}, "The stored job"),
                    "400": _BAD_REQUEST,
                    **_ERRORS,
                },
            },
            "get": {
                "operationId": "listJobsSlash",
                "summary": "Same as GET /jobs/v1",
                "parameters": [
                    {"$ref": "#/components/parameters/skip"},
                    {"$ref": "#/components/parameters/limit"},
                ],
                "responses": {"200": _JOBS, "400": _BAD_REQUEST, **_ERRORS},
            },
        },
        "/jobs/v1/bson/{job_id}": {
            "get": {
                "operationId": "getJobById",
                "summary": "One job by jobId, as a one-element array",
                "parameters": [
                    {"name": "job_id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": _JOBS,
                    "404": _json(_PROBLEM, "No job with that id"),
                    **_ERRORS,
                },
            }
        },
        "/jobs/v1/workflow/{workflow_id}": {
            "get": {
                "operationId": "getJobsByWorkflow",
                "summary": "Jobs of one workflow, newest first",
                "parameters": [
                    {
                        "name": "workflow_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                ],
                "responses": {"200": _JOBS, **_ERRORS},
            }
        },
        "/jobs/v1/{client_job_id}": {
            "get": {
                "operationId": "getJobsByClientJobId",
                "summary": "Jobs with that metadata.clientJobId (empty array when none)",
                "parameters": [
                    {
                        "name": "client_job_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                ],
                "responses": {"200": _JOBS, **_ERRORS},
            }
        },
    },
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "parameters": {
            "skip": {
                "name": "skip",
                "in": "query",
                "schema": {"type": "integer", "minimum": 0, "default": 0},
            },
            "limit": {
                "name": "limit",
                "in": "query",
                "schema": {"type": "integer", "minimum": 0, "default": 20},
            },
        },
        "schemas": {
            "ProblemDetails": {
                "type": "object",
                "required": ["type", "title", "status"],
                "properties": {
                    "type": {"type": "string"},
                    "title": {"type": "string"},
                    "status": {"type": "integer"},
                },
            },
            "StepEntry": {
                "type": "object",
                "properties": {
                    "singleStep": {
                        "oneOf": [{"$ref": "#/components/schemas/Step"}, {"type": "null"}]
                    },
                    "reportStep": {"type": ["object", "null"]},
                },
            },
            "Step": _STEP,
            "JobMetadata": {
                "type": "object",
                "properties": {
                    "clientJobId": {"type": "string"},
                    "workflowId": _NULLABLE_STRING,
                    "workflowVersionId": _NULLABLE_STRING,
                    "jobTitle": _NULLABLE_STRING,
                    "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
                    "created": _TIMESTAMP,
                    "updated": _TIMESTAMP,
                    "modified": _TIMESTAMP,
                    "status": {
                        "type": ["string", "null"],
                        "examples": ["InProgress", "Paused", "Completed", "Aborted"],
                    },
                    "userId": _NULLABLE_STRING,
                    "currentStep": {
                        "oneOf": [{"$ref": "#/components/schemas/StepEntry"}, {"type": "null"}]
                    },
                    "abandonReason": _NULLABLE_STRING,
                    "username": _NULLABLE_STRING,
                    "workflowName": _NULLABLE_STRING,
                },
            },
            "NewJob": {
                "type": "object",
                "required": ["metadata"],
                "properties": {
                    "metadata": {"$ref": "#/components/schemas/JobMetadata"},
                    "completedSteps": {
                        "type": ["array", "null"],
                        "items": {"$ref": "#/components/schemas/StepEntry"},
                    },
                    "cancelledSteps": {
                        "type": ["array", "null"],
                        "items": {"$ref": "#/components/schemas/StepEntry"},
                    },
                    "team": _NULLABLE_STRING,
                    "hierarchyStack": {"type": ["array", "null"]},
                    "packetIds": {"type": ["array", "null"], "items": {"type": "string"}},
                    "jobExclusion": {"type": "array"},
                    "excluded": {"type": "boolean"},
                },
            },
            "Job": {
                "allOf": [
                    {"$ref": "#/components/schemas/NewJob"},
                    {
                        "type": "object",
                        "required": ["jobId"],
                        "properties": {"jobId": {"type": "string", "pattern": "^[0-9a-f]{24}$"}},
                    },
                ]
            },
        },
    },
}
