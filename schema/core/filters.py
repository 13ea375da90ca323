"""The filter fields every per-system job list shares, as a GraphQL input base.

``operationsJobs`` and ``workflowJobs`` each have their own input type
(``OperationsJobFilter``, ``WorkflowJobFilter``) with these fields; both
become a :class:`~gateway.filters.JobListFilter`, which each upstream's client
spells in its own query words. Times become UTC and words are checked here,
at the boundary (:func:`as_utc`, :func:`checked_text`).
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from gateway.errors import BadUserInput
from gateway.filters import JobListFilter
from gateway.input_checks import describe_character, unsafe_character, utc_instant
from schema.core.states import JobState

MAX_STATUS_WORD = 64


def as_utc(moment: datetime | None, field: str) -> datetime | None:
    """A filter bound in UTC (a naive one is taken to be UTC already).

    ``BAD_USER_INPUT`` (argument ``filter``) when the instant is outside what a
    UTC ``datetime`` holds, e.g. ``0001-01-01T00:00:00+14:00``: every bound is
    canonical UTC from here on, so nothing downstream converts or overflows.
    """
    if moment is None:
        return None
    utc = utc_instant(moment)
    if utc is None:
        raise BadUserInput(
            f"`filter.{field}` is outside 0001-01-01T00:00:00Z..9999-12-31T23:59:59.999999Z "
            "once converted to UTC",
            argument="filter",
        )
    return utc


def checked_text(value: str | None, field: str) -> str | None:
    """A filter word that goes into an upstream's query string: no control characters."""
    if value is None:
        return None
    char = unsafe_character(value)
    if char is not None:
        raise BadUserInput(
            f"`filter.{field}` must not contain control characters ({describe_character(char)})",
            argument="filter",
        )
    return value


def _status_words(words: list[str] | None) -> frozenset[str] | None:
    """Upstream status words; each is one word of a comma-joined upstream list."""
    if words is None:
        return None
    for word in words:
        checked_text(word, "upstreamStatuses")
        # An empty word is no status, and an upstream's `status__in` refuses an empty item.
        if not word or "," in word or len(word) > MAX_STATUS_WORD:
            raise BadUserInput(
                f"`filter.upstreamStatuses` items are single status words "
                f"(not empty, no commas, at most {MAX_STATUS_WORD} characters)",
                argument="filter",
            )
    return frozenset(words)


@strawberry.input(description="Conditions on one system's job list (base of its filter input).")
class JobListFilterInput:
    states: list[JobState] | None = strawberry.field(
        default=None, description="Only jobs in these normalised states."
    )
    upstream_statuses: list[str] | None = strawberry.field(
        default=None, description="Only jobs whose upstream status word is one of these."
    )
    created_after: datetime | None = strawberry.field(
        default=None, description="Created strictly after this instant (UTC when no offset)."
    )
    created_before: datetime | None = strawberry.field(
        default=None, description="Created strictly before this instant (UTC when no offset)."
    )
    name_contains: str | None = strawberry.field(
        default=None, description="Case-insensitive substring of the job's name."
    )

    def to_filter(self) -> JobListFilter:
        """The plain filter the upstream clients take."""
        return JobListFilter(
            states=None if self.states is None else frozenset(self.states),
            upstream_statuses=_status_words(self.upstream_statuses),
            created_after=as_utc(self.created_after, "createdAfter"),
            created_before=as_utc(self.created_before, "createdBefore"),
            name_contains=checked_text(self.name_contains, "nameContains"),
        )


def list_filter(flt: JobListFilterInput | None) -> JobListFilter:
    """The plain filter of an optional input (no conditions when absent)."""
    return JobListFilter() if flt is None else flt.to_filter()
