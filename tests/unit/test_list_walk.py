"""``ListWalk`` and ``JobstoreAPI.scan`` (:mod:`gateway.upstreams.jobstore`) over a list in memory.

The fakes serve ``skip``/``limit`` slices of a list and record every request,
so the tests check what is read, when the walk knows it is done, and what it
costs in requests.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from hypothesis import example, given, settings
from hypothesis import strategies as st

from gateway.facts import flow_job_facts
from gateway.upstream_names import Upstream
from gateway.upstreams.caller import Caller
from gateway.upstreams.client import UpstreamClient, UpstreamResponse
from gateway.upstreams.jobstore import JobstoreAPI, ListWalk, Scan

Doc = dict[str, Any]
T0 = datetime(2024, 5, 1, tzinfo=UTC)


@dataclass
class FakeStore:
    """Duck-typed ``JobstoreAPI`` for a walk: ``page`` serves slices and logs requests."""

    docs: list[Doc]
    calls: list[tuple[int, int]] = field(default_factory=list)

    async def page(self, *, skip: int, limit: int) -> list[Doc]:
        self.calls.append((skip, limit))
        await asyncio.sleep(0)
        return self.docs[skip : skip + limit]


@dataclass
class FakeClient:
    """Duck-typed ``UpstreamClient`` answering ``GET /jobs/v1/?skip=&limit=``."""

    docs: list[Doc]
    calls: list[tuple[int, int]] = field(default_factory=list)
    name: Upstream = Upstream.JOBSTORE

    async def get(
        self,
        path: str,
        params: Sequence[tuple[str, str]] = (),
        *,
        caller: Caller,
        settling: bool = False,
    ) -> UpstreamResponse:
        assert path == "/jobs/v1/"
        query = dict(params)
        skip, limit = int(query["skip"]), int(query["limit"])
        self.calls.append((skip, limit))
        return UpstreamResponse(200, self.docs[skip : skip + limit])


def _docs(n: int) -> list[Doc]:
    return [{"jobId": f"j{i}"} for i in range(n)]


async def _walk_all(
    store: FakeStore, start: int, limit: int, chunks: list[int], waves: list[int]
) -> tuple[ListWalk, list[Doc]]:
    walk = ListWalk(api=cast(JobstoreAPI, store), start=start, limit=limit)
    got: list[Doc] = []
    turn = 0
    while not walk.done:
        got += await walk.next_wave(chunks[turn % len(chunks)], waves[min(turn, len(waves) - 1)])
        turn += 1
        assert turn <= limit + 1, "the walk does not end"
    calls = len(store.calls)
    assert await walk.next_wave(chunks[0], waves[-1]) == []
    assert len(store.calls) == calls, "a done walk sends no request"
    return walk, got


@settings(max_examples=300)
@given(
    n=st.integers(min_value=0, max_value=60),
    start=st.integers(min_value=0, max_value=70),
    limit=st.integers(min_value=1, max_value=70),
    chunks=st.lists(st.integers(min_value=1, max_value=12), min_size=1, max_size=4),
    waves=st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=3),
)
def test_walk_reads_exactly_the_window_and_knows_why_it_stopped(
    n: int, start: int, limit: int, chunks: list[int], waves: list[int]
) -> None:
    docs = _docs(n)
    store = FakeStore(docs)
    walk, got = asyncio.run(_walk_all(store, start, limit, chunks, waves))

    assert got == docs[start : start + limit]
    assert walk.read == len(got)
    assert walk.cut == (n > start + limit)
    assert walk.exhausted == (not walk.cut)
    assert walk.done


def _expected_calls(remaining: int, limit: int, chunk: int, waves: list[int]) -> int:
    """Requests of a walk in fixed chunks: whole waves until the end is seen, capped at limit."""
    planned = math.ceil(limit / chunk)
    # A list shorter than the limit is known to end only by a short (maybe empty) chunk.
    needed = planned if remaining >= limit else remaining // chunk + 1
    issued, turn = 0, 0
    while issued < needed:
        issued += waves[min(turn, len(waves) - 1)]
        turn += 1
    return min(issued, planned)


@settings(max_examples=300)
@given(
    n=st.integers(min_value=0, max_value=60),
    start=st.integers(min_value=0, max_value=70),
    limit=st.integers(min_value=1, max_value=70),
    chunk=st.integers(min_value=1, max_value=12),
    waves=st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=3),
)
@example(n=20, start=0, limit=40, chunk=10, waves=[1, 3])  # the end is a chunk boundary
@example(n=50, start=10, limit=40, chunk=10, waves=[1, 3])  # the list is exactly the limit
def test_walk_costs_whole_waves_of_chunk_requests(
    n: int, start: int, limit: int, chunk: int, waves: list[int]
) -> None:
    store = FakeStore(_docs(n))
    asyncio.run(_walk_all(store, start, limit, [chunk], waves))
    remaining = max(n - start, 0)

    assert len(store.calls) == _expected_calls(remaining, limit, chunk, waves)
    # Requests are consecutive chunks; only the one reaching the limit asks for one more.
    for i, (skip, size) in enumerate(store.calls):
        assert skip == start + i * chunk
        wanted = min(chunk, limit - i * chunk)
        reaches_limit = i * chunk + wanted >= limit
        assert size == wanted + (1 if reaches_limit else 0)


def _newest_first(n: int, undated: int, tie: int) -> list[Doc]:
    """``n`` dated jobs, newest first (``tie`` jobs per minute), then ``undated`` ones."""
    docs: list[Doc] = [
        {
            "jobId": f"j{i}",
            "metadata": {"created": (T0 - timedelta(minutes=i // tie)).isoformat()},
        }
        for i in range(n)
    ]
    docs += [{"jobId": f"u{i}", "metadata": {}} for i in range(undated)]
    return docs


def _scan(docs: list[Doc], limit: int, stop_before: datetime | None) -> tuple[Scan, FakeClient]:
    client = FakeClient(docs)
    api = JobstoreAPI(client=cast(UpstreamClient, client), caller=Caller())
    return asyncio.run(api.scan(limit, stop_before=stop_before)), client


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(min_value=0, max_value=1_200),
    undated=st.integers(min_value=0, max_value=600),
    tie=st.integers(min_value=1, max_value=3),
    limit=st.integers(min_value=1, max_value=1_500),
    stop_minutes=st.one_of(st.none(), st.integers(min_value=-2, max_value=700)),
)
@example(n=1, undated=2, tie=1, limit=2, stop_minutes=0)  # undated jobs follow the stop
@example(n=0, undated=0, tie=1, limit=1, stop_minutes=None)
def test_scan_is_the_newest_first_prefix_created_after_the_stop(
    n: int, undated: int, tie: int, limit: int, stop_minutes: int | None
) -> None:
    docs = _newest_first(n, undated, tie)
    stop = None if stop_minutes is None else T0 - timedelta(minutes=stop_minutes)

    scan, client = _scan(docs, limit, stop)

    expected: list[Doc] = []
    stopped = False
    for doc in docs[:limit]:
        created = flow_job_facts(doc).created_at
        if stop is not None and created is not None and created <= stop:
            stopped = True
            break
        expected.append(doc)
    assert [d["jobId"] for d in scan.docs] == [d["jobId"] for d in expected]
    # ``cut``: jobs that belong to the scan were left unread.
    assert scan.cut == (not stopped and len(docs) > limit)
    assert all(skip + size <= limit + 1 for skip, size in client.calls)


def test_scan_stops_requesting_after_the_wave_that_passes_the_stop() -> None:
    docs = _newest_first(5_000, 0, 1)
    scan, client = _scan(docs, 4_000, T0 - timedelta(minutes=250))

    assert [d["jobId"] for d in scan.docs] == [f"j{i}" for i in range(250)]
    assert not scan.cut
    assert client.calls == [(0, 200), (200, 200), (400, 200), (600, 200)]


def test_scan_without_a_stop_reads_to_the_limit_and_is_cut_when_more_follow() -> None:
    docs = _docs(450)
    cut, _ = _scan(docs, 400, None)
    whole, client = _scan(docs, 450, None)

    assert cut.docs == docs[:400]
    assert cut.cut
    assert whole.docs == docs
    assert not whole.cut
    assert client.calls == [(0, 200), (200, 200), (400, 51)]
