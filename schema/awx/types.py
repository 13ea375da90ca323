"""AWX types: ``WorkflowJob``, its ``WorkflowJobNode``s and ``JobTemplate``.

A page of workflow jobs costs one list request; all its ``jobTemplate``s one
``id__in`` request and all its ``nodes`` one ``workflow_job__in`` request
(more only when the nodes overflow AWX's 200-item page), and the jobs all those
nodes spawned one ``/unified_jobs/?id__in`` request (see
:mod:`schema.awx.spawned_jobs`): nested fields go through the loaders only.
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
from schema.awx.awx_job import (
    AwxJob,
    awx_job_readers,
    id_of,
    in_doc,
    load_awx_job,
    register_awx_job_type,
)
from schema.core.document_fields import read_lazily
from schema.core.ids import to_global_id
from schema.core.node import Doc, JobDocument, LoadableDocument, Node, job_readers
from schema.core.scalars import JSON

_SOURCE_URL = re.compile(r"/workflow_jobs/(\d+)/?$")


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
    awx_id: int = strawberry.field(
        description="AWX's `id` of the template: the `id` of `jobTemplate(id:)` "
        "and the `jobTemplateId` of the mutations."
    )
    name: str | None = strawberry.field(
        description="`name`. Null when the upstream omits it or sends another shape."
    )
    description: str | None = strawberry.field(
        description="`description`. Null when the upstream omits it or sends another shape."
    )
    job_type: str | None = strawberry.field(
        description="`job_type`: `run` or `check`. Null when the upstream omits "
        "it or sends another shape."
    )
    inventory_id: int | None = strawberry.field(
        description="`inventory`: the id of the inventory it runs against. Null when none."
    )
    project_id: int | None = strawberry.field(
        description="`project`: the id of the project holding its playbook. Null when none."
    )
    playbook: str | None = strawberry.field(
        description="`playbook`: the playbook file in the project. Null when the "
        "upstream omits it or sends another shape."
    )
    forks: int | None = strawberry.field(
        description="`forks`: how many hosts run in parallel (0: Ansible's "
        "default). Null when the upstream omits it or sends another "
        "shape."
    )
    limit: str | None = strawberry.field(
        description='`limit`: the host pattern runs are limited to ("" for '
        "none). Null when the upstream omits it or sends another "
        "shape."
    )
    verbosity: int | None = strawberry.field(
        description="`verbosity`: 0 (normal) to 5 (WinRM debug). Null when the "
        "upstream omits it or sends another shape."
    )
    extra_vars: JSON | None = strawberry.field(
        description="`extra_vars`, parsed from its JSON text. Null when empty or "
        "not JSON (read `upstream` for YAML)."
    )
    job_tags: str | None = strawberry.field(
        description="`job_tags`: comma-separated tags to run only. Null when the "
        "upstream omits it or sends another shape."
    )
    skip_tags: str | None = strawberry.field(
        description="`skip_tags`: comma-separated tags to skip. Null when the "
        "upstream omits it or sends another shape."
    )
    job_slice_count: int | None = strawberry.field(
        description="`job_slice_count`: how many slices a launch runs; above 1, "
        "`launchJobTemplate` answers a workflow job. Null when the "
        "upstream omits it or sends another shape."
    )
    status: str | None = strawberry.field(
        description="`status`, AWX's word for the template (e.g. `successful`, "
        "`failed`, `never updated`). Null when the upstream omits it "
        "or sends another shape."
    )
    last_job_run: datetime | None = strawberry.field(
        description="`last_job_run`: when its last job ran. Null when it never ran."
    )
    last_job_failed: bool | None = strawberry.field(
        description="`last_job_failed`: whether its last job failed. Null when "
        "the upstream omits it or sends another shape."
    )
    next_job_run: datetime | None = strawberry.field(
        description="`next_job_run`: its next scheduled run. Null when none is scheduled."
    )
    allow_simultaneous: bool | None = strawberry.field(
        description="`allow_simultaneous`: whether its jobs may run at the same "
        "time. Null when the upstream omits it or sends another "
        "shape."
    )
    webhook_service: str | None = strawberry.field(
        description="`webhook_service`: `github`, `gitlab`, `bitbucket_dc`, or "
        '"" for none. Null when the upstream omits it or sends '
        "another shape."
    )
    created_at: datetime | None = strawberry.field(
        description="`created`. Null when absent or not a date-time."
    )
    updated_at: datetime | None = strawberry.field(
        description="`modified`. Null when absent or not a date-time."
    )
    can_start: bool | None = strawberry.field(
        description="Whether the credential used may launch it (`user_capabilities.start`)."
    )

    loader_name = "job_template_by_id"


def _can_start(doc: Doc) -> bool | None:
    caps = (coerce.mapping(doc.get("summary_fields")) or {}).get("user_capabilities")
    return coerce.boolean(caps.get("start")) if isinstance(caps, dict) else None


read_lazily(
    JobTemplate,
    id=lambda template: strawberry.ID(to_global_id("JobTemplate", template.awx_id)),
    awx_id=lambda template: coerce.integer(template._doc.get("id")) or 0,
    name=in_doc(coerce.text, "name"),
    description=in_doc(coerce.text, "description"),
    job_type=in_doc(coerce.text, "job_type"),
    inventory_id=in_doc(id_of, "inventory"),
    project_id=in_doc(id_of, "project"),
    playbook=in_doc(coerce.text, "playbook"),
    forks=in_doc(coerce.integer, "forks"),
    limit=in_doc(coerce.text, "limit"),
    verbosity=in_doc(coerce.integer, "verbosity"),
    extra_vars=in_doc(parse_extra_vars, "extra_vars"),
    job_tags=in_doc(coerce.text, "job_tags"),
    skip_tags=in_doc(coerce.text, "skip_tags"),
    job_slice_count=in_doc(coerce.integer, "job_slice_count"),
    status=in_doc(coerce.text, "status"),
    last_job_run=in_doc(coerce.timestamp, "last_job_run"),
    last_job_failed=in_doc(coerce.boolean, "last_job_failed"),
    next_job_run=in_doc(coerce.timestamp, "next_job_run"),
    allow_simultaneous=in_doc(coerce.boolean, "allow_simultaneous"),
    webhook_service=in_doc(coerce.text, "webhook_service"),
    created_at=in_doc(coerce.timestamp, "created"),
    updated_at=in_doc(coerce.timestamp, "modified"),
    can_start=lambda template: _can_start(template._doc),
)


@strawberry.type(description="The job a workflow node spawned, as AWX summarises it.")
class SpawnedJob:
    awx_id: int | None = strawberry.field(
        description="`summary_fields.job.id`: AWX's id of the spawned job. Null "
        "when the upstream omits it or sends another shape."
    )
    name: str | None = strawberry.field(
        description="`summary_fields.job.name`. Null when the upstream omits it "
        "or sends another shape."
    )
    status: str | None = strawberry.field(
        description="`summary_fields.job.status`, AWX's word: `new`, `pending`, "
        "`waiting`, `running`, `successful`, `failed`, `error` or "
        "`canceled`. Null when the upstream omits it or sends "
        "another shape."
    )
    failed: bool | None = strawberry.field(
        description="`summary_fields.job.failed`. Null when the upstream omits "
        "it or sends another shape."
    )
    elapsed_seconds: float | None = strawberry.field(
        description="`summary_fields.job.elapsed`: seconds (decimal) the job "
        "ran. Null when the upstream omits it or sends another shape."
    )
    type: str | None = strawberry.field(
        description="`summary_fields.job.type`: `job`, `workflow_job`, "
        "`project_update`, ... Null when the upstream omits it or "
        "sends another shape."
    )


@strawberry.type(description="A node of an AWX workflow job.")
class WorkflowJobNode(Node, LoadableDocument):
    awx_id: int = strawberry.field(description="AWX's `id` of the node.")
    identifier: str | None = strawberry.field(
        description="`identifier`: the node's identifier, unique within its "
        "workflow. Null when the upstream omits it or sends another "
        "shape."
    )
    workflow_job_id: int | None = strawberry.field(
        description="`workflow_job`: AWX's id of the workflow job the node "
        "belongs to. Null when the upstream omits it or sends "
        "another shape."
    )
    unified_job_template_id: int | None = strawberry.field(
        description="`unified_job_template`: the id of the template the node "
        "runs. Null when the upstream omits it or sends another "
        "shape."
    )
    job_id: int | None = strawberry.field(
        description="`job`: AWX's id of the job the node spawned. Null until the "
        "node runs, or when it never does."
    )
    success_node_ids: list[int] = strawberry.field(
        description="`success_nodes`: ids of the nodes run when this node's job succeeds."
    )
    failure_node_ids: list[int] = strawberry.field(
        description="`failure_nodes`: ids of the nodes run when this node's job fails."
    )
    always_node_ids: list[int] = strawberry.field(
        description="`always_nodes`: ids of the nodes run whatever the outcome."
    )
    do_not_run: bool | None = strawberry.field(
        description="`do_not_run`: true when the workflow will not run this node "
        "(its path was not taken). Null when the upstream omits it "
        "or sends another shape."
    )
    all_parents_must_converge: bool | None = strawberry.field(
        description="`all_parents_must_converge`: true when the node waits for "
        "all its parents, false when one is enough. Null when the "
        "upstream omits it or sends another shape."
    )
    spawned_job: SpawnedJob | None = strawberry.field(
        description="`summary_fields.job`: the job the node spawned, as AWX "
        "summarises it. Null when there is none."
    )
    created_at: datetime | None = strawberry.field(
        description="`created`. Null when absent or not a date-time."
    )
    updated_at: datetime | None = strawberry.field(
        description="`modified`. Null when absent or not a date-time."
    )

    loader_name = "workflow_job_node_by_id"

    @strawberry.field(
        description="The job this node spawned, in full, whatever its type (`PlaybookJob`, "
        "`ProjectUpdate`, `InventoryUpdate`, a nested `WorkflowJob`, ...): status, timings, "
        "failed flag, output. Null until the node runs, or when it never does. Batched: the "
        "spawned jobs of every node in the answer cost one `GET /unified_jobs/?id__in=` (per "
        "200 jobs)."
    )
    async def job(self, info: Info) -> AwxJob | None:
        if self.job_id is None:
            return None
        return await load_awx_job(info, self.job_id)

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


read_lazily(
    WorkflowJobNode,
    id=lambda node: strawberry.ID(to_global_id("WorkflowJobNode", node.awx_id)),
    awx_id=lambda node: coerce.integer(node._doc.get("id")) or 0,
    identifier=in_doc(coerce.text, "identifier"),
    workflow_job_id=in_doc(id_of, "workflow_job"),
    unified_job_template_id=in_doc(id_of, "unified_job_template"),
    job_id=in_doc(id_of, "job"),
    success_node_ids=in_doc(coerce.int_list, "success_nodes"),
    failure_node_ids=in_doc(coerce.int_list, "failure_nodes"),
    always_node_ids=in_doc(coerce.int_list, "always_nodes"),
    do_not_run=in_doc(coerce.boolean, "do_not_run"),
    all_parents_must_converge=in_doc(coerce.boolean, "all_parents_must_converge"),
    spawned_job=lambda node: _spawned_job(node._doc),
    created_at=in_doc(coerce.timestamp, "created"),
    updated_at=in_doc(coerce.timestamp, "modified"),
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


@strawberry.type(
    description="An AWX workflow job (sliced job runs included). AWX keeps no output (stdout) "
    "for a workflow job: what its nodes ran, and their output, is under `nodes { job { ... "
    "on PlaybookJob { stdout } } }`."
)
class WorkflowJob(AwxJob, JobDocument):
    awx_id: int = strawberry.field(
        description="AWX's `id` of the workflow job: the `id` of `workflowJob(id:)`."
    )
    type: str | None = strawberry.field(
        description="`type`: `workflow_job`. Null when the upstream omits it or "
        "sends another shape."
    )
    url: str | None = strawberry.field(
        description="`url`: its path in AWX's API "
        "(`/api/v2/workflow_jobs/{id}/`). Null when the upstream "
        "omits it or sends another shape."
    )
    description: str | None = strawberry.field(
        description="`description`. Null when the upstream omits it or sends another shape."
    )
    launch_type: str | None = strawberry.field(
        description="`launch_type`: `manual`, `relaunch`, `callback`, "
        "`scheduled`, `dependency`, `workflow`, `webhook`, `sync` or "
        "`scm`. Null when the upstream omits it or sends another "
        "shape."
    )
    failed: bool | None = strawberry.field(
        description="`failed`: whether the job failed. Null when the upstream "
        "omits it or sends another shape."
    )
    canceled_on: datetime | None = strawberry.field(
        description="`canceled_on`: when it was canceled. Null when it was not, "
        "or when not a date-time."
    )
    job_explanation: str | None = strawberry.field(
        description="`job_explanation`: AWX's explanation of the job's state "
        '(e.g. why it failed to start); "" when none. Null when the '
        "upstream omits it or sends another shape."
    )
    launched_by: JSON | None = strawberry.field(
        description="`launched_by`: `{id, name, type, url}` of who or what "
        "launched it. Null when absent or not an object."
    )
    work_unit_id: str | None = strawberry.field(
        description="`work_unit_id`: the Receptor work unit, where AWX sets one. "
        "Null when the upstream omits it or sends another shape."
    )
    workflow_job_template_id: int | None = strawberry.field(
        description="`workflow_job_template`: the id of the workflow job "
        "template it runs. Null when none."
    )
    unified_job_template_id: int | None = strawberry.field(
        description="`unified_job_template`: the id of the template it was "
        "launched from. Null when none."
    )
    job_template_id: int | None = strawberry.field(
        description="`job_template`: the id of the job template a sliced run was "
        "created from (see `jobTemplate`). Null when none."
    )
    is_sliced_job: bool | None = strawberry.field(
        description="`is_sliced_job`: true for the workflow job AWX makes of a "
        "template with `job_slice_count` > 1. Null when the upstream "
        "omits it or sends another shape."
    )
    extra_vars: JSON | None = strawberry.field(
        description="`extra_vars`, parsed from its JSON text."
    )
    extra_vars_text: str | None = strawberry.field(description="`extra_vars` as AWX sent it.")
    allow_simultaneous: bool | None = strawberry.field(
        description="`allow_simultaneous`: whether it may run alongside other "
        "jobs of its template. Null when the upstream omits it or "
        "sends another shape."
    )
    inventory_id: int | None = strawberry.field(
        description="`inventory`: the id of the inventory it runs against. Null when none."
    )
    limit: str | None = strawberry.field(
        description="`limit`: the host pattern the run is limited to. Null when "
        "the upstream omits it or sends another shape."
    )
    scm_branch: str | None = strawberry.field(
        description="`scm_branch`: the source-control branch it runs. Null when "
        "the upstream omits it or sends another shape."
    )
    webhook_service: str | None = strawberry.field(
        description="`webhook_service`: `github`, `gitlab`, `bitbucket_dc`, or "
        '"" for none. Null when the upstream omits it or sends '
        "another shape."
    )
    webhook_credential_id: int | None = strawberry.field(
        description="`webhook_credential`: the id of the webhook's credential. Null when none."
    )
    webhook_guid: str | None = strawberry.field(
        description="`webhook_guid`: the id of the webhook delivery that "
        "launched it. Null when the upstream omits it or sends "
        "another shape."
    )
    skip_tags: str | None = strawberry.field(
        description="`skip_tags`: comma-separated tags skipped. Null when the "
        "upstream omits it or sends another shape."
    )
    job_tags: str | None = strawberry.field(
        description="`job_tags`: comma-separated tags run only. Null when the "
        "upstream omits it or sends another shape."
    )
    related: JSON | None = strawberry.field(
        description="`related`: URLs of related AWX resources, by name, as sent. "
        "Null when absent or not an object."
    )
    summary_fields: JSON | None = strawberry.field(
        description="`summary_fields`: AWX's summaries of related objects "
        "(`created_by`, `labels`, `user_capabilities`, ...), as "
        "sent. Null when absent or not an object."
    )
    source_workflow_job_id: int | None = strawberry.field(
        description="The id of the workflow job this one relaunched: "
        "`summary_fields.source_workflow_job.id`, else read from "
        "`related.source_workflow_job`. Null when it is not a "
        "relaunch."
    )

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


read_lazily(
    WorkflowJob,
    **job_readers("WorkflowJob", workflow_job_facts),
    **awx_job_readers(),
    work_unit_id=in_doc(coerce.text, "work_unit_id"),
    workflow_job_template_id=in_doc(id_of, "workflow_job_template"),
    job_template_id=in_doc(id_of, "job_template"),
    is_sliced_job=in_doc(coerce.boolean, "is_sliced_job"),
    extra_vars=in_doc(parse_extra_vars, "extra_vars"),
    extra_vars_text=in_doc(coerce.text, "extra_vars"),
    allow_simultaneous=in_doc(coerce.boolean, "allow_simultaneous"),
    inventory_id=in_doc(id_of, "inventory"),
    limit=in_doc(coerce.text, "limit"),
    scm_branch=in_doc(coerce.text, "scm_branch"),
    webhook_service=in_doc(coerce.text, "webhook_service"),
    webhook_credential_id=in_doc(id_of, "webhook_credential"),
    webhook_guid=in_doc(coerce.text, "webhook_guid"),
    skip_tags=in_doc(coerce.text, "skip_tags"),
    job_tags=in_doc(coerce.text, "job_tags"),
    related=in_doc(coerce.mapping, "related"),
    summary_fields=in_doc(coerce.mapping, "summary_fields"),
    source_workflow_job_id=lambda job: _source_workflow_job_id(job._doc),
)
register_awx_job_type("workflow_job", WorkflowJob)
