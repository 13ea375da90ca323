"""Counts per source and state, and durations of finished jobs, for reports.

**Counts** come from the upstream's own totals where it has them, one request
per state's word-set, all in parallel (the clients' ``count``: the operations
manager's ``metadata.total``, AWX's ``count``; ``UNKNOWN`` through the
negated word-set). A state with no word on an upstream is 0 without a
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
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from gateway.context import Context
from gateway.errors import UpstreamError
from gateway.facts import JobFacts, flow_job_facts, operations_job_facts, workflow_job_facts
from gateway.filters import JobListFilter, ViewFilter
from gateway.states import FINAL_STATES, JobSource, JobState
from gateway.upstreams.windows import ListWindow
from gateway.view.warnings import JobWarning, JobWarningCode, failure_warning

OPS_DURATION_FIELDS = "_id,name,status,created,metrics"
"""The fields a duration needs (``include`` keeps the operations manager's answers small)."""


@dataclass(frozen=True, slots=True)
class Durations:
    """Elapsed seconds of the finished jobs of one source."""

    source: JobSource
    count: int
    mean: float | None
    p50: float | None
    p95: float | None


@dataclass(slots=True)
class SourceFigures:
    """One source's counts and the elapsed times of its finished jobs."""

    source: JobSource
    counts: dict[JobState, int]
    elapsed: list[float]
    complete: bool = True
    warnings: list[JobWarning] = field(default_factory=list)

    @property
    def durations(self) -> Durations:
        """Count, mean, p50 and p95 of the elapsed times."""
        return durations_of(self.source, self.elapsed)


@dataclass(frozen=True, slots=True)
class Figures:
    """Every selected source's figures, and the sources that failed."""

    sources: list[SourceFigures]
    failures: list[tuple[JobSource, UpstreamError]]
    warnings: list[JobWarning]
    selected: int

    @property
    def complete(self) -> bool:
        """Whether every figure is exact: every source answered and no scan was cut."""
        return not self.failures and all(f.complete for f in self.sources)


def percentile(ordered: list[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (numpy's default; ``statistics`` inclusive)."""
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def durations_of(source: JobSource, elapsed: list[float]) -> Durations:
    """Count, mean, p50 and p95 of some elapsed times."""
    if not elapsed:
        return Durations(source=source, count=0, mean=None, p50=None, p95=None)
    ordered = sorted(elapsed)
    return Durations(
        source=source,
        count=len(ordered),
        mean=sum(ordered) / len(ordered),
        p50=percentile(ordered, 0.5),
        p95=percentile(ordered, 0.95),
    )


def _states(flt: JobListFilter) -> list[JobState]:
    return [s for s in JobState if flt.states is None or s in flt.states]


def _finished(jobs: Iterable[JobFacts]) -> list[float]:
    return [
        j.elapsed_seconds for j in jobs if j.state in FINAL_STATES and j.elapsed_seconds is not None
    ]


async def _counted(
    source: JobSource,
    flt: JobListFilter,
    limit: int,
    count: Callable[[JobListFilter], Awaitable[int]],
    newest: Callable[[JobListFilter, int], Awaitable[ListWindow]],
    facts_of: Callable[[dict[str, object]], JobFacts],
) -> SourceFigures:
    """Figures of a source with counts: one count per state, the finished jobs alongside."""
    states = _states(flt)
    counts, finished = await asyncio.gather(
        asyncio.gather(*(count(flt.with_states(frozenset({s}))) for s in states)),
        newest(flt.with_states(FINAL_STATES), limit),
    )
    figures = SourceFigures(source, dict(zip(states, counts, strict=True)), [])
    figures.elapsed = _finished(facts_of(d) for d in finished.docs)
    total = finished.total if finished.total is not None else len(finished.docs)
    if total > limit:
        figures.complete = False
        figures.warnings.append(
            JobWarning(
                source=source,
                code=JobWarningCode.SCAN_LIMITED,
                message=(
                    f"durations use the newest {len(finished.docs)} of {total} finished jobs "
                    "(GATEWAY_SCAN_LIMIT)"
                ),
            )
        )
    return figures


async def ops_figures(ctx: Context, flt: JobListFilter) -> SourceFigures:
    """Counts from ``metadata.total``; durations from the finished jobs, paged in parallel."""
    api = ctx.opsmanager

    async def newest(f: JobListFilter, limit: int) -> ListWindow:
        return await api.newest(f, limit, include=OPS_DURATION_FIELDS)

    return await _counted(
        JobSource.OPERATIONS_MANAGER,
        flt,
        ctx.settings.scan_limit,
        api.count,
        newest,
        operations_job_facts,
    )


async def awx_figures(ctx: Context, flt: JobListFilter) -> SourceFigures:
    """Counts from ``count`` with ``page_size=1``; durations from the finished jobs."""
    return await _counted(
        JobSource.AWX,
        flt,
        ctx.settings.scan_limit,
        ctx.awx.count,
        ctx.awx.newest,
        workflow_job_facts,
    )


async def jobstore_figures(ctx: Context, flt: JobListFilter) -> SourceFigures:
    """Counts and durations from a bounded scan of the whole list."""
    settings = ctx.settings
    stop = flt.created_after if settings.jobstore_newest_first else None
    scan = await ctx.jobstore.scan(settings.scan_limit, stop_before=stop)
    jobs = [facts for facts in map(flow_job_facts, scan.docs) if flt.matches(facts)]
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


_FIGURES = {
    JobSource.JOB_STORE: jobstore_figures,
    JobSource.OPERATIONS_MANAGER: ops_figures,
    JobSource.AWX: awx_figures,
}


async def figures(ctx: Context, flt: ViewFilter) -> Figures:
    """Counts and durations of every selected source, computed in parallel."""
    results = await asyncio.gather(
        *(_FIGURES[s](ctx, flt.jobs) for s in flt.sources), return_exceptions=True
    )
    found: list[SourceFigures] = []
    failures: list[tuple[JobSource, UpstreamError]] = []
    warnings: list[JobWarning] = []
    for source, result in zip(flt.sources, results, strict=True):
        if isinstance(result, UpstreamError):
            failures.append((source, result))
            warnings.append(failure_warning(source, result))
        elif isinstance(result, BaseException):
            raise result
        else:
            found.append(result)
            warnings.extend(result.warnings)
    return Figures(sources=found, failures=failures, warnings=warnings, selected=len(flt.sources))
