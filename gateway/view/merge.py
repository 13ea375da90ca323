"""The k-way merge of the three sources into one newest-first list, and its cursor.

**Order.** Jobs sort by ``createdAt``, newest first; a job without one sorts
last. Equal times are broken by source (jobs store, operations manager, AWX)
and, within one source, by that source's own order (it is never re-sorted).

**Merge.** Each source's read is already in that order, so the page is a
k-way merge: repeatedly take the newest of the sources' next jobs, ``first``
times. The merge only ever compares the heads of the sources, so its result
depends on nothing but where each source stands: that is what makes a cursor
of positions enough to continue it exactly.

**Cursor.** ``base64url("jobs1:<filter digest>:<js>:<ops>:<awx>")``: for each
source its position, the offset in its own filtered, newest-first list (for
the jobs store, in the raw list it scans), or ``x`` once the source is known
to have nothing more. Every edge carries the positions just after it, so any
edge's cursor is a valid place to resume: paging forward never skips or repeats
a job while the upstreams do not change. A source that failed keeps the
position it had, so a later page resumes it. The digest binds the cursor to the
filter (and to how the jobs store is read); a cursor from another filter is a
``BAD_USER_INPUT``. Only a cursor :func:`encode_cursor` could have written is
accepted (positions are canonical ASCII decimals), so one place has one cursor.

**Bounded scans.** When the jobs store's scan stops at ``GATEWAY_SCAN_LIMIT``
its read has a *frontier*: jobs it has not read sort at or after that time.
The merge treats the frontier as that source's next head and ends the page
when it comes first, so the page may be short (``scanLimited``) but never out
of order; the next page continues the scan.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from gateway.errors import BadUserInput
from gateway.input_checks import MAX_OFFSET, ascii_decimal
from gateway.states import SOURCE_ORDER, JobSource
from gateway.view.sources import SourceRead, ViewJob

Positions = dict[JobSource, int | None]
CURSOR_KIND = "jobs1"
_DONE = "x"
_BAD_CURSOR = "`after` is not a cursor of this list"
_MAX_CURSOR_LENGTH = 256


def start_positions() -> Positions:
    """Every source at the top of its list."""
    return dict.fromkeys(SOURCE_ORDER, 0)


def encode_cursor(fingerprint: str, positions: Positions) -> str:
    """The opaque cursor of a set of positions."""
    parts = [_DONE if positions[s] is None else str(positions[s]) for s in SOURCE_ORDER]
    raw = ":".join([CURSOR_KIND, fingerprint, *parts])
    return base64.urlsafe_b64encode(raw.encode()).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, fingerprint: str) -> Positions:
    """The positions in a cursor; ``BadUserInput`` for a foreign or mismatched one."""
    if len(cursor) > _MAX_CURSOR_LENGTH:
        raise BadUserInput(_BAD_CURSOR, argument="after")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise BadUserInput(_BAD_CURSOR, argument="after") from None
    parts = raw.split(":")
    if len(parts) != 2 + len(SOURCE_ORDER) or parts[0] != CURSOR_KIND:
        raise BadUserInput(_BAD_CURSOR, argument="after")
    if parts[1] != fingerprint:
        raise BadUserInput(
            "`after` is a cursor of this list with another filter; start again without it",
            argument="after",
        )
    positions: Positions = {}
    for source, text in zip(SOURCE_ORDER, parts[2:], strict=True):
        if text == _DONE:
            positions[source] = None
        else:
            position = ascii_decimal(text, maximum=MAX_OFFSET)
            if position is None:
                raise BadUserInput(_BAD_CURSOR, argument="after")
            positions[source] = position
    if encode_cursor(fingerprint, positions) != cursor.rstrip("="):
        raise BadUserInput(_BAD_CURSOR, argument="after")
    return positions


@dataclass(frozen=True, slots=True)
class MergedPage:
    """The merged page: each job with the positions just after it."""

    items: list[tuple[ViewJob, Positions]]
    end: Positions
    has_next: bool
    stopped_at_frontier: bool


def _rank(source: JobSource) -> int:
    return SOURCE_ORDER.index(source)


def merge(reads: list[SourceRead], positions: Positions, first: int) -> MergedPage:
    """Take the ``first`` newest jobs of the reads (a k-way merge of their heads).

    ``positions`` are the cursor's; sources without a read (not selected) keep
    theirs. Heads compare by ``(createdAt, -source rank)``, larger first; a
    read's frontier competes as a head and ends the page when it wins.
    """
    consumed = dict.fromkeys((r.source for r in reads), 0)
    current: Positions = dict(positions)
    for read in reads:
        current[read.source] = read.position_after(0)
    items: list[tuple[ViewJob, Positions]] = []
    stopped = False
    while len(items) < first:
        best: tuple[tuple[datetime, int], SourceRead, bool] | None = None
        for read in reads:
            if read.error is not None:
                continue
            taken = consumed[read.source]
            if taken < len(read.items):
                key = (read.items[taken][0].sort_time, -_rank(read.source))
                is_frontier = False
            elif read.frontier is not None:
                key = (read.frontier, -_rank(read.source))
                is_frontier = True
            else:
                continue
            if best is None or key > best[0]:
                best = (key, read, is_frontier)
        if best is None:
            break
        _, read, is_frontier = best
        if is_frontier:
            stopped = True
            break
        job = read.items[consumed[read.source]][0]
        consumed[read.source] += 1
        current[read.source] = read.position_after(consumed[read.source])
        items.append((job, dict(current)))
    end = dict(current)
    has_next = any(end[r.source] is not None for r in reads if r.error is None)
    return MergedPage(items=items, end=end, has_next=has_next, stopped_at_frontier=stopped)
