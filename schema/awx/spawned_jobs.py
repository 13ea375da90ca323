"""The AWX jobs workflow nodes spawn: playbook jobs, project updates, inventory updates, others.

Each implements ``AwxJob`` (and ``Job``), is read from its ``/unified_jobs/``
document and loads through ``UnifiedJobByIdLoader``: the spawned jobs of every
node on a page cost one ``id__in`` request (per 200). Nested workflow jobs are
``WorkflowJob`` (see :mod:`schema.awx.types`). Each has its output as
``stdout``, one AWX request per page asked for. A playbook job's
``hostStatusCounts`` is the exception to batching: AWX gives host counts only
in a job's detail, one request per job.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

import strawberry

from gateway import coerce
from gateway.context import Info
from gateway.facts import workflow_job_facts
from schema.awx.awx_job import (
    AwxJob,
    awx_job_readers,
    id_of,
    in_doc,
    register_awx_job_type,
)
from schema.awx.output import (
    OutputAfterArgument,
    OutputFirstArgument,
    OutputLineConnection,
    resolve_output,
)
from schema.awx.types import JobTemplate, parse_extra_vars
from schema.core.document_fields import read_lazily
from schema.core.node import Doc, JobDocument, job_readers
from schema.core.scalars import JSON

UNIFIED_JOB_LOADER = "unified_job_by_id"


@strawberry.type
class _SpawnedJobDocument(JobDocument):
    """Base of the AWX job types with output (not itself in the schema)."""

    type_word: ClassVar[str] = ""
    """The AWX ``type`` this graph type stands for (``""``: any other)."""

    loader_name = UNIFIED_JOB_LOADER

    @classmethod
    async def load(cls, info: Info, key: Any) -> Self | None:
        """The job with this id if it is of this type (``node(id)``); ``None`` otherwise."""
        job = await super().load(info, key)
        if job is None:
            return None
        word = coerce.text(job._doc.get("type")) or ""
        return job if word == cls.type_word or (not cls.type_word and word not in _OWN) else None

    @strawberry.field(
        description="The job's output (stdout), a page of lines: `first` lines after the "
        "line `after` names. One AWX request per page "
        "(`GET .../stdout/?format=json&start_line=&end_line=`); the whole output is never "
        "loaded at once. A NOT_FOUND error for a job type AWX keeps no output for."
    )
    async def stdout(
        self, info: Info, first: OutputFirstArgument = None, after: OutputAfterArgument = None
    ) -> OutputLineConnection:
        word = coerce.text(self._doc.get("type")) or ""
        awx_id = coerce.integer(self._doc.get("id")) or 0
        return await resolve_output(info, word, awx_id, first, after)


_OWN = {"job", "project_update", "inventory_update", "workflow_job"}
"""The ``type`` words with a graph type of their own; the rest are ``OtherAwxJob``."""


@strawberry.type(
    description="How many hosts of a playbook run ended in each state (AWX's "
    "`host_status_counts`, from the playbook's final stats): each host is counted once, in "
    "its worst state (skipped < ok < changed < failures < dark)."
)
class HostStatusCounts:
    ok: int = strawberry.field(description="`ok`: hosts that ran without change.")
    changed: int = strawberry.field(description="`changed`: hosts where something changed.")
    failures: int = strawberry.field(description="`failures`: hosts where a task failed.")
    unreachable: int = strawberry.field(description="`dark`: hosts AWX could not reach.")
    skipped: int = strawberry.field(description="`skipped`: hosts where every task was skipped.")
    total: int = strawberry.field(description="The sum of the above: hosts the run touched.")
    upstream: JSON = strawberry.field(description="`host_status_counts` as AWX sent it.")


def _host_counts(detail: Doc | None) -> HostStatusCounts | None:
    raw = coerce.mapping((detail or {}).get("host_status_counts"))
    if not raw:  # AWX sends {} until the playbook's final stats arrive
        return None
    counts = {key: max(coerce.integer(raw.get(key)) or 0, 0) for key in _HOST_KEYS}
    return HostStatusCounts(
        ok=counts["ok"],
        changed=counts["changed"],
        failures=counts["failures"],
        unreachable=counts["dark"],
        skipped=counts["skipped"],
        total=sum(counts.values()),
        upstream=raw,
    )


_HOST_KEYS = ("ok", "changed", "failures", "dark", "skipped")


@strawberry.type(description="An AWX playbook job (AWX type `job`): one run of a job template.")
class PlaybookJob(AwxJob, _SpawnedJobDocument):
    job_type: str | None = strawberry.field(
        description="`job_type`: `run` or `check`. Null when the upstream omits it or sends "
        "another shape."
    )
    job_template_id: int | None = strawberry.field(
        description="`job_template`: the id of the template it ran (see `jobTemplate`). Null "
        "when none."
    )
    inventory_id: int | None = strawberry.field(
        description="`inventory`: the id of the inventory it ran against. Null when none."
    )
    project_id: int | None = strawberry.field(
        description="`project`: the id of the project holding its playbook. Null when none."
    )
    playbook: str | None = strawberry.field(
        description="`playbook`: the playbook file it ran. Null when the upstream omits it or "
        "sends another shape."
    )
    limit: str | None = strawberry.field(
        description='`limit`: the host pattern it was limited to ("" for none). Null when the '
        "upstream omits it or sends another shape."
    )
    forks: int | None = strawberry.field(
        description="`forks`: hosts run in parallel (0: Ansible's default). Null when the "
        "upstream omits it or sends another shape."
    )
    verbosity: int | None = strawberry.field(
        description="`verbosity`: 0 (normal) to 5. Null when the upstream omits it or sends "
        "another shape."
    )
    extra_vars: JSON | None = strawberry.field(
        description="`extra_vars`, parsed from its JSON text. Null when empty or not JSON."
    )
    scm_branch: str | None = strawberry.field(
        description="`scm_branch`: the branch it ran. Null when the upstream omits it or sends "
        "another shape."
    )
    scm_revision: str | None = strawberry.field(
        description="`scm_revision`: the commit it ran. Null when the upstream omits it or "
        "sends another shape."
    )
    execution_node: str | None = strawberry.field(
        description="`execution_node`: the AWX node that ran it. Null when the upstream omits "
        "it or sends another shape."
    )
    job_slice_number: int | None = strawberry.field(
        description="`job_slice_number`: which slice of a sliced run this job is (0 when not "
        "sliced). Null when the upstream omits it or sends another shape."
    )
    job_slice_count: int | None = strawberry.field(
        description="`job_slice_count`: how many slices its run had. Null when the upstream "
        "omits it or sends another shape."
    )

    type_word = "job"

    @strawberry.field(description="The job template it ran (batched: one request per page).")
    async def job_template(self, info: Info) -> JobTemplate | None:
        if self.job_template_id is None:
            return None
        return await JobTemplate.load(info, self.job_template_id)

    @strawberry.field(
        description="How many hosts ended in each state. AWX gives these only in the job's "
        "detail (`GET /api/v2/jobs/{id}/`), so this costs one request per job (run "
        "concurrently); null when AWX has none (a run that has not reached its stats)."
    )
    async def host_status_counts(self, info: Info) -> HostStatusCounts | None:
        detail = await info.context.loaders.playbook_job_detail_by_id.load(self.awx_id)
        return _host_counts(detail)


@strawberry.type(
    description="An AWX project update (AWX type `project_update`): a fetch of a project's "
    "playbooks from source control, e.g. before a workflow's playbook runs."
)
class ProjectUpdate(AwxJob, _SpawnedJobDocument):
    project_id: int | None = strawberry.field(
        description="`project`: the id of the project updated. Null when none."
    )
    job_type: str | None = strawberry.field(
        description="`job_type`: `check` or `run`. Null when the upstream omits it or sends "
        "another shape."
    )
    scm_type: str | None = strawberry.field(
        description='`scm_type`: `git`, `svn`, `insights`, `archive`, or "" for manual. Null '
        "when the upstream omits it or sends another shape."
    )
    scm_url: str | None = strawberry.field(
        description="`scm_url`: where the project's source lives. Null when the upstream omits "
        "it or sends another shape."
    )
    scm_branch: str | None = strawberry.field(
        description="`scm_branch`: the branch fetched. Null when the upstream omits it or "
        "sends another shape."
    )
    scm_revision: str | None = strawberry.field(
        description="`scm_revision`: the commit fetched. Null when the upstream omits it or "
        "sends another shape."
    )

    type_word = "project_update"


@strawberry.type(
    description="An AWX inventory update (AWX type `inventory_update`): a sync of an "
    "inventory from one of its sources."
)
class InventoryUpdate(AwxJob, _SpawnedJobDocument):
    inventory_id: int | None = strawberry.field(
        description="`inventory`: the id of the inventory synced. Null when none."
    )
    inventory_source_id: int | None = strawberry.field(
        description="`inventory_source`: the id of the source synced. Null when none."
    )
    source_kind: str | None = strawberry.field(
        description="`source`: the kind of source (`scm`, `ec2`, `azure_rm`, `vmware`, ...). "
        "Null when the upstream omits it or sends another shape."
    )

    type_word = "inventory_update"


@strawberry.type(
    description="Any other AWX job (an ad hoc command, a system job, or a type the gateway "
    "does not know): the fields every AWX job has; `upstream` holds the rest."
)
class OtherAwxJob(AwxJob, _SpawnedJobDocument):
    type_word = ""


def _readers(type_name: str) -> dict[str, Any]:
    return {**job_readers(type_name, workflow_job_facts), **awx_job_readers()}


read_lazily(
    PlaybookJob,
    **_readers("PlaybookJob"),
    job_type=in_doc(coerce.text, "job_type"),
    job_template_id=in_doc(id_of, "job_template"),
    inventory_id=in_doc(id_of, "inventory"),
    project_id=in_doc(id_of, "project"),
    playbook=in_doc(coerce.text, "playbook"),
    limit=in_doc(coerce.text, "limit"),
    forks=in_doc(coerce.integer, "forks"),
    verbosity=in_doc(coerce.integer, "verbosity"),
    extra_vars=in_doc(parse_extra_vars, "extra_vars"),
    scm_branch=in_doc(coerce.text, "scm_branch"),
    scm_revision=in_doc(coerce.text, "scm_revision"),
    execution_node=in_doc(coerce.text, "execution_node"),
    job_slice_number=in_doc(coerce.integer, "job_slice_number"),
    job_slice_count=in_doc(coerce.integer, "job_slice_count"),
)
read_lazily(
    ProjectUpdate,
    **_readers("ProjectUpdate"),
    project_id=in_doc(id_of, "project"),
    job_type=in_doc(coerce.text, "job_type"),
    scm_type=in_doc(coerce.text, "scm_type"),
    scm_url=in_doc(coerce.text, "scm_url"),
    scm_branch=in_doc(coerce.text, "scm_branch"),
    scm_revision=in_doc(coerce.text, "scm_revision"),
)
read_lazily(
    InventoryUpdate,
    **_readers("InventoryUpdate"),
    inventory_id=in_doc(id_of, "inventory"),
    inventory_source_id=in_doc(id_of, "inventory_source"),
    source_kind=in_doc(coerce.text, "source"),
)
read_lazily(OtherAwxJob, **_readers("OtherAwxJob"))

SPAWNED_JOB_TYPES = (PlaybookJob, ProjectUpdate, InventoryUpdate, OtherAwxJob)
for _cls in SPAWNED_JOB_TYPES:
    register_awx_job_type(_cls.type_word, _cls)
