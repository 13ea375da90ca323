"""What the jobs store's root fields do, one function each."""

from __future__ import annotations

from gateway.context import Info
from schema.core.pagination import Connection, offset_connection, page_window
from schema.jobstore.types import FlowJob


async def resolve_flow_jobs(
    info: Info, first: int | None, after: str | None
) -> Connection[FlowJob]:
    """A page of the store's list, newest first; one job more than asked says if more follow.

    The store gives no total, so ``totalCount`` is null.
    """
    context = info.context
    window = page_window(first, after, context.settings.max_page_size)
    docs = await context.jobstore.page(skip=window.skip, limit=window.first + 1)
    page = docs[: window.first]
    context.loaders.flow_job_by_id.prime_many(page)
    return offset_connection(
        [FlowJob.from_doc(d) for d in page], window, has_next=len(docs) > window.first, total=None
    )
