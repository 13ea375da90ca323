"""What the operations manager's root list field does."""

from __future__ import annotations

from gateway.context import Info
from gateway.filters import JobListFilter
from schema.core.pagination import Connection, counted_connection, page_window
from schema.opsmanager.types import OperationsJob


async def resolve_operations_jobs(
    info: Info, flt: JobListFilter, first: int | None, after: str | None
) -> Connection[OperationsJob]:
    """A page of jobs, newest first, with the upstream's total; primes the by-id loader."""
    context = info.context
    window = page_window(first, after, context.settings.max_page_size)
    found = await context.opsmanager.window(flt, window.skip, window.first)
    context.loaders.operations_job_by_id.prime_many(found.docs)
    return counted_connection([OperationsJob.from_doc(d) for d in found.docs], window, found.total)
