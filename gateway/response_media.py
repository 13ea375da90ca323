"""Which media type a GraphQL answer goes out as, and with which status (GraphQL over HTTP).

A client that accepts ``application/graphql-response+json`` gets it, with the
spec's status codes: a *request error* (the document did not parse or
validate, a variable did not coerce, the operation was refused before it ran)
is ``400`` and has no ``data`` entry at all; anything that ran is ``200``, even
when all its fields failed. A client that asks only for ``application/json``
(or for nothing) keeps the legacy answer: ``200`` and ``"data": null``.

A request error is told from the answer alone: ``data`` is null and no error
has a ``path`` (an error raised while executing always names its field).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
LEGACY_JSON = "application/json"


def accepts_graphql_response(accept: str) -> bool:
    """Whether ``accept`` lists ``application/graphql-response+json`` with a q above 0."""
    for part in accept.split(","):
        media_type, *params = (p.strip() for p in part.split(";"))
        if media_type.lower() != GRAPHQL_RESPONSE_JSON:
            continue
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    return float(value) > 0
                except ValueError:
                    return False
        return True
    return False


def is_request_error(answer: Mapping[str, Any]) -> bool:
    """Whether an answer refuses the request (no data, and no error located in a field)."""
    errors = answer.get("errors")
    if answer.get("data") is not None or not isinstance(errors, list) or not errors:
        return False
    return all(isinstance(e, Mapping) and not e.get("path") for e in errors)


def negotiated(answer: dict[str, Any], accept: str) -> tuple[int, str, dict[str, Any]]:
    """``(status, media type, answer)`` of a GraphQL answer for a client's ``Accept``."""
    if not accepts_graphql_response(accept):
        return 200, LEGACY_JSON, answer
    if is_request_error(answer):
        return 400, GRAPHQL_RESPONSE_JSON, {k: v for k, v in answer.items() if k != "data"}
    return 200, GRAPHQL_RESPONSE_JSON, answer
