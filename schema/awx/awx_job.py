"""The ``AwxJob`` interface: any job AWX runs, and the map from AWX's ``type`` word to a type.

AWX keeps every kind of job in one table (*unified jobs*): playbook runs
(``job``), project updates, inventory updates, workflow jobs, ad hoc commands
and system jobs, all numbered from one sequence. ``GET /unified_jobs/`` lists
them together, each in its own type's shape with ``type`` naming it. The
graph gives each of them a type implementing ``AwxJob`` (and ``Job``);
:func:`load_awx_job` turns an id into the right one through
``UnifiedJobByIdLoader``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import strawberry

from gateway import coerce
from gateway.context import Info
from schema.core.document_fields import FromKey, from_key
from schema.core.node import Doc, Job, JobDocument
from schema.core.scalars import JSON


def id_of(value: Any) -> int | None:
    """An AWX reference: an int id, or an object carrying one."""
    if isinstance(value, dict):
        return coerce.integer(value.get("id"))
    return coerce.integer(value)


@strawberry.interface(
    description="A job AWX ran or runs, of any type: `PlaybookJob` (AWX type `job`), "
    "`ProjectUpdate`, `InventoryUpdate`, `WorkflowJob`, or `OtherAwxJob` for the rest "
    "(ad hoc commands, system jobs). Ask for a type's own fields with `... on PlaybookJob`."
)
class AwxJob(Job):
    awx_id: int = strawberry.field(
        description="AWX's `id` of the job (one sequence across all AWX job types)."
    )
    type: str | None = strawberry.field(
        description="`type`, AWX's word for the kind of job: `job`, `project_update`, "
        "`inventory_update`, `workflow_job`, `ad_hoc_command`, `system_job`. Null when the "
        "upstream omits it or sends another shape."
    )
    url: str | None = strawberry.field(
        description="`url`: the job's path in AWX's API. Null when the upstream omits it or "
        "sends another shape."
    )
    description: str | None = strawberry.field(
        description="`description`. Null when the upstream omits it or sends another shape."
    )
    launch_type: str | None = strawberry.field(
        description="`launch_type`: `manual`, `relaunch`, `callback`, `scheduled`, "
        "`dependency`, `workflow` (spawned by a workflow node), `webhook`, `sync` or `scm`. "
        "Null when the upstream omits it or sends another shape."
    )
    failed: bool | None = strawberry.field(
        description="`failed`: whether the job failed. Null when the upstream omits it or "
        "sends another shape."
    )
    canceled_on: datetime | None = strawberry.field(
        description="`canceled_on`: when it was canceled. Null when it was not, or when not "
        "a date-time."
    )
    job_explanation: str | None = strawberry.field(
        description="`job_explanation`: AWX's explanation of the job's state (e.g. why it "
        'failed to start, or that a previous task failed); "" when none. Null when the '
        "upstream omits it or sends another shape."
    )
    launched_by: JSON | None = strawberry.field(
        description="`launched_by`: `{id, name, type, url}` of who or what launched it (for a "
        "job a workflow spawned, the workflow job). Null when absent or not an object."
    )
    unified_job_template_id: int | None = strawberry.field(
        description="`unified_job_template`: the id of the template (job template, project, "
        "inventory source, workflow template, ...) it was launched from. Null when none."
    )


def in_doc(convert: Callable[[Any], object], key: str) -> FromKey:
    """A reader of one top-level key of an AWX object's document (``_doc``).

    A :class:`~schema.core.document_fields.FromKey`, so the execution plans read
    such fields inline.
    """
    return from_key("_doc", convert, key)


def awx_job_readers() -> dict[str, Callable[[JobDocument], object]]:
    """Readers of the ``AwxJob`` fields beyond ``Job``'s, the same for every AWX job type."""
    return {
        "awx_id": lambda job: coerce.integer(job._doc.get("id")) or 0,
        "type": in_doc(coerce.text, "type"),
        "url": in_doc(coerce.text, "url"),
        "description": in_doc(coerce.text, "description"),
        "launch_type": in_doc(coerce.text, "launch_type"),
        "failed": in_doc(coerce.boolean, "failed"),
        "canceled_on": in_doc(coerce.timestamp, "canceled_on"),
        "job_explanation": in_doc(coerce.text, "job_explanation"),
        "launched_by": in_doc(coerce.mapping, "launched_by"),
        "unified_job_template_id": in_doc(id_of, "unified_job_template"),
    }


AWX_JOB_TYPES: dict[str, type[JobDocument]] = {}
"""The graph type of each AWX ``type`` word; ``""`` holds the type of every other word."""


def register_awx_job_type(word: str, cls: type[JobDocument]) -> None:
    """Make documents whose ``type`` is ``word`` map to ``cls`` (``""``: any other word)."""
    AWX_JOB_TYPES[word] = cls


def awx_job_of(doc: Doc) -> AwxJob:
    """The graph object of one unified job document, typed by its ``type``."""
    cls = AWX_JOB_TYPES.get(coerce.text(doc.get("type")) or "") or AWX_JOB_TYPES[""]
    job = cls.from_doc(doc)
    assert isinstance(job, AwxJob)
    return job


async def load_awx_job(info: Info, awx_id: int) -> AwxJob | None:
    """The AWX job with this id, whatever its type; ``None`` when AWX has none.

    All the ids asked for in one tick go out as one ``GET /unified_jobs/?id__in=``
    (per 200 ids).
    """
    doc = await info.context.loaders.unified_job_by_id.load(awx_id)
    return awx_job_of(doc) if doc else None
