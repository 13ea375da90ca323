"""Window planners: which upstream requests cover items ``skip .. skip+need`` of a list.

Pure functions, one per paging style, used by the clients that page that way:

- :func:`page_plan` for ``page``/``page_size`` lists (AWX), which cannot start
  a page at an arbitrary offset;
- :func:`offset_chunks` for ``skip``/``limit`` lists with a page cap (the
  operations manager).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PagePlan:
    """Pages of one size whose concatenation holds the window from ``offset`` on."""

    size: int
    pages: list[int]
    """1-based page numbers, consecutive."""
    offset: int
    """Where the window starts in what the pages return, together."""


def page_plan(skip: int, need: int, cap: int) -> PagePlan:
    """The fewest, smallest ``page_size`` pages covering items ``skip .. skip+need``.

    One page suffices when some size between ``need`` and ``cap`` puts the
    whole window on one page; the smallest such size is taken (least
    over-fetch). Paging forward by a fixed ``first`` always finds one (size
    ``first``, no offset). Otherwise consecutive pages of size ``min(need, cap)``.
    """
    need = max(need, 1)
    for size in range(need, cap + 1):
        page = skip // size
        if skip + need <= (page + 1) * size:
            return PagePlan(size, [page + 1], skip - page * size)
    size = min(need, cap)
    first_page = skip // size
    last_page = (skip + need - 1) // size
    return PagePlan(size, list(range(first_page + 1, last_page + 2)), skip - first_page * size)


def remaining_pages(total: int, size: int) -> list[int]:
    """The page numbers after page 1 of a list of ``total`` items in pages of ``size``."""
    return list(range(2, -(-total // size) + 1))


def offset_chunks(skip: int, need: int, cap: int) -> list[tuple[int, int]]:
    """``(skip, limit)`` requests, each at most ``cap``, covering ``skip .. skip+need``."""
    end = skip + max(need, 1)
    return [(start, min(cap, end - start)) for start in range(skip, end, cap)]
