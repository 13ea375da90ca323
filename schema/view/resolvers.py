"""What ``jobs`` and ``jobCounts`` do: ask :mod:`gateway.view`, then map the answer to types.

Only the jobs a page answers are mapped to their GraphQL types; the view
itself works on documents and their facts. A source that failed is reported
as a GraphQL error with its ``extensions.upstream`` and ``extensions.source``
beside the data (:mod:`schema.core.partial_errors`); only when every
selected source failed does the field itself fail.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

from gateway.context import Info
from gateway.errors import BadUserInput, UpstreamError
from gateway.live.jobs import job_changes, job_updates
from gateway.states import JobSource
from gateway.view.figures import figures
from gateway.view.pages import jobs_page
from gateway.view.sources import ViewJob
from schema.awx.types import WorkflowJob
from schema.core.ids import from_global_id
from schema.core.node import Job
from schema.core.pagination import PageInfo
from schema.core.partial_errors import report_partial_error
from schema.jobstore.types import FlowJob
from schema.opsmanager.types import OperationsJob
from schema.view.types import (
    JobChange,
    JobConnection,
    JobCounts,
    JobDurations,
    JobEdge,
    JobFilter,
    JobStateCount,
    JobWarning,
    view_filter,
)

_TYPES: dict[JobSource, type[FlowJob] | type[OperationsJob] | type[WorkflowJob]] = {
    JobSource.JOB_STORE: FlowJob,
    JobSource.OPERATIONS_MANAGER: OperationsJob,
    JobSource.AWX: WorkflowJob,
}


_SOURCES = {cls.__name__: source for source, cls in _TYPES.items()}


def _job(item: ViewJob) -> Job:
    # The view has read the facts already: the job's ``Job`` fields reuse them.
    return _TYPES[item.facts.source].with_facts(item.doc, item.facts)


def _report(info: Info, selected: int, failures: list[tuple[JobSource, UpstreamError]]) -> None:
    """Report failed sources beside the data; raise the first when every source failed."""
    path = info.path.as_list()
    if selected and len(failures) == selected:
        for source, error in failures[1:]:
            report_partial_error(path, error, source=source.value)
        raise failures[0][1]
    for source, error in failures:
        report_partial_error(path, error, source=source.value)


async def resolve_jobs(
    info: Info, flt: JobFilter | None, first: int | None, after: str | None
) -> JobConnection:
    """One page of the merged list."""
    page = await jobs_page(info.context, view_filter(flt), first, after)
    _report(info, page.selected, page.failures)
    edges = [JobEdge(cursor=cursor, node=_job(item)) for item, cursor in page.edges]
    return JobConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=page.end_cursor,
        ),
        scan_limited=page.scan_limited,
        warnings=[JobWarning.of(w) for w in page.warnings],
    )


async def resolve_job_counts(info: Info, flt: JobFilter | None) -> JobCounts:
    """Counts and durations of every selected source."""
    found = await figures(info.context, view_filter(flt))
    _report(info, found.selected, found.failures)
    return JobCounts(
        by_source=[
            JobStateCount(source=f.source, state=state, count=n)
            for f in found.sources
            for state, n in f.counts.items()
        ],
        durations=[JobDurations.of(f.durations) for f in found.sources],
        complete=found.complete,
        warnings=[JobWarning.of(w) for w in found.warnings],
    )


async def job_updated_events(info: Info, global_id: str) -> AsyncGenerator[Job | Exception, None]:
    """``jobUpdated``: the job's events (:func:`gateway.live.jobs.job_updates`) as ``Job``s.

    An error event is yielded as the exception itself: GraphQL reports it as
    that event's error, and the stream goes on.
    """
    type_name, key = from_global_id(global_id)
    source = _SOURCES.get(type_name)
    if source is None:
        raise BadUserInput(f"{global_id[:100]!r} is not the id of a job", argument="id")
    async for event in job_updates(info.context, source, key):
        yield event if isinstance(event, Exception) else _job(event)


async def jobs_changed_events(
    info: Info, flt: JobFilter | None
) -> AsyncGenerator[JobChange | Exception, None]:
    """``jobsChanged``: the filter's events (:func:`gateway.live.jobs.job_changes`)."""
    async for event in job_changes(info.context, view_filter(flt)):
        if isinstance(event, Exception):
            yield event
        else:
            yield JobChange(
                kind=event.kind, job=_job(event.job), previous_state=event.previous_state
            )
