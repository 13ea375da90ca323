"""``node(id)`` and ``nodes(ids)``: Relay lookups routed by global id to the loaders.

``nodes`` with ids of several systems costs at most one request per batching
upstream (the loaders batch) and runs the jobs store's single GETs
concurrently. A bad id fails only its own entry.
"""

from __future__ import annotations

import asyncio
from typing import Any

import strawberry

from gateway.context import Info
from gateway.errors import BadUserInput
from schema.flow_jobs import FlowJob
from schema.ids import from_global_id
from schema.node import Node
from schema.operations_jobs import OperationsJob
from schema.workflow_jobs import JobTemplate, WorkflowJob, WorkflowJobNode

MAX_NODES = 500


async def _load(info: Info, global_id: str) -> Node | None:
    type_name, local_id = from_global_id(global_id)
    loaders = info.context.loaders
    doc: dict[str, Any] | None
    if type_name == "FlowJob":
        doc = await loaders.flow_job_by_id.load(local_id)
        return FlowJob.from_doc(doc) if doc else None
    if type_name == "OperationsJob":
        doc = await loaders.operations_job_by_id.load(local_id)
        return OperationsJob.from_doc(doc) if doc else None
    if type_name == "WorkflowJob":
        doc = await loaders.workflow_job_by_id.load(int(local_id))
        return WorkflowJob.from_doc(doc) if doc else None
    if type_name == "JobTemplate":
        doc = await loaders.job_template_by_id.load(int(local_id))
        return JobTemplate.from_doc(doc) if doc else None
    doc = await info.context.awx.detail(f"/api/v2/workflow_job_nodes/{int(local_id)}/")
    return WorkflowJobNode.from_doc(doc) if doc else None


@strawberry.type
class NodeQueries:
    @strawberry.field(description="Any object by its global id; null when it does not exist.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await _load(info, str(id))

    @strawberry.field(
        description="Objects by global id, in order; null (with an error) for a bad or failed id."
    )
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > MAX_NODES:
            raise BadUserInput(f"at most {MAX_NODES} ids at once", argument="ids")
        results = await asyncio.gather(*(_load(info, str(i)) for i in ids), return_exceptions=True)
        out: list[Any] = []
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result, Exception):
                raise result
            out.append(result)  # an Exception here becomes this entry's own error
        return out
