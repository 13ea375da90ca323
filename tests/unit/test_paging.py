"""Window planners of :mod:`gateway.upstreams.paging`, checked against a simulated list.

The upstream list is the integers ``0, 1, 2, ...`` (item ``i`` at index ``i``),
so a page ``n`` of size ``s`` holds ``range((n-1)*s, n*s)``.
"""

from __future__ import annotations

import itertools
import math

from hypothesis import example, given, settings
from hypothesis import strategies as st

from gateway.upstreams.paging import offset_chunks, page_plan, remaining_pages

skips = st.integers(min_value=0, max_value=5_000)
needs = st.integers(min_value=1, max_value=300)
caps = st.integers(min_value=1, max_value=250)


def _page(number: int, size: int) -> list[int]:
    return list(range((number - 1) * size, number * size))


def _fits_one_page(skip: int, need: int, size: int) -> bool:
    return skip // size == (skip + need - 1) // size


@settings(max_examples=400)
@given(skip=skips, need=needs, cap=caps)
@example(skip=0, need=1, cap=1)
@example(skip=7, need=300, cap=200)
@example(skip=199, need=2, cap=200)
def test_page_plan_pages_hold_the_window(skip: int, need: int, cap: int) -> None:
    plan = page_plan(skip, need, cap)

    assert 1 <= plan.size <= cap
    assert plan.pages, "a plan has at least one page"
    assert plan.pages[0] >= 1
    assert plan.pages == list(range(plan.pages[0], plan.pages[0] + len(plan.pages)))
    fetched = [item for number in plan.pages for item in _page(number, plan.size)]
    assert fetched[0] == (plan.pages[0] - 1) * plan.size
    assert fetched[plan.offset : plan.offset + need] == list(range(skip, skip + need))
    # No page is wasted: the window starts on the first page and ends on the last.
    assert 0 <= plan.offset < plan.size
    assert plan.offset + need > (len(plan.pages) - 1) * plan.size


@settings(max_examples=400)
@given(skip=skips, need=needs, cap=caps)
@example(skip=5, need=3, cap=4)
@example(skip=150, need=100, cap=200)
def test_page_plan_takes_the_smallest_single_page_when_one_exists(
    skip: int, need: int, cap: int
) -> None:
    plan = page_plan(skip, need, cap)
    fitting = [size for size in range(need, cap + 1) if _fits_one_page(skip, need, size)]

    if fitting:
        assert len(plan.pages) == 1
        assert plan.size == min(fitting)
    else:
        assert plan.size == min(need, cap)
        assert len(plan.pages) >= 2


@settings(max_examples=200)
@given(pages_before=st.integers(min_value=0, max_value=500), first=caps, data=st.data())
def test_page_plan_paging_forward_by_first_is_one_page_without_offset(
    pages_before: int, first: int, data: st.DataObject
) -> None:
    cap = data.draw(st.integers(min_value=first, max_value=first + 100))
    plan = page_plan(pages_before * first, first, cap)

    assert plan.size == first
    assert plan.pages == [pages_before + 1]
    assert plan.offset == 0


def test_page_plan_treats_need_below_one_as_one() -> None:
    assert page_plan(10, 0, 5) == page_plan(10, 1, 5)


@settings(max_examples=300)
@given(total=st.integers(min_value=0, max_value=5_000), size=caps)
def test_remaining_pages_are_the_pages_after_the_first(total: int, size: int) -> None:
    pages = remaining_pages(total, size)

    assert pages == list(range(2, 2 + len(pages)))
    assert len(pages) == max(math.ceil(total / size) - 1, 0)
    covered = [item for number in [1, *pages] for item in _page(number, size)]
    assert covered[:total] == list(range(total))
    # The last page holds at least one item of the list (no empty trailing page).
    if pages:
        assert (pages[-1] - 1) * size < total


@settings(max_examples=400)
@given(skip=skips, need=st.integers(min_value=-3, max_value=600), cap=caps)
@example(skip=0, need=0, cap=10)
@example(skip=3, need=200, cap=100)
def test_offset_chunks_cover_the_window_exactly(skip: int, need: int, cap: int) -> None:
    chunks = offset_chunks(skip, need, cap)
    want = max(need, 1)

    assert chunks[0][0] == skip
    for (start, limit), (next_start, _) in itertools.pairwise(chunks):
        assert next_start == start + limit
    assert all(1 <= limit <= cap for _, limit in chunks)
    covered = [i for start, limit in chunks for i in range(start, start + limit)]
    assert covered == list(range(skip, skip + want))
    assert len(chunks) == math.ceil(want / cap)
