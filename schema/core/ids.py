"""Relay global ids: ``base64("<TypeName>:<upstream id>")``.

Opaque to clients, stable, and enough on their own to route a ``node(id)``
lookup to the right upstream loader.
"""

from __future__ import annotations

import base64
import binascii

from gateway.errors import BadUserInput

NODE_TYPES = frozenset(
    {"FlowJob", "OperationsJob", "WorkflowJob", "JobTemplate", "WorkflowJobNode"}
)
INT_ID_TYPES = frozenset({"WorkflowJob", "JobTemplate", "WorkflowJobNode"})


def to_global_id(type_name: str, local_id: object) -> str:
    """The global id of an object."""
    return base64.urlsafe_b64encode(f"{type_name}:{local_id}".encode()).decode("ascii")


def from_global_id(global_id: str) -> tuple[str, str]:
    """``(type name, local id)``; ``BadUserInput`` when the id is not one of ours."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        decoded = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise BadUserInput(f"{global_id!r} is not a valid node id", argument="id") from None
    type_name, sep, local_id = decoded.partition(":")
    if not sep or type_name not in NODE_TYPES or not local_id:
        raise BadUserInput(f"{global_id!r} is not a valid node id", argument="id")
    if type_name in INT_ID_TYPES and not local_id.isdigit():
        raise BadUserInput(f"{global_id!r} is not a valid node id", argument="id")
    return type_name, local_id


MAX_ID_LENGTH = 200


def check_id(value: str, argument: str) -> str:
    """Reject upstream ids no upstream could hold, before any request."""
    if not value or len(value) > MAX_ID_LENGTH or any(c.isspace() for c in value):
        raise BadUserInput(f"`{argument}` is not a valid id", argument=argument)
    return value


def check_positive(value: int, argument: str) -> int:
    """Reject an integer id below 1, before any request."""
    if value <= 0:
        raise BadUserInput(f"`{argument}` must be a positive integer", argument=argument)
    return value
