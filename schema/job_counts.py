"""Counts per source and state, and durations of finished jobs, for reports.

**Counts** come from the upstream's own totals where it has them, one request
per state's word-set, all in parallel: the operations manager's
``metadata.total`` of a search with ``limit=1``, AWX's ``count`` of a list
with ``page_size=1`` (``UNKNOWN`` through the negated word-set, see
:mod:`schema.job_sources`). A state with no word on an upstream is 0 without a
request. The jobs store has no counts: its list is scanned (bounded by
``GATEWAY_SCAN_LIMIT``) and counted at the gateway.

**Durations** need the finished jobs themselves (``SUCCEEDED``, ``FAILED``,
``CANCELED`` within the filter). The first page of them goes out with the
counts; its total says how many pages remain, and those go out together,
newest first, up to ``scan_limit`` jobs per source. ``count`` is the number of
finished jobs whose elapsed time is known; ``mean``, ``p50`` and ``p95`` are
seconds (percentiles interpolate linearly between the closest ranks).

``complete`` is true only when every source answered and no bound cut a scan.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import strawberry

from gateway.context import Info
from gateway.upstreams.awx import PAGE_CAP, WORKFLOW_JOBS, AwxPage
from gateway.upstreams.opsmanager import BATCH_CHUNK, OpsPage
from schema.flow_jobs import FlowJob
from schema.job_sources import (
    JobWarning,
    JobWarningCode,
    ViewFilter,
    awx_params,
    full_jobstore_scan,
    ops_params,
)
from schema.node import Job
from schema.operations_jobs import OperationsJob
from schema.status import FINAL_STATES, JobSource, JobState
from schema.workflow_jobs import WorkflowJob

OPS_DURATION_FIELDS = "_id,name,status,created,metrics"
"""The fields a duration needs (``include`` keeps the operations manager's answers small)."""


@strawberry.type(description="How many jobs of one source are in one state.")
class JobStateCount:
    source: JobSource
    state: JobState
    count: int


@strawberry.type(description="Elapsed seconds of the finished jobs of one source.")
class JobDurations:
    source: JobSource
    count: int = strawberry.field(description="Finished jobs whose elapsed time is known.")
    mean: float | None
    p50: float | None
    p95: float | None


@strawberry.type(description="Counts and durations across the three systems.")
class JobCounts:
    by_source: list[JobStateCount] = strawberry.field(
        description="Per source and normalised state (zeros included) within the filter."
    )
    durations: list[JobDurations]
    complete: bool = strawberry.field(
        description="True when every figure is exact: every source answered, no scan was cut."
    )
    warnings: list[JobWarning]


@dataclass(slots=True)
class SourceFigures:
    """One source's counts and the elapsed times of its finished jobs."""

    source: JobSource
    counts: dict[JobState, int]
    elapsed: list[float]
    complete: bool = True
    warnings: list[JobWarning] = field(default_factory=list)


def percentile(ordered: list[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (numpy's default; ``statistics`` inclusive)."""
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def durations_of(source: JobSource, elapsed: list[float]) -> JobDurations:
    """Count, mean, p50 and p95 of some elapsed times."""
    if not elapsed:
        return JobDurations(source=source, count=0, mean=None, p50=None, p95=None)
    ordered = sorted(elapsed)
    return JobDurations(
        source=source,
        count=len(ordered),
        mean=sum(ordered) / len(ordered),
        p50=percentile(ordered, 0.5),
        p95=percentile(ordered, 0.95),
    )


def _states(flt: ViewFilter) -> list[JobState]:
    return [s for s in JobState if flt.states is None or s in flt.states]


def _finished(jobs: Sequence[Job]) -> list[float]:
    return [
        j.elapsed_seconds for j in jobs if j.state in FINAL_STATES and j.elapsed_seconds is not None
    ]


def _bound_warning(source: JobSource, read: int, total: int) -> JobWarning:
    return JobWarning(
        source=source,
        code=JobWarningCode.SCAN_LIMITED,
        message=(f"durations use the newest {read} of {total} finished jobs (GATEWAY_SCAN_LIMIT)"),
    )


async def ops_figures(info: Info, flt: ViewFilter) -> SourceFigures:
    """Counts from ``metadata.total``; durations from the finished jobs, paged in parallel."""
    api = info.context.opsmanager
    limit = info.context.settings.scan_limit
    states = _states(flt)

    async def count(state: JobState) -> int:
        params = ops_params(flt.with_states(frozenset({state})))
        if params is None:
            return 0
        page = await api.search([*params, ("limit", "1")])
        return page.total or 0

    finished = ops_params(flt.with_states(FINAL_STATES))
    base = [*(finished or []), ("sort", "created"), ("order", "-1")]
    base.append(("include", OPS_DURATION_FIELDS))

    def page(skip: int, size: int) -> list[tuple[str, str]]:
        return [*base, ("skip", str(skip)), ("limit", str(size))]

    first_size = min(BATCH_CHUNK, limit)

    async def first_page() -> OpsPage | None:
        return None if finished is None else await api.search(page(0, first_size))

    counts, first = await asyncio.gather(asyncio.gather(*(count(s) for s in states)), first_page())
    figures = SourceFigures(
        JobSource.OPERATIONS_MANAGER, dict(zip(states, counts, strict=True)), []
    )
    if first is None:
        return figures
    docs = list(first.jobs)
    total = first.total if first.total is not None else len(docs)
    wanted = min(total, limit)
    rest = await asyncio.gather(
        *(
            api.search(page(skip, min(BATCH_CHUNK, wanted - skip)))
            for skip in range(first_size, wanted, BATCH_CHUNK)
        )
    )
    for more in rest:
        docs.extend(more.jobs)
    figures.elapsed = _finished([OperationsJob.from_doc(d) for d in docs[:wanted]])
    if total > limit:
        figures.complete = False
        figures.warnings.append(_bound_warning(figures.source, wanted, total))
    return figures


async def awx_figures(info: Info, flt: ViewFilter) -> SourceFigures:
    """Counts from ``count`` with ``page_size=1``; durations from the finished jobs."""
    api = info.context.awx
    limit = info.context.settings.scan_limit
    states = _states(flt)

    async def count(state: JobState) -> int:
        params = awx_params(flt.with_states(frozenset({state})))
        if params is None:
            return 0
        page = await api.page(WORKFLOW_JOBS, [*params, ("page_size", "1")])
        return page.count or 0

    finished = awx_params(flt.with_states(FINAL_STATES))
    size = min(PAGE_CAP, limit)
    base = [*(finished or []), ("order_by", "-created"), ("page_size", str(size))]

    async def first_page() -> AwxPage | None:
        return None if finished is None else await api.page(WORKFLOW_JOBS, [*base, ("page", "1")])

    counts, first = await asyncio.gather(asyncio.gather(*(count(s) for s in states)), first_page())
    figures = SourceFigures(JobSource.AWX, dict(zip(states, counts, strict=True)), [])
    if first is None:
        return figures
    docs = list(first.results)
    total = first.count if first.count is not None else len(docs)
    wanted = min(total, limit)
    pages = -(-wanted // size)
    rest = await asyncio.gather(
        *(api.page(WORKFLOW_JOBS, [*base, ("page", str(n))]) for n in range(2, pages + 1))
    )
    for more in rest:
        docs.extend(more.results)
    figures.elapsed = _finished([WorkflowJob.from_doc(d) for d in docs[:wanted]])
    if total > limit:
        figures.complete = False
        figures.warnings.append(_bound_warning(figures.source, wanted, total))
    return figures


async def jobstore_figures(info: Info, flt: ViewFilter) -> SourceFigures:
    """Counts and durations from a bounded scan of the whole list."""
    settings = info.context.settings
    stop = flt.created_after if settings.jobstore_newest_first else None
    scan = await full_jobstore_scan(info.context.jobstore, settings.scan_limit, stop_before=stop)
    jobs = [j for j in (FlowJob.from_doc(d) for d in scan.docs) if flt.matches(j)]
    counts = dict.fromkeys(_states(flt), 0)
    for job in jobs:
        counts[job.state] += 1
    figures = SourceFigures(JobSource.JOB_STORE, counts, _finished(jobs))
    if scan.cut:
        figures.complete = False
        figures.warnings.append(
            JobWarning(
                source=JobSource.JOB_STORE,
                code=JobWarningCode.SCAN_LIMITED,
                message=(
                    f"the jobs store has no counts; the gateway read {len(scan.docs)} of its "
                    "jobs (GATEWAY_SCAN_LIMIT) and stopped: its figures are lower bounds"
                ),
            )
        )
    return figures


async def source_figures(info: Info, source: JobSource, flt: ViewFilter) -> SourceFigures:
    """The figures of one source."""
    if source is JobSource.OPERATIONS_MANAGER:
        return await ops_figures(info, flt)
    if source is JobSource.AWX:
        return await awx_figures(info, flt)
    return await jobstore_figures(info, flt)
