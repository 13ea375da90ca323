"""The three sources of the cross-system view: bounded reads from a position.

Each source is read newest first from a *position*, the offset in that
source's own filtered, newest-first list:

- **Operations manager** and **AWX**: the filter is pushed down into the
  upstream's own query by its client (``window``); the position is the
  window's offset, and the upstream's total says whether more follow.
- **Jobs store**: it has no filters, so the gateway filters a bounded scan of
  its raw list (:func:`scan_jobstore`); the position is an offset in that
  raw list. A list not served newest first is read whole and sorted at the
  gateway instead (:func:`sorted_jobstore`).

A read primes the by-id loaders with what it fetched, so a later lookup of
one of those jobs in the same request costs nothing.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from gateway.context import Context
from gateway.errors import UpstreamError
from gateway.facts import JobFacts, flow_job_facts, operations_job_facts, workflow_job_facts
from gateway.filters import ViewFilter
from gateway.states import JobSource
from gateway.upstreams.windows import ListWindow
from gateway.view.warnings import JobWarning, JobWarningCode

Doc = dict[str, Any]

EARLIEST = datetime.min.replace(tzinfo=UTC)
"""Where a job without a readable ``createdAt`` sorts: last, as the jobs store does."""

SCAN_CHUNK = 100
"""Jobs one request of a filtered jobs-store scan reads (at least the page's need)."""
SCAN_WAVE = 3
"""Chunks of a filtered jobs-store scan requested together after the first."""


@dataclass(frozen=True, slots=True)
class ViewJob:
    """A job of the view: its upstream document and the facts the view sorts and filters on."""

    facts: JobFacts
    doc: Doc

    @property
    def sort_time(self) -> datetime:
        """The time the job sorts by in the merged list."""
        return self.facts.created_at or EARLIEST


@dataclass(slots=True)
class SourceRead:
    """What one page read from one source, starting at position ``start``.

    ``items`` are the source's matching jobs in its own order, each with the
    position just after it. ``end`` is the position after everything read
    (for the jobs store: past the trailing non-matching jobs it scanned).
    ``frontier``: the bounded scan stopped before the list ended; jobs not yet
    read all sort at or after this time, so the merge must not go past it.
    """

    source: JobSource
    start: int
    items: list[tuple[ViewJob, int]] = field(default_factory=list)
    end: int = 0
    exhausted: bool = False
    frontier: datetime | None = None
    warnings: list[JobWarning] = field(default_factory=list)
    error: UpstreamError | None = None

    def position_after(self, consumed: int) -> int | None:
        """The position once ``consumed`` items were taken; ``None``: nothing is left."""
        if self.error is not None:
            return self.start
        if consumed >= len(self.items):
            return None if self.exhausted else self.end
        return self.start if consumed == 0 else self.items[consumed - 1][1]


def _exhausted(start: int, got: int, asked: int, total: int | None) -> bool:
    """Whether a list read from ``start`` has nothing after what was read.

    The upstream's total answers it without asking for one job more than the
    page needs (which would cost a second request at the page cap).
    """
    return start + got >= total if total is not None else got < asked


def _windowed(source: JobSource, start: int, need: int, window: ListWindow) -> SourceRead:
    facts_of = workflow_job_facts if source is JobSource.AWX else operations_job_facts
    read = SourceRead(source, start, end=start + len(window.docs))
    read.items = [(ViewJob(facts_of(d), d), start + i + 1) for i, d in enumerate(window.docs)]
    read.exhausted = _exhausted(start, len(window.docs), need, window.total)
    return read


async def read_awx(ctx: Context, flt: ViewFilter, start: int, first: int) -> SourceRead:
    """``first`` workflow jobs from ``start``, newest first, filters pushed down."""
    need = max(first, 1)
    window = await ctx.awx.window(flt.jobs, start, need)
    ctx.loaders.workflow_job_by_id.prime_many(window.docs)
    return _windowed(JobSource.AWX, start, need, window)


async def read_ops(ctx: Context, flt: ViewFilter, start: int, first: int) -> SourceRead:
    """``first`` operations-manager jobs from ``start``, newest first, filters pushed down."""
    need = max(first, 1)
    window = await ctx.opsmanager.window(flt.jobs, start, need)
    ctx.loaders.operations_job_by_id.prime_many(window.docs)
    return _windowed(JobSource.OPERATIONS_MANAGER, start, need, window)


def _scan_warning(read: int) -> JobWarning:
    return JobWarning(
        source=JobSource.JOB_STORE,
        code=JobWarningCode.SCAN_LIMITED,
        message=(
            f"the jobs store has no filters; the gateway read {read} of its jobs "
            "(GATEWAY_SCAN_LIMIT) and stopped: this answer may miss older matching jobs"
        ),
    )


async def scan_jobstore(ctx: Context, flt: ViewFilter, start: int, need: int) -> SourceRead:
    """``need`` matching jobs-store jobs from raw offset ``start`` (list served newest first).

    Without a filter this is one request of ``need`` jobs. With one, the list
    is walked in chunks of at least :data:`SCAN_CHUNK` jobs (one, then
    :data:`SCAN_WAVE` at a time, concurrently) until ``need`` jobs matched,
    the list ended, a job older than ``createdAfter`` was seen (every later
    job is older still), or ``GATEWAY_SCAN_LIMIT`` jobs were read. In the last
    case the read has a ``frontier`` (the time of the last job read) and a
    ``SCAN_LIMITED`` warning; the next page resumes the scan where this one
    stopped, so paging on still visits every job, just in smaller pages.
    """
    api = ctx.jobstore
    read = SourceRead(JobSource.JOB_STORE, start, end=start)
    prime = ctx.loaders.flow_job_by_id.prime_many
    if not flt.gateway_side:
        docs = (await api.page(skip=start, limit=need))[:need]
        read.items = [(ViewJob(flow_job_facts(d), d), start + i + 1) for i, d in enumerate(docs)]
        read.end = start + len(docs)
        read.exhausted = len(docs) < need
        prime(docs)
        return read
    created_after = flt.jobs.created_after
    walk = api.walk(start, ctx.settings.scan_limit)
    fetched: list[Doc] = []
    last: ViewJob | None = None
    wave = 1
    try:
        while not walk.done:
            # The first request alone often fills the page; after it, chunks go out
            # a wave at a time so a long scan costs round trips per wave, not per chunk.
            pos = start + walk.read
            docs = await walk.next_wave(max(need - len(read.items), SCAN_CHUNK), wave)
            wave = SCAN_WAVE
            fetched.extend(docs)
            for i, doc in enumerate(docs):
                job = ViewJob(flow_job_facts(doc), doc)
                created = job.facts.created_at
                if created_after is not None and created is not None and created <= created_after:
                    read.end, read.exhausted = pos + i, True
                    return read
                if flt.jobs.matches(job.facts):
                    read.items.append((job, pos + i + 1))
                    if len(read.items) == need:
                        read.end = pos + i + 1
                        return read
                last = job
            read.end = start + walk.read
        read.exhausted = walk.exhausted
        if walk.cut:
            read.frontier = last.sort_time if last is not None else EARLIEST
            read.warnings.append(_scan_warning(walk.read))
        return read
    finally:
        prime(fetched)


async def sorted_jobstore(ctx: Context, flt: ViewFilter, start: int, need: int) -> SourceRead:
    """The jobs store when its list is *not* newest first (``GATEWAY_JOBSTORE_NEWEST_FIRST=false``).

    Its order then says nothing about age, so no page can be cut from it: the
    gateway reads the whole list (bounded by ``scan_limit``) on every page,
    filters it, sorts it newest first (ties: ``jobId`` descending, as the
    sandbox does) and takes ``need`` jobs from ``start``, an offset in *that*
    sorted list. Each answer says ``SORTED_AT_GATEWAY``; when the list is
    longer than the limit, jobs beyond it are missing (``SCAN_LIMITED``).
    """
    scan = await ctx.jobstore.scan(ctx.settings.scan_limit)
    jobs = [ViewJob(flow_job_facts(d), d) for d in scan.docs]
    matching = sorted(
        (j for j in jobs if flt.jobs.matches(j.facts)),
        key=lambda j: (j.sort_time, j.facts.key),
        reverse=True,
    )
    page = matching[start : start + need]
    ctx.loaders.flow_job_by_id.prime_many([j.doc for j in page])
    read = SourceRead(JobSource.JOB_STORE, start, end=start + len(page))
    read.items = [(job, start + i + 1) for i, job in enumerate(page)]
    read.exhausted = start + need >= len(matching)
    read.warnings.append(
        JobWarning(
            source=JobSource.JOB_STORE,
            code=JobWarningCode.SORTED_AT_GATEWAY,
            message=(
                f"the jobs store's list is not newest first: the gateway read "
                f"{len(scan.docs)} jobs and sorted them itself"
            ),
        )
    )
    if scan.cut:
        read.warnings.append(_scan_warning(len(scan.docs)))
    return read


async def read_source(
    ctx: Context, source: JobSource, flt: ViewFilter, start: int | None, first: int
) -> SourceRead:
    """What a page of ``first`` jobs needs from one source; ``start`` ``None``: it is done.

    AWX and the operations manager are asked for ``first`` jobs: their totals
    say whether more follow. The jobs store has no total, so it is asked for
    ``first + 1``.
    """
    if start is None:
        return SourceRead(source, 0, exhausted=True)
    if source is JobSource.AWX:
        return await read_awx(ctx, flt, start, first)
    if source is JobSource.OPERATIONS_MANAGER:
        return await read_ops(ctx, flt, start, first)
    if ctx.settings.jobstore_newest_first:
        return await scan_jobstore(ctx, flt, start, first + 1)
    return await sorted_jobstore(ctx, flt, start, first + 1)


async def read_sources(
    ctx: Context, flt: ViewFilter, positions: dict[JobSource, int | None], first: int
) -> list[SourceRead]:
    """Every selected source's read, in parallel; a failed upstream is the read's ``error``."""
    results = await asyncio.gather(
        *(read_source(ctx, s, flt, positions[s], first) for s in flt.sources),
        return_exceptions=True,
    )
    reads: list[SourceRead] = []
    for source, result in zip(flt.sources, results, strict=True):
        if isinstance(result, UpstreamError):
            start = positions[source]
            reads.append(SourceRead(source, start or 0, end=start or 0, error=result))
        elif isinstance(result, BaseException):
            raise result
        else:
            reads.append(result)
    return reads
