"""One page of the cross-system list: read every selected source, merge, write cursors.

Each page asks every selected source, in parallel, for what it needs from the
cursor's position (``first`` jobs where the upstream gives a total,
``first + 1`` from the jobs store), with the filter pushed down into the
upstream's own query where it has one (:mod:`gateway.view.sources`). A page
costs one request per selected source that still has jobs (AWX: two only
when no page size up to 200 fits the window; the operations manager: two
when ``first > 100``), and for a filtered jobs store one request per
:data:`~gateway.view.sources.SCAN_CHUNK` jobs scanned, at most
``GATEWAY_SCAN_LIMIT`` jobs.

A source that fails does not fail the page: its part is missing, the page
lists it in ``failures`` with a ``SOURCE_FAILED`` warning, and the cursor
keeps its position so a later page resumes it.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.context import Context
from gateway.errors import BadUserInput, UpstreamError
from gateway.filters import ViewFilter
from gateway.states import JobSource
from gateway.view.merge import decode_cursor, encode_cursor, merge, start_positions
from gateway.view.sources import ViewJob, read_sources
from gateway.view.warnings import JobWarning, JobWarningCode, failure_warning

DEFAULT_PAGE_SIZE = 20

Failures = list[tuple[JobSource, UpstreamError]]


@dataclass(frozen=True, slots=True)
class ViewPage:
    """A page of the merged list: each job with the cursor just after it."""

    edges: list[tuple[ViewJob, str]]
    has_next: bool
    end_cursor: str | None
    """Set even on an empty page while a source can be resumed."""
    warnings: list[JobWarning]
    failures: Failures
    selected: int
    """How many sources were asked."""

    @property
    def scan_limited(self) -> bool:
        """Whether a bounded gateway-side scan stopped early."""
        return any(w.code is JobWarningCode.SCAN_LIMITED for w in self.warnings)


def page_size(ctx: Context, first: int | None) -> int:
    """``first``, checked against ``GATEWAY_MAX_PAGE_SIZE``."""
    size = DEFAULT_PAGE_SIZE if first is None else first
    limit = ctx.settings.max_page_size
    if size < 0 or size > limit:
        raise BadUserInput(f"`first` must be between 0 and {limit}, got {size}", argument="first")
    return size


async def jobs_page(
    ctx: Context, flt: ViewFilter, first: int | None, after: str | None
) -> ViewPage:
    """One page of the merged list (see the module docstring)."""
    size = page_size(ctx, first)
    mode = "newest-first" if ctx.settings.jobstore_newest_first else "sorted-at-gateway"
    fingerprint = flt.fingerprint(mode)
    positions = start_positions() if after is None else decode_cursor(after, fingerprint)
    reads = await read_sources(ctx, flt, positions, size)
    merged = merge(reads, positions, size)

    warnings: list[JobWarning] = []
    failures: Failures = []
    for read in reads:
        warnings.extend(read.warnings)
        if read.error is not None:
            failures.append((read.source, read.error))
            warnings.append(failure_warning(read.source, read.error))

    edges = [(job, encode_cursor(fingerprint, after_it)) for job, after_it in merged.items]
    resumable = merged.has_next or bool(failures)
    end_cursor = (
        edges[-1][1] if edges else encode_cursor(fingerprint, merged.end) if resumable else None
    )
    return ViewPage(
        edges=edges,
        has_next=merged.has_next,
        end_cursor=end_cursor,
        warnings=warnings,
        failures=failures,
        selected=len(reads),
    )
