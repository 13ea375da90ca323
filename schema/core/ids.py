"""Relay global ids: ``base64("<TypeName>:<upstream id>")``.

Opaque to clients, stable, and enough on their own to route a ``node(id)``
lookup to the right upstream loader. One object has one global id: a decoded
id is accepted only when it re-encodes to what was given (padding aside), its
integer ids are canonical ASCII decimals, and its string ids pass
:func:`check_id`.
"""

from __future__ import annotations

import base64
import binascii

from gateway.errors import BadUserInput
from gateway.input_checks import INT64_MAX, ascii_decimal, describe_character, unsafe_character

AWX_SPAWNED_JOB_TYPES = frozenset(
    {"PlaybookJob", "ProjectUpdate", "InventoryUpdate", "OtherAwxJob"}
)
"""The AWX job types of what workflow nodes spawn (:mod:`schema.awx.spawned_jobs`)."""
NODE_TYPES = (
    frozenset({"FlowJob", "OperationsJob", "WorkflowJob", "JobTemplate", "WorkflowJobNode"})
    | AWX_SPAWNED_JOB_TYPES
)
INT_ID_TYPES = frozenset({"WorkflowJob", "JobTemplate", "WorkflowJobNode"}) | AWX_SPAWNED_JOB_TYPES
MAX_ID_LENGTH = 200
MAX_GLOBAL_ID_LENGTH = 4 * (len("WorkflowJobNode:") + MAX_ID_LENGTH) // 3 + 4


def to_global_id(type_name: str, local_id: object) -> str:
    """The global id of an object."""
    return base64.urlsafe_b64encode(f"{type_name}:{local_id}".encode()).decode("ascii")


def from_global_id(global_id: str) -> tuple[str, str | int]:
    """``(type name, upstream id)``: an ``int`` for AWX types, else the checked string.

    ``BadUserInput`` when the id is not one this gateway hands out.
    """
    bad = BadUserInput(f"{global_id[:100]!r} is not a valid node id", argument="id")
    if len(global_id) > MAX_GLOBAL_ID_LENGTH:
        raise bad
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        decoded = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise bad from None
    type_name, sep, local_id = decoded.partition(":")
    if not sep or type_name not in NODE_TYPES:
        raise bad
    if to_global_id(type_name, local_id).rstrip("=") != global_id.rstrip("="):
        raise bad
    if type_name in INT_ID_TYPES:
        number = ascii_decimal(local_id, maximum=INT64_MAX)
        if number is None or number == 0:
            raise bad
        return type_name, number
    if _id_problem(local_id) is not None:
        raise bad
    return type_name, local_id


def _id_problem(value: str) -> str | None:
    """Why ``value`` cannot be an upstream's string id, or ``None``."""
    if not value:
        return "must not be empty"
    if len(value) > MAX_ID_LENGTH:
        return f"must be at most {MAX_ID_LENGTH} characters"
    char = unsafe_character(value)
    if char is not None:
        return f"must not contain control characters ({describe_character(char)})"
    if any(c.isspace() for c in value):
        return "must not contain spaces"
    return None


def check_id(value: str, argument: str) -> str:
    """Reject upstream ids no upstream could hold, before any request.

    Ids travel in upstream paths: besides length and spaces, control
    characters and lone surrogates are refused here rather than percent-encoded.
    """
    problem = _id_problem(value)
    if problem is not None:
        raise BadUserInput(f"`{argument}` is not a valid id: it {problem}", argument=argument)
    return value


def check_positive(value: int, argument: str) -> int:
    """Reject an integer id below 1 (or beyond 64 bits), before any request."""
    if not 0 < value <= INT64_MAX:
        raise BadUserInput(f"`{argument}` must be a positive integer", argument=argument)
    return value
