"""The documented body of ``POST /operations-manager/jobs/start`` (seed 002).

One copy of the upstream's contract, used by the sandbox to enforce it and
by ``startOperationsJob`` to check input before anything is sent
(:func:`start_body_problems`). The seed's
external ``common#/definitions/ObjectIdLikeString`` reference is inlined.
"""

from __future__ import annotations

from typing import Any

import jsonschema

OBJECT_ID_LIKE: dict[str, Any] = {
    "type": "string",
    "pattern": "^[0-9a-fA-F]{24}$",
    "description": "ObjectId-like string: 24 hex digits",
}

START_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "workflow": {"title": "workflow", "type": "string"},
        "options": {
            "title": "options",
            "type": "object",
            "properties": {
                "description": {
                    "type": "string",
                    "description": "The description for the new Job.",
                    "examples": ["Example job description"],
                },
                "type": {"type": "string", "examples": ["automation"]},
                "variables": {
                    "type": "object",
                    "description": "Variables for the new Job.",
                    "additionalProperties": True,
                },
                "groups": {
                    "type": "array",
                    "description": "GBAC for the new Job.",
                    "items": OBJECT_ID_LIKE,
                },
            },
        },
    },
    "required": ["workflow", "options"],
    "additionalProperties": False,
}


_VALIDATOR = jsonschema.Draft7Validator(START_SCHEMA)


def start_body_problems(body: Any) -> list[jsonschema.ValidationError]:
    """Where ``body`` breaks the upstream's schema, in path order (empty: it conforms)."""
    return sorted(_VALIDATOR.iter_errors(body), key=lambda e: list(map(str, e.path)))
