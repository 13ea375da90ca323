"""The filter fields every per-system job list shares, as a GraphQL input base.

``operationsJobs`` and ``workflowJobs`` each have their own input type
(``OperationsJobFilter``, ``WorkflowJobFilter``) with these fields; both
become a :class:`~gateway.filters.JobListFilter`, which each upstream's client
spells in its own query words.
"""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry

from gateway.filters import JobListFilter
from schema.core.states import JobState


def as_utc(moment: datetime | None) -> datetime | None:
    """An aware datetime; a naive one is taken to be UTC."""
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


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
            upstream_statuses=(
                None if self.upstream_statuses is None else frozenset(self.upstream_statuses)
            ),
            created_after=as_utc(self.created_after),
            created_before=as_utc(self.created_before),
            name_contains=self.name_contains,
        )


def list_filter(flt: JobListFilterInput | None) -> JobListFilter:
    """The plain filter of an optional input (no conditions when absent)."""
    return JobListFilter() if flt is None else flt.to_filter()
