"""OpenAPI paths and schemas of the AWX sandbox's jobs of every type.

See :mod:`sandbox.awx_job_views` for what they serve.
"""

from __future__ import annotations

from typing import Any

from sandbox.awx_records import STATUSES

Schema = dict[str, Any]

_STR: Schema = {"type": "string"}
_INT: Schema = {"type": "integer"}
_ID_PARAM: Schema = {"name": "id", "in": "path", "required": True, "schema": _INT}
_TYPES = ["job", "project_update", "inventory_update", "workflow_job"]


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _ok(schema: Schema) -> Schema:
    return {"description": "OK", "content": {"application/json": {"schema": schema}}}


def _errors() -> dict[str, Schema]:
    detail = {"application/json": {"schema": _ref("Detail")}}
    return {
        "400": {"description": "Malformed filter or value", "content": detail},
        "401": {"description": "No or wrong credentials", "content": detail},
        "404": {
            "description": "Not found (or not of this type), or Invalid page.",
            "content": detail,
        },
    }


def job_schemas() -> dict[str, Schema]:
    """``UnifiedJob``, ``UnifiedJobList``, ``JobDetail`` and ``StdoutRange``."""
    unified: Schema = {
        "type": "object",
        "description": "A job of any type, in its own type's list shape; `type` names it. "
        "Playbook jobs add job_template, playbook, inventory, project, ...; project updates "
        "project, scm_type, scm_url, scm_revision; inventory updates inventory, "
        "inventory_source, source; workflow jobs the WorkflowJob fields.",
        "additionalProperties": True,
        "properties": {
            "id": _INT,
            "type": {"type": "string", "enum": _TYPES},
            "url": _STR,
            "name": _STR,
            "status": {"type": "string", "enum": list(STATUSES)},
            "failed": {"type": "boolean"},
            "started": {"type": "string", "format": "date-time", "nullable": True},
            "finished": {"type": "string", "format": "date-time", "nullable": True},
            "elapsed": {"type": "number"},
            "launch_type": _STR,
            "launched_by": {"type": "object", "additionalProperties": True},
            "unified_job_template": _INT,
        },
        "required": ["id", "type", "status", "failed", "elapsed"],
    }
    counts = {
        "type": "object",
        "description": "Hosts per final state (each host once, in its worst state); {} until "
        "the playbook's stats arrive.",
        "properties": dict.fromkeys(("ok", "changed", "failures", "dark", "skipped"), _INT),
    }
    return {
        "UnifiedJob": unified,
        "UnifiedJobList": {
            "type": "object",
            "properties": {
                "count": _INT,
                "next": {"type": "string", "nullable": True},
                "previous": {"type": "string", "nullable": True},
                "results": {"type": "array", "items": _ref("UnifiedJob")},
            },
            "required": ["count", "next", "previous", "results"],
        },
        "JobDetail": {
            "allOf": [
                _ref("UnifiedJob"),
                {
                    "type": "object",
                    "properties": {
                        "host_status_counts": counts,
                        "playbook_counts": {
                            "type": "object",
                            "properties": {"play_count": _INT, "task_count": _INT},
                        },
                    },
                },
            ]
        },
        "StdoutRange": {
            "type": "object",
            "description": "`format=json`: lines start..end (end excluded) of absolute_end; "
            "over STDOUT_MAX_BYTES_DISPLAY the content is AWX's 'too large' message and the "
            "range 0..1 of 1.",
            "properties": {
                "range": {
                    "type": "object",
                    "properties": {"start": _INT, "end": _INT, "absolute_end": _INT},
                    "required": ["start", "end", "absolute_end"],
                },
                "content": _STR,
            },
            "required": ["range", "content"],
        },
    }


def job_paths() -> dict[str, Any]:
    """``/unified_jobs/``, the detail of each spawned type and its ``stdout/``."""
    stdout_params: list[Schema] = [
        _ID_PARAM,
        {
            "name": "format",
            "in": "query",
            "description": "`json` (default here): a line range; `txt` (ANSI removed) and "
            "`ansi`: the whole output as text/plain, start_line/end_line ignored.",
            "schema": {"type": "string", "enum": ["json", "txt", "ansi"]},
        },
        {
            "name": "start_line",
            "in": "query",
            "description": "First line, 0-based (negative: from the end). Default 0.",
            "schema": _INT,
        },
        {
            "name": "end_line",
            "in": "query",
            "description": "Line after the last one (excluded). Default: the end.",
            "schema": _INT,
        },
    ]
    paths: dict[str, Any] = {
        "/api/v2/unified_jobs/": {
            "get": {
                "operationId": "listUnifiedJobs",
                "description": "Every job of every type. `type=job,project_update` keeps those "
                "types; field lookups (`id__in=`, `status=`, ...) on the fields all types share.",
                "parameters": [
                    {"name": name, "in": "query", "schema": _STR}
                    for name in ("id__in", "type", "status", "page", "page_size", "order_by")
                ],
                "responses": {"200": _ok(_ref("UnifiedJobList")), **_errors()},
            }
        }
    }
    for kind, segment, schema in (
        ("job", "jobs", "JobDetail"),
        ("project_update", "project_updates", "UnifiedJob"),
        ("inventory_update", "inventory_updates", "UnifiedJob"),
    ):
        name = "".join(part.title() for part in kind.split("_"))
        paths[f"/api/v2/{segment}/{{id}}/"] = {
            "get": {
                "operationId": f"get{name}",
                "description": "The detail; a playbook job's carries host_status_counts and "
                "playbook_counts (the list shape does not)."
                if kind == "job"
                else "The detail.",
                "parameters": [_ID_PARAM],
                "responses": {"200": _ok(_ref(schema)), **_errors()},
            }
        }
        paths[f"/api/v2/{segment}/{{id}}/stdout/"] = {
            "get": {
                "operationId": f"get{name}Stdout",
                "parameters": stdout_params,
                "responses": {
                    "200": {
                        "description": "A line range (json) or the whole text (txt, ansi)",
                        "content": {
                            "application/json": {"schema": _ref("StdoutRange")},
                            "text/plain": {"schema": _STR},
                        },
                    },
                    **_errors(),
                },
            }
        }
    return paths
