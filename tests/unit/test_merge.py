"""The k-way merge of :mod:`gateway.view.merge` over simulated sources, paged by cursor.

Each source is a newest-first list of jobs; :class:`World` reads it the way
:func:`gateway.view.sources.read_source` does (``_windowed`` for AWX and the
operations manager, ``scan_jobstore`` for the jobs store: one request of
``first + 1`` jobs, or a bounded filtered scan with a frontier).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.errors import UpstreamRequest, UpstreamUnavailable
from gateway.facts import JobFacts
from gateway.filters import ViewFilter
from gateway.states import SOURCE_ORDER, JobSource, JobState
from gateway.view.merge import (
    MergedPage,
    Positions,
    decode_cursor,
    encode_cursor,
    merge,
    start_positions,
)
from gateway.view.sources import EARLIEST, SourceRead, ViewJob

JS, OPS, AWX = SOURCE_ORDER
FINGERPRINT = ViewFilter().fingerprint("newest-first")
T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
ZONES = [UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30))]


def _job(source: JobSource, index: int, created: datetime | None) -> ViewJob:
    key = f"{source.value}-{index}"
    facts = JobFacts(
        source, key, None, JobState.UNKNOWN, None, created, None, None, None, None, None
    )
    return ViewJob(facts, {"id": key})


@dataclass
class World:
    """Three newest-first sources; ``scan_limit`` set: the jobs store is a filtered scan."""

    jobs: dict[JobSource, list[ViewJob]]
    matching: list[bool] = field(default_factory=list)
    scan_limit: int | None = None
    failing: set[JobSource] = field(default_factory=set)

    def read(self, source: JobSource, start: int | None, first: int) -> SourceRead:
        if start is None:
            return SourceRead(source, 0, exhausted=True)
        if source in self.failing:
            error = UpstreamUnavailable(
                "down", request=UpstreamRequest(source.upstream, "GET", "/")
            )
            return SourceRead(source, start, end=start, error=error)
        if source is JS:
            return self._jobstore(start, first + 1)
        need = max(first, 1)
        jobs = self.jobs[source]
        docs = jobs[start : start + need]
        read = SourceRead(source, start, end=start + len(docs))
        read.items = [(job, start + i + 1) for i, job in enumerate(docs)]
        read.exhausted = start + len(docs) >= len(jobs)
        return read

    def _jobstore(self, start: int, need: int) -> SourceRead:
        raw = self.jobs[JS]
        read = SourceRead(JS, start, end=start)
        if self.scan_limit is None:
            docs = raw[start : start + need]
            read.items = [(job, start + i + 1) for i, job in enumerate(docs)]
            read.end = start + len(docs)
            read.exhausted = len(docs) < need
            return read
        batch = raw[start : start + self.scan_limit]
        last: ViewJob | None = None
        for i, job in enumerate(batch):
            if self.matching[start + i]:
                read.items.append((job, start + i + 1))
                if len(read.items) == need:
                    read.end = start + i + 1
                    return read
            last = job
        read.end = start + len(batch)
        cut = len(raw) > start + self.scan_limit
        read.exhausted = not cut
        if cut:
            read.frontier = last.sort_time if last is not None else EARLIEST
        return read

    def page(self, positions: Positions, first: int) -> tuple[MergedPage, list[SourceRead]]:
        reads = [self.read(s, positions[s], first) for s in SOURCE_ORDER]
        return merge(reads, positions, first), reads

    def expected(self) -> list[ViewJob]:
        """Every matching job, newest first; ties by source order, then the source's order."""
        keyed = [
            ((job.sort_time, -rank, -index), job)
            for rank, source in enumerate(SOURCE_ORDER)
            for index, job in enumerate(self.jobs[source])
            if source is not JS or self.scan_limit is None or self.matching[index]
        ]
        return [job for _, job in sorted(keyed, key=lambda kj: kj[0], reverse=True)]


def _roundtrip(positions: Positions) -> Positions:
    decoded = decode_cursor(encode_cursor(FINGERPRINT, positions), FINGERPRINT)
    assert decoded == positions
    return decoded


def _page_through(
    world: World, first: int, positions: Positions | None = None
) -> tuple[list[ViewJob], list[Positions], list[MergedPage]]:
    positions = start_positions() if positions is None else positions
    jobs: list[ViewJob] = []
    edges: list[Positions] = []
    pages: list[MergedPage] = []
    bound = sum(map(len, world.jobs.values())) * 2 + 3
    while True:
        assert len(pages) <= bound, "paging does not end"
        page, _ = world.page(positions, first)
        pages.append(page)
        jobs += [job for job, _ in page.items]
        edges += [after for _, after in page.items]
        if page.items:
            assert page.items[-1][1] == page.end
        if not page.has_next:
            return jobs, edges, pages
        positions = _roundtrip(page.end)


times = st.one_of(
    st.none(),
    st.builds(
        lambda minutes, zone: (T0 + timedelta(minutes=minutes)).astimezone(zone),
        st.integers(min_value=0, max_value=12),
        st.sampled_from(ZONES),
    ),
)


def _newest_first(source: JobSource, created: list[datetime | None]) -> list[ViewJob]:
    ordered = sorted(created, key=lambda t: t or EARLIEST, reverse=True)
    return [_job(source, i, t) for i, t in enumerate(ordered)]


@st.composite
def worlds(draw: st.DrawFn, *, scanned: bool | None = None) -> World:
    jobs = {s: _newest_first(s, draw(st.lists(times, max_size=10))) for s in SOURCE_ORDER}
    bounded = draw(st.booleans()) if scanned is None else scanned
    if not bounded:
        return World(jobs)
    matching = draw(st.lists(st.booleans(), min_size=len(jobs[JS]), max_size=len(jobs[JS])))
    return World(jobs, matching, draw(st.integers(min_value=1, max_value=4)))


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(world=worlds(scanned=False), first=st.integers(min_value=1, max_value=20))
def test_paging_visits_every_job_once_in_order(world: World, first: int) -> None:
    jobs, _, pages = _page_through(world, first)

    assert [j.facts.key for j in jobs] == [j.facts.key for j in world.expected()]
    assert not pages[-1].has_next
    assert all(p.end[s] is None for p in pages[-1:] for s in SOURCE_ORDER)
    # Without a bounded scan every page but the last is full, and none is empty.
    assert all(len(p.items) == first for p in pages[:-1])
    assert all(p.items for p in pages) or not jobs


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(world=worlds(scanned=True), first=st.integers(min_value=1, max_value=20))
def test_paging_a_bounded_scan_still_visits_every_job_once_in_order(
    world: World, first: int
) -> None:
    jobs, _, pages = _page_through(world, first)

    assert [j.facts.key for j in jobs] == [j.facts.key for j in world.expected()]
    assert not pages[-1].has_next
    assert all(len(p.items) == first or p.stopped_at_frontier for p in pages[:-1])


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    world=worlds(),
    first=st.integers(min_value=1, max_value=20),
    again=st.integers(min_value=1, max_value=20),
    data=st.data(),
)
def test_resuming_from_any_edge_continues_right_after_it(
    world: World, first: int, again: int, data: st.DataObject
) -> None:
    jobs, edges, _ = _page_through(world, first)
    if not jobs:
        return
    k = data.draw(st.integers(min_value=0, max_value=len(jobs) - 1), label="edge")
    cursor = encode_cursor(FINGERPRINT, edges[k])

    rest, _, _ = _page_through(world, again, decode_cursor(cursor, FINGERPRINT))

    assert [j.facts.key for j in rest] == [j.facts.key for j in jobs[k + 1 :]]
    assert [j.facts.key for j in jobs] == [j.facts.key for j in world.expected()]


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(
    world=worlds(),
    first=st.integers(min_value=1, max_value=20),
    outages=st.lists(st.sets(st.sampled_from(SOURCE_ORDER)), max_size=6),
)
def test_failed_sources_keep_their_position_and_are_resumed(
    world: World, first: int, outages: list[set[JobSource]]
) -> None:
    positions = start_positions()
    seen: list[str] = []
    for page_number in range(100):
        world.failing = outages[page_number] if page_number < len(outages) else set()
        page, reads = world.page(positions, first)
        for read in reads:
            if read.error is not None:
                assert read.position_after(0) == positions[read.source]
                assert all(after[read.source] == positions[read.source] for _, after in page.items)
                assert page.end[read.source] == positions[read.source]
        assert not {job.facts.source for job, _ in page.items} & world.failing
        seen += [job.facts.key for job, _ in page.items]
        if not page.has_next and not world.failing:
            break
        positions = _roundtrip(page.end)
    assert sorted(seen) == sorted(j.facts.key for j in world.expected())


def test_a_frontier_ends_the_page_where_unread_jobs_could_sort() -> None:
    at = [T0 - timedelta(minutes=m) for m in range(10)]
    world = World(
        {
            JS: [_job(JS, i, at[i]) for i in (0, 3, 4, 6, 8)],
            OPS: [_job(OPS, i, at[i]) for i in (1, 4, 5)],
            AWX: [_job(AWX, i, at[i]) for i in (2, 7)],
        },
        matching=[True, False, False, True, True],
        scan_limit=2,
    )
    # The first scan reads JS jobs at 0 and 3 (only 0 matches): the frontier is at[3].
    page, reads = world.page(start_positions(), 10)

    assert reads[0].frontier == at[3]
    assert page.stopped_at_frontier
    assert page.has_next
    assert [job.facts.key for job, _ in page.items] == [
        "JOB_STORE-0",
        "OPERATIONS_MANAGER-1",
        "AWX-2",
    ]
    assert page.end == {JS: 2, OPS: 1, AWX: 1}


def test_a_frontier_wins_a_tie_with_a_later_source() -> None:
    tied = T0
    world = World(
        {JS: [_job(JS, 0, tied), _job(JS, 1, tied)], OPS: [_job(OPS, 0, tied)], AWX: []},
        matching=[False, True],
        scan_limit=1,
    )
    page, _ = world.page(start_positions(), 5)

    # An unread jobs-store job at the same time sorts before the operations manager's.
    assert page.items == []
    assert page.stopped_at_frontier
    assert page.end == {JS: 1, OPS: 0, AWX: None}
