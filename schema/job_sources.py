"""The three sources of the cross-system view: filter pushdown and bounded reads.

Each source is read newest first from a *position*, the offset in that
source's own filtered, newest-first list:

- **Operations manager**: the filter goes into its search (``in[status]``,
  ``gt[created]``, ``lt[created]``, ``contains[name]``) with
  ``sort=created&order=-1``; ``skip`` is the position.
- **AWX**: the filter goes into ``/api/v2/workflow_jobs/`` (``status__in``,
  ``created__gt``/``created__lt``, ``name__icontains``) with
  ``order_by=-created``; the position becomes one ``page``/``page_size`` pair
  whenever one exists (see :func:`awx_pages_for`).
- **Jobs store**: it has no filters, so the gateway filters a bounded scan of
  its raw list; the position is an offset in that raw list (see
  :func:`scan_jobstore`).

``UNKNOWN`` has no upstream word, but the known words are a finite list, so
"state in S or UNKNOWN" is exactly "status not among the words of the states
outside S": it is pushed down as ``not-in[status]`` / ``not__status__in``
(both also match a job without a status, which is UNKNOWN too).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import Enum
from typing import Any

import strawberry

from gateway.context import Info
from gateway.errors import UpstreamError, UpstreamNotFound
from gateway.upstreams.awx import PAGE_CAP, WORKFLOW_JOBS, AwxPage
from gateway.upstreams.jobstore import JobstoreAPI
from schema.flow_jobs import FlowJob
from schema.node import Job
from schema.operations_jobs import OperationsJob, search_window
from schema.pagination import Window
from schema.pushdown import AWX, OPSMANAGER, Params, query
from schema.status import JobSource, JobState
from schema.workflow_jobs import WorkflowJob

Doc = dict[str, Any]

SOURCE_ORDER = (JobSource.JOB_STORE, JobSource.OPERATIONS_MANAGER, JobSource.AWX)
"""The order of sources: the tie-break of the merge and the order of the cursor."""

EARLIEST = datetime.min.replace(tzinfo=UTC)
"""Where a job without a readable ``createdAt`` sorts: last, as the jobs store does."""

SCAN_CHUNK = 100
"""Jobs one request of a filtered jobs-store scan reads (at least the page's need)."""
SCAN_WAVE = 3
"""Chunks of a filtered jobs-store scan requested together after the first."""
FULL_SCAN_PAGE = 200
"""Jobs one request of a whole-list jobs-store scan reads."""
FULL_SCAN_WAVE = 4
"""Requests of a whole-list scan sent at once (the list's length is unknown)."""


@strawberry.enum(description="Why an answer of the cross-system view is not the whole truth.")
class JobWarningCode(Enum):
    SCAN_LIMITED = "SCAN_LIMITED"
    SORTED_AT_GATEWAY = "SORTED_AT_GATEWAY"
    SOURCE_FAILED = "SOURCE_FAILED"


@strawberry.type(description="A caveat of a cross-system answer, per source.")
class JobWarning:
    source: JobSource
    code: JobWarningCode
    message: str


@dataclass(frozen=True, slots=True)
class ViewFilter:
    """A validated ``JobFilter``: what every source of the view must match."""

    sources: tuple[JobSource, ...] = SOURCE_ORDER
    states: frozenset[JobState] | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    search: str | None = None

    @property
    def gateway_side(self) -> bool:
        """Whether the jobs store's jobs must be filtered at the gateway."""
        return bool(
            self.states is not None
            or self.created_after
            or self.created_before
            or self.search is not None
        )

    def with_states(self, states: frozenset[JobState]) -> ViewFilter:
        """The same filter for only ``states`` (intersected with its own)."""
        wanted = states if self.states is None else states & self.states
        return replace(self, states=wanted)

    def matches(self, job: Job) -> bool:
        """The gateway-side test, for the jobs store (same meaning as the pushdowns)."""
        if self.states is not None and job.state not in self.states:
            return False
        created = job.created_at
        if self.created_after is not None and (created is None or created <= self.created_after):
            return False
        if self.created_before is not None and (created is None or created >= self.created_before):
            return False
        if self.search is not None:
            name = job.name or ""
            if self.search.lower() not in name.lower():
                return False
        return True

    def fingerprint(self, *extra: object) -> str:
        """A short digest of the filter, so a cursor is only accepted by the same filter."""
        parts = [
            ",".join(s.value for s in self.sources),
            ",".join(sorted(s.value for s in self.states)) if self.states is not None else "*",
            self.created_after.isoformat() if self.created_after else "",
            self.created_before.isoformat() if self.created_before else "",
            self.search or "",
            *map(str, extra),
        ]
        digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=5)
        return digest.hexdigest()


def sort_time(job: Job) -> datetime:
    """The time a job sorts by in the merged list."""
    return job.created_at or EARLIEST


# --- pushdown --------------------------------------------------------------


def ops_params(flt: ViewFilter) -> Params | None:
    """The operations manager's search conditions; ``None`` when nothing can match."""
    return query(
        OPSMANAGER,
        states=flt.states,
        created_after=flt.created_after,
        created_before=flt.created_before,
        name=flt.search,
    )


def awx_params(flt: ViewFilter) -> Params | None:
    """AWX list filters; ``None`` when nothing can match."""
    return query(
        AWX,
        states=flt.states,
        created_after=flt.created_after,
        created_before=flt.created_before,
        name=flt.search,
    )


# --- one page's read of one source -----------------------------------------


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
    items: list[tuple[Job, int]] = field(default_factory=list)
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


def awx_pages_for(skip: int, need: int) -> tuple[int, list[int], int]:
    """``(page_size, pages, offset)`` covering items ``skip .. skip+need`` of an AWX list.

    AWX pages by ``page``/``page_size``, not by offset. One page suffices when
    some size between ``need`` and the cap puts the whole window on one page;
    the smallest such size is taken (least over-fetch). Otherwise consecutive
    pages of size ``min(need, cap)``. ``offset`` is where the window starts in
    what the pages return.
    """
    need = max(need, 1)
    for size in range(need, PAGE_CAP + 1):
        page = skip // size
        if skip + need <= (page + 1) * size:
            return size, [page + 1], skip - page * size
    size = min(need, PAGE_CAP)
    first_page = skip // size
    last_page = (skip + need - 1) // size
    return size, list(range(first_page + 1, last_page + 2)), skip - first_page * size


async def _awx_page_or_empty(info: Info, params: Params) -> AwxPage:
    try:
        return await info.context.awx.page(WORKFLOW_JOBS, params)
    except UpstreamNotFound:  # "Invalid page.": past the end of the list
        return AwxPage(count=None, results=[], has_next=False)


def _exhausted(start: int, got: int, asked: int, total: int | None) -> bool:
    """Whether a list read from ``start`` has nothing after what was read.

    The upstream's total answers it without asking for one job more than the
    page needs (which would cost a second request at the page cap).
    """
    return start + got >= total if total is not None else got < asked


async def read_awx(info: Info, flt: ViewFilter, start: int, first: int) -> SourceRead:
    """``first`` workflow jobs from ``start``, newest first, filters pushed down."""
    read = SourceRead(JobSource.AWX, start, end=start)
    params = awx_params(flt)
    if params is None:
        read.exhausted = True
        return read
    need = max(first, 1)
    size, pages, offset = awx_pages_for(start, need)
    base = [*params, ("order_by", "-created"), ("page_size", str(size))]
    results = await asyncio.gather(
        *(_awx_page_or_empty(info, [*base, ("page", str(n))]) for n in pages)
    )
    docs = [doc for page in results for doc in page.results][offset : offset + need]
    info.context.loaders.workflow_job_by_id.prime_many(docs)
    read.items = [(WorkflowJob.from_doc(d), start + i + 1) for i, d in enumerate(docs)]
    read.end = start + len(docs)
    read.exhausted = _exhausted(start, len(docs), need, results[0].count)
    return read


async def read_ops(info: Info, flt: ViewFilter, start: int, first: int) -> SourceRead:
    """``first`` operations-manager jobs from ``start``, newest first, filters pushed down."""
    read = SourceRead(JobSource.OPERATIONS_MANAGER, start, end=start)
    params = ops_params(flt)
    if params is None:
        read.exhausted = True
        return read
    need = max(first, 1)
    docs, total = await search_window(info, params, Window(skip=start, first=need))
    info.context.loaders.operations_job_by_id.prime_many(docs)
    read.items = [(OperationsJob.from_doc(d), start + i + 1) for i, d in enumerate(docs)]
    read.end = start + len(docs)
    read.exhausted = _exhausted(start, len(docs), need, total)
    return read


# --- the jobs store --------------------------------------------------------


@dataclass(slots=True)
class FullScan:
    """The jobs store's list from its start, read up to the scan limit."""

    docs: list[Doc]
    cut: bool


async def full_jobstore_scan(
    api: JobstoreAPI, scan_limit: int, *, stop_before: datetime | None = None
) -> FullScan:
    """Read the list from the top, at most ``scan_limit`` jobs.

    The length is unknown, so requests go out :data:`FULL_SCAN_WAVE` at a time.
    The last request within the limit asks for one job more: if it comes, the
    list is longer than the limit and the scan is ``cut``. ``stop_before``
    (newest-first lists only): stop at the first job created at or before it,
    since every later one is older still.
    """
    docs: list[Doc] = []
    pos = 0
    while True:
        wave: list[tuple[int, int]] = []
        planned = pos
        while len(wave) < FULL_SCAN_WAVE and planned < scan_limit:
            size = min(FULL_SCAN_PAGE, scan_limit - planned)
            wave.append((planned, size))
            planned += size
        pages = await asyncio.gather(
            *(
                api.jobs(skip=skip, limit=size + (1 if skip + size == scan_limit else 0))
                for skip, size in wave
            )
        )
        for (skip, size), page in zip(wave, pages, strict=True):
            if skip + size == scan_limit and len(page) > size:
                docs.extend(page[:size])
                return FullScan(docs=_until(docs, stop_before), cut=True)
            docs.extend(page)
            if len(page) < size:
                return FullScan(docs=_until(docs, stop_before), cut=False)
        pos = planned
        if pos >= scan_limit:
            return FullScan(docs=_until(docs, stop_before), cut=False)
        if stop_before is not None and docs:
            last = FlowJob.from_doc(docs[-1]).created_at
            if last is not None and last <= stop_before:
                return FullScan(docs=_until(docs, stop_before), cut=False)


def _until(docs: list[Doc], stop_before: datetime | None) -> list[Doc]:
    if stop_before is None:
        return docs
    for i, doc in enumerate(docs):
        created = FlowJob.from_doc(doc).created_at
        if created is not None and created <= stop_before:
            return docs[:i]
    return docs


def _scan_warning(read: int) -> JobWarning:
    return JobWarning(
        source=JobSource.JOB_STORE,
        code=JobWarningCode.SCAN_LIMITED,
        message=(
            f"the jobs store has no filters; the gateway read {read} of its jobs "
            "(GATEWAY_SCAN_LIMIT) and stopped: this answer may miss older matching jobs"
        ),
    )


async def scan_jobstore(info: Info, flt: ViewFilter, start: int, need: int) -> SourceRead:
    """``need`` matching jobs-store jobs from raw offset ``start`` (list served newest first).

    Without a filter this is one request of ``need`` jobs. With one, pages of
    at least :data:`SCAN_CHUNK` jobs are read (one, then :data:`SCAN_WAVE` at a
    time, concurrently) until ``need``
    jobs matched, the list ended, a job older than ``createdAfter`` was seen
    (every later job is older still), or ``scan_limit`` jobs were read. In the
    last case the read has a ``frontier`` (the time of the last job read) and
    a ``SCAN_LIMITED`` warning; the next page resumes the scan where this one
    stopped, so paging on still visits every job, just in smaller pages.
    """
    api = info.context.jobstore
    read = SourceRead(JobSource.JOB_STORE, start, end=start)
    fetched: list[Doc] = []
    if not flt.gateway_side:
        docs = await api.jobs(skip=start, limit=need)
        fetched = docs[:need]
        read.items = [(FlowJob.from_doc(d), start + i + 1) for i, d in enumerate(fetched)]
        read.end = start + len(fetched)
        read.exhausted = len(fetched) < need
        info.context.loaders.flow_job_by_id.prime_many(fetched)
        return read
    scan_limit = info.context.settings.scan_limit
    pos, scanned = start, 0
    last: FlowJob | None = None
    wave_size = 1
    while True:
        # The first request alone often fills the page; after it, chunks go out a
        # wave at a time so a long scan costs round trips per wave, not per chunk.
        chunks: list[tuple[int, int]] = []
        planned = scanned
        for _ in range(wave_size):
            size = min(max(need - len(read.items), SCAN_CHUNK), scan_limit - planned)
            if size <= 0:
                break
            chunks.append((pos + planned - scanned, size))
            planned += size
        pages = await asyncio.gather(
            *(
                api.jobs(skip=skip, limit=size + (1 if skip - start + size >= scan_limit else 0))
                for skip, size in chunks
            )
        )
        wave_size = SCAN_WAVE
        for (_skip, size), page in zip(chunks, pages, strict=True):
            longer = len(page) > size
            docs = page[:size]
            fetched.extend(docs)
            for i, doc in enumerate(docs):
                job = FlowJob.from_doc(doc)
                created = job.created_at
                if (
                    flt.created_after is not None
                    and created is not None
                    and created <= flt.created_after
                ):
                    read.end, read.exhausted = pos + i, True
                    info.context.loaders.flow_job_by_id.prime_many(fetched)
                    return read
                if flt.matches(job):
                    read.items.append((job, pos + i + 1))
                    if len(read.items) == need:
                        read.end = pos + i + 1
                        info.context.loaders.flow_job_by_id.prime_many(fetched)
                        return read
                last = job
            pos += len(docs)
            scanned += len(docs)
            read.end = pos
            if len(docs) < size or (scanned >= scan_limit and not longer):
                read.exhausted = True
                info.context.loaders.flow_job_by_id.prime_many(fetched)
                return read
            if scanned >= scan_limit:
                read.frontier = sort_time(last) if last is not None else EARLIEST
                read.warnings.append(_scan_warning(scanned))
                info.context.loaders.flow_job_by_id.prime_many(fetched)
                return read


def _newest_first_key(job: FlowJob) -> tuple[datetime, str]:
    return sort_time(job), job.job_id


async def sorted_jobstore(info: Info, flt: ViewFilter, start: int, need: int) -> SourceRead:
    """The jobs store when its list is *not* newest first (``GATEWAY_JOBSTORE_NEWEST_FIRST=false``).

    Its order then says nothing about age, so no page can be cut from it: the
    gateway reads the whole list (bounded by ``scan_limit``) on every page,
    filters it, sorts it newest first (ties: ``jobId`` descending, as the
    sandbox does) and takes ``need`` jobs from ``start``, an offset in *that*
    sorted list. Each answer says ``SORTED_AT_GATEWAY``; when the list is
    longer than the limit, jobs beyond it are missing (``SCAN_LIMITED``).
    """
    scan = await full_jobstore_scan(info.context.jobstore, info.context.settings.scan_limit)
    jobs = [FlowJob.from_doc(d) for d in scan.docs]
    matching = sorted((j for j in jobs if flt.matches(j)), key=_newest_first_key, reverse=True)
    page = matching[start : start + need]
    by_id = {d.get("jobId"): d for d in scan.docs}
    info.context.loaders.flow_job_by_id.prime_many([by_id[j.job_id] for j in page])
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
    info: Info, source: JobSource, flt: ViewFilter, start: int | None, first: int
) -> SourceRead:
    """What a page of ``first`` jobs needs from one source; ``start`` ``None``: it is done.

    AWX and the operations manager are asked for ``first`` jobs: their totals
    say whether more follow. The jobs store has no total, so it is asked for
    ``first + 1``.
    """
    if start is None:
        return SourceRead(source, 0, exhausted=True)
    if source is JobSource.AWX:
        return await read_awx(info, flt, start, first)
    if source is JobSource.OPERATIONS_MANAGER:
        return await read_ops(info, flt, start, first)
    if info.context.settings.jobstore_newest_first:
        return await scan_jobstore(info, flt, start, first + 1)
    return await sorted_jobstore(info, flt, start, first + 1)


async def read_sources(
    info: Info, flt: ViewFilter, positions: dict[JobSource, int | None], first: int
) -> list[SourceRead]:
    """Every selected source's read, in parallel; a failed upstream is the read's ``error``."""
    sources: Sequence[JobSource] = flt.sources
    results = await asyncio.gather(
        *(read_source(info, s, flt, positions[s], first) for s in sources),
        return_exceptions=True,
    )
    reads: list[SourceRead] = []
    for source, result in zip(sources, results, strict=True):
        if isinstance(result, UpstreamError):
            start = positions[source]
            reads.append(SourceRead(source, start or 0, end=start or 0, error=result))
        elif isinstance(result, BaseException):
            raise result
        else:
            reads.append(result)
    return reads
