"""The cross-system view: every job of the three systems as one list, and counts for reports.

``jobs(filter, first, after)`` merges the three systems newest first
(:mod:`schema.job_merge`); each page asks every selected source, in parallel,
for what it needs from the cursor's position (``first`` jobs where the upstream
gives a total, ``first + 1`` from the jobs store), with the filter pushed down
into the upstream's own query where it has one (:mod:`schema.job_sources`).
A page costs one request per selected source that still has jobs (AWX: two
only when no page size up to 200 fits the window; the operations manager: two
when ``first > 100``), and for a filtered jobs store one request per
:data:`~schema.job_sources.SCAN_CHUNK` jobs scanned, at most
``GATEWAY_SCAN_LIMIT`` jobs. ``jobCounts(filter)`` gives counts per source
and state and durations of finished jobs (:mod:`schema.job_counts`).

A source that fails does not fail the answer: its part is missing, a GraphQL
error with its ``extensions.upstream`` and ``extensions.source`` is added to
the response (:mod:`schema.partial_errors`), a ``SOURCE_FAILED`` warning says
so in the data, and the cursor keeps its position. Only when every selected
source fails does the field itself fail.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

import strawberry

from gateway.context import Info
from gateway.errors import BadUserInput, UpstreamError
from schema.job_counts import (
    JobCounts,
    JobStateCount,
    SourceFigures,
    durations_of,
    source_figures,
)
from schema.job_merge import decode_cursor, encode_cursor, merge, start_positions
from schema.job_sources import (
    SOURCE_ORDER,
    JobWarning,
    JobWarningCode,
    SourceRead,
    ViewFilter,
    read_sources,
)
from schema.node import Job
from schema.pagination import DEFAULT_PAGE_SIZE, PageInfo
from schema.partial_errors import report_partial_error
from schema.status import JobSource, JobState

MAX_SEARCH_LENGTH = 200


@strawberry.input(description="What the cross-system view lists or counts.")
class JobFilter:
    sources: list[JobSource] | None = strawberry.field(
        default=None, description="Only these systems (default: all three)."
    )
    states: list[JobState] | None = strawberry.field(
        default=None,
        description="Only these normalised states. UNKNOWN is pushed down as "
        "'status not among the known words'.",
    )
    created_after: datetime | None = strawberry.field(
        default=None, description="Created strictly after this instant."
    )
    created_before: datetime | None = strawberry.field(
        default=None, description="Created strictly before this instant."
    )
    search: str | None = strawberry.field(
        default=None, description="Case-insensitive substring of the job's name."
    )


@strawberry.type(description="A job of the cross-system list, with its cursor.")
class JobEdge:
    cursor: str = strawberry.field(description="Resume after this job with `after`.")
    node: Job


@strawberry.type(description="A page of the cross-system list, newest first.")
class JobConnection:
    edges: list[JobEdge]
    page_info: PageInfo = strawberry.field(
        description="`endCursor` is set even on an empty page while a source can be resumed."
    )
    scan_limited: bool = strawberry.field(
        description="A bounded gateway-side scan (GATEWAY_SCAN_LIMIT) stopped early: the page "
        "may be shorter than asked, or, for a jobs store not listed newest first, incomplete."
    )
    warnings: list[JobWarning]


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def view_filter(flt: JobFilter | None) -> ViewFilter:
    """Validate a ``JobFilter``."""
    if flt is None:
        return ViewFilter()
    search = flt.search.strip() if flt.search is not None else None
    if search is not None and len(search) > MAX_SEARCH_LENGTH:
        raise BadUserInput(
            f"`search` is longer than {MAX_SEARCH_LENGTH} characters", argument="filter"
        )
    sources = (
        SOURCE_ORDER
        if flt.sources is None
        else tuple(s for s in SOURCE_ORDER if s in set(flt.sources))
    )
    return ViewFilter(
        sources=sources,
        states=None if flt.states is None else frozenset(flt.states),
        created_after=_utc(flt.created_after),
        created_before=_utc(flt.created_before),
        search=search or None,
    )


def _report_failures(info: Info, failures: list[tuple[JobSource, UpstreamError]]) -> None:
    path = info.path.as_list()
    for source, error in failures:
        report_partial_error(path, error, source=source.value)


def _failure_warning(source: JobSource, error: UpstreamError) -> JobWarning:
    return JobWarning(
        source=source,
        code=JobWarningCode.SOURCE_FAILED,
        message=f"{error.message}; this source is missing from the answer",
    )


def _fail_if_all_failed(
    info: Info, selected: int, failures: list[tuple[JobSource, UpstreamError]]
) -> None:
    if selected and len(failures) == selected:
        _report_failures(info, failures[1:])
        raise failures[0][1]
    _report_failures(info, failures)


@dataclass(frozen=True, slots=True)
class _Page:
    flt: ViewFilter
    first: int
    fingerprint: str


def _page(info: Info, flt: JobFilter | None, first: int | None) -> _Page:
    settings = info.context.settings
    size = DEFAULT_PAGE_SIZE if first is None else first
    if size < 0 or size > settings.max_page_size:
        raise BadUserInput(
            f"`first` must be between 0 and {settings.max_page_size}, got {size}",
            argument="first",
        )
    vf = view_filter(flt)
    mode = "newest-first" if settings.jobstore_newest_first else "sorted-at-gateway"
    return _Page(flt=vf, first=size, fingerprint=vf.fingerprint(mode))


async def jobs_page(
    info: Info, flt: JobFilter | None, first: int | None, after: str | None
) -> JobConnection:
    """One page of the merged list (see the module docstring)."""
    page = _page(info, flt, first)
    positions = start_positions() if after is None else decode_cursor(after, page.fingerprint)
    reads: list[SourceRead] = await read_sources(info, page.flt, positions, page.first)
    merged = merge(reads, positions, page.first)

    warnings: list[JobWarning] = []
    failures: list[tuple[JobSource, UpstreamError]] = []
    for read in reads:
        warnings.extend(read.warnings)
        if read.error is not None:
            failures.append((read.source, read.error))
            warnings.append(_failure_warning(read.source, read.error))
    _fail_if_all_failed(info, len(reads), failures)

    edges = [
        JobEdge(cursor=encode_cursor(page.fingerprint, after_it), node=job)
        for job, after_it in merged.items
    ]
    resumable = merged.has_next or bool(failures)
    end_cursor = (
        edges[-1].cursor
        if edges
        else encode_cursor(page.fingerprint, merged.end)
        if resumable
        else None
    )
    return JobConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=merged.has_next,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=end_cursor,
        ),
        scan_limited=any(w.code is JobWarningCode.SCAN_LIMITED for w in warnings),
        warnings=warnings,
    )


async def job_counts(info: Info, flt: JobFilter | None) -> JobCounts:
    """Counts and durations of every selected source, computed in parallel."""
    vf = view_filter(flt)
    results = await asyncio.gather(
        *(source_figures(info, s, vf) for s in vf.sources), return_exceptions=True
    )
    figures: list[SourceFigures] = []
    failures: list[tuple[JobSource, UpstreamError]] = []
    warnings: list[JobWarning] = []
    for source, result in zip(vf.sources, results, strict=True):
        if isinstance(result, UpstreamError):
            failures.append((source, result))
            warnings.append(_failure_warning(source, result))
        elif isinstance(result, BaseException):
            raise result
        else:
            figures.append(result)
            warnings.extend(result.warnings)
    _fail_if_all_failed(info, len(vf.sources), failures)
    return JobCounts(
        by_source=[
            JobStateCount(source=f.source, state=state, count=n)
            for f in figures
            for state, n in f.counts.items()
        ],
        durations=[durations_of(f.source, f.elapsed) for f in figures],
        complete=not failures and all(f.complete for f in figures),
        warnings=warnings,
    )


@strawberry.type
class JobQueries:
    @strawberry.field(
        description="The jobs of all three systems as one list, newest first (by `createdAt`; "
        "ties by source, then the source's own order)."
    )
    async def jobs(
        self,
        info: Info,
        filter: JobFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> JobConnection:
        return await jobs_page(info, filter, first, after)

    @strawberry.field(description="Counts per source and state, and durations, for reports.")
    async def job_counts(self, info: Info, filter: JobFilter | None = None) -> JobCounts:
        return await job_counts(info, filter)
