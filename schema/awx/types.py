"""AWX types: ``WorkflowJob``, its ``WorkflowJobNode``s and ``JobTemplate``.

A page of workflow jobs costs one list request; all its ``jobTemplate``s one
``id__in`` request and all its ``nodes`` one ``workflow_job__in`` request
(more only when the nodes overflow AWX's 200-item page): nested fields go
through the loaders only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson
import strawberry

from gateway import coerce
from gateway.context import Info
from gateway.facts import workflow_job_facts
from schema.core.document_fields import read_lazily
from schema.core.ids import to_global_id
from schema.core.node import Doc, Job, JobDocument, LoadableDocument, Node, job_readers
from schema.core.scalars import JSON

_SOURCE_URL = re.compile(r"/workflow_jobs/(\d+)/?$")


def _id_of(value: Any) -> int | None:
    """An AWX reference: an int id, or an object carrying one."""
    if isinstance(value, dict):
        return coerce.integer(value.get("id"))
    return coerce.integer(value)


def parse_extra_vars(value: Any) -> Any:
    """AWX sends ``extra_vars`` as a JSON string; give the parsed value, or ``None``."""
    if isinstance(value, dict):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        return None


@strawberry.type(description="An AWX job template.")
class JobTemplate(Node, LoadableDocument):
    awx_id: int
    name: str | None
    description: str | None
    job_type: str | None
    inventory_id: int | None
    project_id: int | None
    playbook: str | None
    forks: int | None
    limit: str | None
    verbosity: int | None
    extra_vars: JSON | None
    job_tags: str | None
    skip_tags: str | None
    job_slice_count: int | None
    status: str | None
    last_job_run: datetime | None
    last_job_failed: bool | None
    next_job_run: datetime | None
    allow_simultaneous: bool | None
    webhook_service: str | None
    created_at: datetime | None
    updated_at: datetime | None
    can_start: bool | None = strawberry.field(
        description="Whether the credential used may launch it (`user_capabilities.start`)."
    )

    loader_name = "job_template_by_id"


def _in_template(convert: Callable[[Any], object], key: str) -> Callable[[JobTemplate], object]:
    return lambda template: convert(template._doc.get(key))


def _can_start(doc: Doc) -> bool | None:
    caps = (coerce.mapping(doc.get("summary_fields")) or {}).get("user_capabilities")
    return coerce.boolean(caps.get("start")) if isinstance(caps, dict) else None


read_lazily(
    JobTemplate,
    id=lambda template: strawberry.ID(to_global_id("JobTemplate", template.awx_id)),
    awx_id=lambda template: coerce.integer(template._doc.get("id")) or 0,
    name=_in_template(coerce.text, "name"),
    description=_in_template(coerce.text, "description"),
    job_type=_in_template(coerce.text, "job_type"),
    inventory_id=_in_template(_id_of, "inventory"),
    project_id=_in_template(_id_of, "project"),
    playbook=_in_template(coerce.text, "playbook"),
    forks=_in_template(coerce.integer, "forks"),
    limit=_in_template(coerce.text, "limit"),
    verbosity=_in_template(coerce.integer, "verbosity"),
    extra_vars=_in_template(parse_extra_vars, "extra_vars"),
    job_tags=_in_template(coerce.text, "job_tags"),
    skip_tags=_in_template(coerce.text, "skip_tags"),
    job_slice_count=_in_template(coerce.integer, "job_slice_count"),
    status=_in_template(coerce.text, "status"),
    last_job_run=_in_template(coerce.timestamp, "last_job_run"),
    last_job_failed=_in_template(coerce.boolean, "last_job_failed"),
    next_job_run=_in_template(coerce.timestamp, "next_job_run"),
    allow_simultaneous=_in_template(coerce.boolean, "allow_simultaneous"),
    webhook_service=_in_template(coerce.text, "webhook_service"),
    created_at=_in_template(coerce.timestamp, "created"),
    updated_at=_in_template(coerce.timestamp, "modified"),
    can_start=lambda template: _can_start(template._doc),
)


@strawberry.type(description="The job a workflow node spawned, as AWX summarises it.")
class SpawnedJob:
    awx_id: int | None
    name: str | None
    status: str | None
    failed: bool | None
    elapsed_seconds: float | None
    type: str | None


@strawberry.type(description="A node of an AWX workflow job.")
class WorkflowJobNode(Node, LoadableDocument):
    awx_id: int
    identifier: str | None
    workflow_job_id: int | None
    unified_job_template_id: int | None
    job_id: int | None
    success_node_ids: list[int]
    failure_node_ids: list[int]
    always_node_ids: list[int]
    do_not_run: bool | None
    all_parents_must_converge: bool | None
    spawned_job: SpawnedJob | None
    created_at: datetime | None
    updated_at: datetime | None

    loader_name = "workflow_job_node_by_id"

    @strawberry.field(description="The workflow job this node belongs to.")
    async def workflow_job(self, info: Info) -> WorkflowJob | None:
        if self.workflow_job_id is None:
            return None
        return await WorkflowJob.load(info, self.workflow_job_id)

    @classmethod
    async def of_workflow_job(cls, info: Info, workflow_job_id: int) -> list[WorkflowJobNode]:
        """The nodes of one workflow job, through the batched loader."""
        loader = info.context.loaders.workflow_job_nodes_by_workflow_job_id
        return [cls.from_doc(d) for d in await loader.load(workflow_job_id)]


def _spawned_job(doc: Doc) -> SpawnedJob | None:
    job = (coerce.mapping(doc.get("summary_fields")) or {}).get("job")
    if not isinstance(job, dict):
        return None
    return SpawnedJob(
        awx_id=coerce.integer(job.get("id")),
        name=coerce.text(job.get("name")),
        status=coerce.text(job.get("status")),
        failed=coerce.boolean(job.get("failed")),
        elapsed_seconds=coerce.number(job.get("elapsed")),
        type=coerce.text(job.get("type")),
    )


def _in_node(convert: Callable[[Any], object], key: str) -> Callable[[WorkflowJobNode], object]:
    return lambda node: convert(node._doc.get(key))


read_lazily(
    WorkflowJobNode,
    id=lambda node: strawberry.ID(to_global_id("WorkflowJobNode", node.awx_id)),
    awx_id=lambda node: coerce.integer(node._doc.get("id")) or 0,
    identifier=_in_node(coerce.text, "identifier"),
    workflow_job_id=_in_node(_id_of, "workflow_job"),
    unified_job_template_id=_in_node(_id_of, "unified_job_template"),
    job_id=_in_node(_id_of, "job"),
    success_node_ids=_in_node(coerce.int_list, "success_nodes"),
    failure_node_ids=_in_node(coerce.int_list, "failure_nodes"),
    always_node_ids=_in_node(coerce.int_list, "always_nodes"),
    do_not_run=_in_node(coerce.boolean, "do_not_run"),
    all_parents_must_converge=_in_node(coerce.boolean, "all_parents_must_converge"),
    spawned_job=lambda node: _spawned_job(node._doc),
    created_at=_in_node(coerce.timestamp, "created"),
    updated_at=_in_node(coerce.timestamp, "modified"),
)


def _source_workflow_job_id(doc: dict[str, Any]) -> int | None:
    summary = coerce.mapping(doc.get("summary_fields")) or {}
    source = summary.get("source_workflow_job")
    if isinstance(source, dict):
        return coerce.integer(source.get("id"))
    related = coerce.mapping(doc.get("related")) or {}
    url = related.get("source_workflow_job")
    if isinstance(url, str):
        match = _SOURCE_URL.search(url)
        if match:
            return int(match.group(1))
    return None


@strawberry.type(description="An AWX workflow job (sliced job runs included).")
class WorkflowJob(Job, JobDocument):
    awx_id: int
    type: str | None
    url: str | None
    description: str | None
    launch_type: str | None
    failed: bool | None
    canceled_on: datetime | None
    job_explanation: str | None
    launched_by: JSON | None
    work_unit_id: str | None
    workflow_job_template_id: int | None
    unified_job_template_id: int | None
    job_template_id: int | None
    is_sliced_job: bool | None
    extra_vars: JSON | None = strawberry.field(
        description="`extra_vars`, parsed from its JSON text."
    )
    extra_vars_text: str | None = strawberry.field(description="`extra_vars` as AWX sent it.")
    allow_simultaneous: bool | None
    inventory_id: int | None
    limit: str | None
    scm_branch: str | None
    webhook_service: str | None
    webhook_credential_id: int | None
    webhook_guid: str | None
    skip_tags: str | None
    job_tags: str | None
    related: JSON | None
    summary_fields: JSON | None
    source_workflow_job_id: int | None

    loader_name = "workflow_job_by_id"

    @strawberry.field(description="The job template a sliced run was created from.")
    async def job_template(self, info: Info) -> JobTemplate | None:
        if self.job_template_id is None:
            return None
        return await JobTemplate.load(info, self.job_template_id)

    @strawberry.field(description="The nodes of this workflow job.")
    async def nodes(self, info: Info) -> list[WorkflowJobNode] | None:
        return await WorkflowJobNode.of_workflow_job(info, self.awx_id)

    @strawberry.field(description="The workflow job this one relaunched, if any.")
    async def source_workflow_job(self, info: Info) -> WorkflowJob | None:
        if self.source_workflow_job_id is None:
            return None
        return await WorkflowJob.load(info, self.source_workflow_job_id)


def _in_job(convert: Callable[[Any], object], key: str) -> Callable[[WorkflowJob], object]:
    return lambda job: convert(job._doc.get(key))


read_lazily(
    WorkflowJob,
    **job_readers("WorkflowJob", workflow_job_facts),
    awx_id=lambda job: coerce.integer(job._doc.get("id")) or 0,
    type=_in_job(coerce.text, "type"),
    url=_in_job(coerce.text, "url"),
    description=_in_job(coerce.text, "description"),
    launch_type=_in_job(coerce.text, "launch_type"),
    failed=_in_job(coerce.boolean, "failed"),
    canceled_on=_in_job(coerce.timestamp, "canceled_on"),
    job_explanation=_in_job(coerce.text, "job_explanation"),
    launched_by=_in_job(coerce.mapping, "launched_by"),
    work_unit_id=_in_job(coerce.text, "work_unit_id"),
    workflow_job_template_id=_in_job(_id_of, "workflow_job_template"),
    unified_job_template_id=_in_job(_id_of, "unified_job_template"),
    job_template_id=_in_job(_id_of, "job_template"),
    is_sliced_job=_in_job(coerce.boolean, "is_sliced_job"),
    extra_vars=_in_job(parse_extra_vars, "extra_vars"),
    extra_vars_text=_in_job(coerce.text, "extra_vars"),
    allow_simultaneous=_in_job(coerce.boolean, "allow_simultaneous"),
    inventory_id=_in_job(_id_of, "inventory"),
    limit=_in_job(coerce.text, "limit"),
    scm_branch=_in_job(coerce.text, "scm_branch"),
    webhook_service=_in_job(coerce.text, "webhook_service"),
    webhook_credential_id=_in_job(_id_of, "webhook_credential"),
    webhook_guid=_in_job(coerce.text, "webhook_guid"),
    skip_tags=_in_job(coerce.text, "skip_tags"),
    job_tags=_in_job(coerce.text, "job_tags"),
    related=_in_job(coerce.mapping, "related"),
    summary_fields=_in_job(coerce.mapping, "summary_fields"),
    source_workflow_job_id=lambda job: _source_workflow_job_id(job._doc),
)
