"""What AWX's root list fields do, one function each."""

from __future__ import annotations

from gateway.context import Info
from gateway.filters import JobListFilter
from schema.awx.types import WorkflowJob
from schema.core.pagination import Connection, counted_connection, page_window


async def resolve_workflow_jobs(
    info: Info,
    flt: JobListFilter,
    first: int | None,
    after: str | None,
    *,
    job_template_id: int | None = None,
) -> Connection[WorkflowJob]:
    """A page of workflow jobs (of one template's slices, with ``job_template_id``), newest first.

    Primes the by-id loader, so a ``node(id)`` of one of them later costs nothing.
    """
    context = info.context
    window = page_window(first, after, context.settings.max_page_size)
    found = await context.awx.window(
        flt, window.skip, window.first, job_template_id=job_template_id
    )
    context.loaders.workflow_job_by_id.prime_many(found.docs)
    return counted_connection([WorkflowJob.from_doc(d) for d in found.docs], window, found.total)
