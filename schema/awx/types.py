"""AWX types: ``WorkflowJob``, its ``WorkflowJobNode``s and ``JobTemplate``.

A page of workflow jobs costs one list request; all its ``jobTemplate``s one
``id__in`` request and all its ``nodes`` one ``workflow_job__in`` request
(more only when the nodes overflow AWX's 200-item page): nested fields go
through the loaders only.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import orjson
import strawberry

from gateway import coerce
from gateway.context import Info
from gateway.facts import workflow_job_facts
from schema.core.ids import to_global_id
from schema.core.node import Job, LoadableDocument, Node, job_fields
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

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> JobTemplate:
        awx_id = coerce.integer(doc.get("id")) or 0
        caps = (coerce.mapping(doc.get("summary_fields")) or {}).get("user_capabilities")
        return cls(
            id=strawberry.ID(to_global_id("JobTemplate", awx_id)),
            awx_id=awx_id,
            name=coerce.text(doc.get("name")),
            description=coerce.text(doc.get("description")),
            job_type=coerce.text(doc.get("job_type")),
            inventory_id=_id_of(doc.get("inventory")),
            project_id=_id_of(doc.get("project")),
            playbook=coerce.text(doc.get("playbook")),
            forks=coerce.integer(doc.get("forks")),
            limit=coerce.text(doc.get("limit")),
            verbosity=coerce.integer(doc.get("verbosity")),
            extra_vars=parse_extra_vars(doc.get("extra_vars")),
            job_tags=coerce.text(doc.get("job_tags")),
            skip_tags=coerce.text(doc.get("skip_tags")),
            job_slice_count=coerce.integer(doc.get("job_slice_count")),
            status=coerce.text(doc.get("status")),
            last_job_run=coerce.timestamp(doc.get("last_job_run")),
            last_job_failed=coerce.boolean(doc.get("last_job_failed")),
            next_job_run=coerce.timestamp(doc.get("next_job_run")),
            allow_simultaneous=coerce.boolean(doc.get("allow_simultaneous")),
            webhook_service=coerce.text(doc.get("webhook_service")),
            created_at=coerce.timestamp(doc.get("created")),
            updated_at=coerce.timestamp(doc.get("modified")),
            can_start=coerce.boolean(caps.get("start")) if isinstance(caps, dict) else None,
            _doc=doc,
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

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> WorkflowJobNode:
        awx_id = coerce.integer(doc.get("id")) or 0
        job = (coerce.mapping(doc.get("summary_fields")) or {}).get("job")
        spawned = None
        if isinstance(job, dict):
            spawned = SpawnedJob(
                awx_id=coerce.integer(job.get("id")),
                name=coerce.text(job.get("name")),
                status=coerce.text(job.get("status")),
                failed=coerce.boolean(job.get("failed")),
                elapsed_seconds=coerce.number(job.get("elapsed")),
                type=coerce.text(job.get("type")),
            )
        return cls(
            id=strawberry.ID(to_global_id("WorkflowJobNode", awx_id)),
            awx_id=awx_id,
            identifier=coerce.text(doc.get("identifier")),
            workflow_job_id=_id_of(doc.get("workflow_job")),
            unified_job_template_id=_id_of(doc.get("unified_job_template")),
            job_id=_id_of(doc.get("job")),
            success_node_ids=coerce.int_list(doc.get("success_nodes")),
            failure_node_ids=coerce.int_list(doc.get("failure_nodes")),
            always_node_ids=coerce.int_list(doc.get("always_nodes")),
            do_not_run=coerce.boolean(doc.get("do_not_run")),
            all_parents_must_converge=coerce.boolean(doc.get("all_parents_must_converge")),
            spawned_job=spawned,
            created_at=coerce.timestamp(doc.get("created")),
            updated_at=coerce.timestamp(doc.get("modified")),
            _doc=doc,
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
class WorkflowJob(Job, LoadableDocument):
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

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> WorkflowJob:
        awx_id = coerce.integer(doc.get("id")) or 0
        extra_vars_text = doc.get("extra_vars")
        return cls(
            **job_fields("WorkflowJob", workflow_job_facts(doc)),
            awx_id=awx_id,
            type=coerce.text(doc.get("type")),
            url=coerce.text(doc.get("url")),
            description=coerce.text(doc.get("description")),
            launch_type=coerce.text(doc.get("launch_type")),
            failed=coerce.boolean(doc.get("failed")),
            canceled_on=coerce.timestamp(doc.get("canceled_on")),
            job_explanation=coerce.text(doc.get("job_explanation")),
            launched_by=coerce.mapping(doc.get("launched_by")),
            work_unit_id=coerce.text(doc.get("work_unit_id")),
            workflow_job_template_id=_id_of(doc.get("workflow_job_template")),
            unified_job_template_id=_id_of(doc.get("unified_job_template")),
            job_template_id=_id_of(doc.get("job_template")),
            is_sliced_job=coerce.boolean(doc.get("is_sliced_job")),
            extra_vars=parse_extra_vars(extra_vars_text),
            extra_vars_text=coerce.text(extra_vars_text),
            allow_simultaneous=coerce.boolean(doc.get("allow_simultaneous")),
            inventory_id=_id_of(doc.get("inventory")),
            limit=coerce.text(doc.get("limit")),
            scm_branch=coerce.text(doc.get("scm_branch")),
            webhook_service=coerce.text(doc.get("webhook_service")),
            webhook_credential_id=_id_of(doc.get("webhook_credential")),
            webhook_guid=coerce.text(doc.get("webhook_guid")),
            skip_tags=coerce.text(doc.get("skip_tags")),
            job_tags=coerce.text(doc.get("job_tags")),
            related=coerce.mapping(doc.get("related")),
            summary_fields=coerce.mapping(doc.get("summary_fields")),
            source_workflow_job_id=_source_workflow_job_id(doc),
            _doc=doc,
        )
