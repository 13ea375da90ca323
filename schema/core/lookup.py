"""``node(id)`` and ``nodes(ids)``: Relay lookups routed by global id to the loaders.

Every node type loads through its batched loader, so ``nodes`` with ids of
several systems costs at most one request per batching upstream (AWX:
workflow jobs, templates and nodes each one ``id__in``; the operations
manager one ``in[_id]``) and runs the jobs store's single GETs concurrently.
A bad id fails only its own entry.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import strawberry

from gateway.context import Info
from gateway.errors import BadUserInput
from schema.core.ids import from_global_id
from schema.core.node import LoadableDocument, Node

MAX_NODES = 500

NODE_TYPES: dict[str, type[LoadableDocument]] = {}
"""Node types by name; each domain package registers its own (:func:`register_node_types`)."""


def register_node_types(*types: type[LoadableDocument]) -> None:
    """Make these types reachable by ``node(id)``."""
    for cls in types:
        NODE_TYPES[cls.__name__] = cls


async def load_node(info: Info, global_id: str) -> Node | None:
    """The object a global id names, or ``None``; ``BAD_USER_INPUT`` for a foreign id."""
    type_name, key = from_global_id(global_id)
    cls = NODE_TYPES.get(type_name)
    if cls is None:
        raise BadUserInput(f"{global_id[:100]!r} is not a valid node id", argument="id")
    node: Node | None = await cls.load(info, key)  # type: ignore[assignment]
    return node


@strawberry.type
class NodeQueries:
    @strawberry.field(description="Any object by its global id; null when it does not exist.")
    async def node(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="A global id, as an object's `id` gives it; one this gateway did not "
                "hand out is a BAD_USER_INPUT error."
            ),
        ],
    ) -> Node | None:
        return await load_node(info, str(id))

    @strawberry.field(
        description="Objects by global id, in order; null (with an error) for a bad or failed id."
    )
    async def nodes(
        self,
        info: Info,
        ids: Annotated[
            list[strawberry.ID],
            strawberry.argument(
                description=f"Global ids, at most {MAX_NODES}; the answer has one entry per "
                "id, in the same order."
            ),
        ],
    ) -> list[Node | None]:
        return await load_nodes(info, ids)


async def load_nodes(info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
    """The objects of many global ids, in order; a bad or failed id is its entry's own error."""
    if len(ids) > MAX_NODES:
        raise BadUserInput(f"at most {MAX_NODES} ids at once", argument="ids")
    results = await asyncio.gather(*(load_node(info, str(i)) for i in ids), return_exceptions=True)
    out: list[Any] = []
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, Exception):
            raise result
        out.append(result)  # an Exception here becomes this entry's own error
    return out
