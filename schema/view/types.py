"""Types of the cross-system view: its filter, its connection, its counts and warnings."""

from __future__ import annotations

from datetime import datetime

import strawberry

from gateway.errors import BadUserInput
from gateway.filters import JobListFilter, ViewFilter
from gateway.live.jobs import JobChangeKind
from gateway.states import SOURCE_ORDER
from gateway.view import warnings
from gateway.view.figures import Durations
from gateway.view.warnings import JobWarningCode
from schema.core.filters import as_utc, checked_text
from schema.core.node import Job
from schema.core.pagination import PageInfo
from schema.core.states import JobSource, JobState, described_enum

MAX_SEARCH_LENGTH = 200

described_enum(
    "Why an answer of the cross-system view is not the whole truth.",
    {
        "SCAN_LIMITED": "The jobs store has no filters: the gateway read at most "
        "GATEWAY_SCAN_LIMIT of its jobs and stopped, so older matching jobs may be missing.",
        "SORTED_AT_GATEWAY": "The jobs store's list is not newest first "
        "(GATEWAY_JOBSTORE_NEWEST_FIRST=false): the gateway read it and sorted it itself.",
        "SOURCE_FAILED": "The source's upstream failed: its jobs are missing from the answer, "
        "and a GraphQL error beside the data says why.",
    },
)(JobWarningCode)


@strawberry.input(description="What the cross-system view lists or counts.")
class JobFilter:
    sources: list[JobSource] | None = strawberry.field(
        default=None, description="Only these systems (default: all three)."
    )
    states: list[JobState] | None = strawberry.field(
        default=None,
        description="Only these normalised states. UNKNOWN is pushed down as "
        "'status not among the known words'.",
    )
    created_after: datetime | None = strawberry.field(
        default=None, description="Created strictly after this instant (UTC when no offset)."
    )
    created_before: datetime | None = strawberry.field(
        default=None, description="Created strictly before this instant (UTC when no offset)."
    )
    search: str | None = strawberry.field(
        default=None, description="Case-insensitive substring of the job's name."
    )

    def to_view_filter(self) -> ViewFilter:
        """The validated plain filter; ``BAD_USER_INPUT`` for an overlong search."""
        search = self.search.strip() if self.search is not None else None
        if search is not None and len(search) > MAX_SEARCH_LENGTH:
            raise BadUserInput(
                f"`search` is longer than {MAX_SEARCH_LENGTH} characters", argument="filter"
            )
        sources = (
            SOURCE_ORDER
            if self.sources is None
            else tuple(s for s in SOURCE_ORDER if s in set(self.sources))
        )
        return ViewFilter(
            sources=sources,
            jobs=JobListFilter(
                states=None if self.states is None else frozenset(self.states),
                created_after=as_utc(self.created_after, "createdAfter"),
                created_before=as_utc(self.created_before, "createdBefore"),
                name_contains=checked_text(search, "search") or None,
            ),
        )


def view_filter(flt: JobFilter | None) -> ViewFilter:
    """The plain filter of an optional ``JobFilter`` (everything when absent)."""
    return ViewFilter() if flt is None else flt.to_view_filter()


@strawberry.type(description="A caveat of a cross-system answer, per source.")
class JobWarning:
    source: JobSource = strawberry.field(description="The source the caveat is about.")
    code: JobWarningCode = strawberry.field(description="What kind of caveat.")
    message: str = strawberry.field(
        description="The caveat in English, for people; branch on `code`, not on this text."
    )

    @classmethod
    def of(cls, warning: warnings.JobWarning) -> JobWarning:
        """The GraphQL form of a view warning."""
        return cls(source=warning.source, code=warning.code, message=warning.message)


@strawberry.type(description="A job of the cross-system list, with its cursor.")
class JobEdge:
    cursor: str = strawberry.field(description="Resume after this job with `after`.")
    node: Job = strawberry.field(
        description="The job: a `FlowJob`, `OperationsJob` or `WorkflowJob`."
    )


@strawberry.type(description="A page of the cross-system list, newest first.")
class JobConnection:
    edges: list[JobEdge] = strawberry.field(description="The page's jobs, newest first.")
    page_info: PageInfo = strawberry.field(
        description="`endCursor` is set even on an empty page while a source can be resumed."
    )
    scan_limited: bool = strawberry.field(
        description="A bounded gateway-side scan (GATEWAY_SCAN_LIMIT) stopped early: the page "
        "may be shorter than asked, or, for a jobs store not listed newest first, incomplete."
    )
    warnings: list[JobWarning] = strawberry.field(
        description="Caveats per source (a source failed, a scan was cut, a list "
        "was sorted at the gateway); empty when the page is the "
        "whole truth."
    )


@strawberry.type(description="How many jobs of one source are in one state.")
class JobStateCount:
    source: JobSource = strawberry.field(description="The system counted.")
    state: JobState = strawberry.field(description="The normalised state counted.")
    count: int = strawberry.field(
        description="How many jobs: the upstream's own total, except for the "
        "jobs store, whose list the gateway counts (at most "
        "GATEWAY_SCAN_LIMIT jobs)."
    )


@strawberry.type(description="Elapsed seconds of the finished jobs of one source.")
class JobDurations:
    source: JobSource = strawberry.field(description="The system these durations are of.")
    count: int = strawberry.field(description="Finished jobs whose elapsed time is known.")
    mean: float | None = strawberry.field(
        description="Mean elapsed time, in seconds; null when `count` is 0."
    )
    p50: float | None = strawberry.field(
        description="Median elapsed time, in seconds (linear interpolation "
        "between the closest ranks); null when `count` is 0."
    )
    p95: float | None = strawberry.field(
        description="95th percentile of the elapsed time, in seconds (linear "
        "interpolation between the closest ranks); null when `count` "
        "is 0."
    )

    @classmethod
    def of(cls, durations: Durations) -> JobDurations:
        """The GraphQL form of a source's durations."""
        return cls(
            source=durations.source,
            count=durations.count,
            mean=durations.mean,
            p50=durations.p50,
            p95=durations.p95,
        )


@strawberry.type(description="Counts and durations across the three systems.")
class JobCounts:
    by_source: list[JobStateCount] = strawberry.field(
        description="Per source and normalised state (zeros included) within the filter."
    )
    durations: list[JobDurations] = strawberry.field(
        description="Elapsed times of the finished jobs (SUCCEEDED, FAILED, "
        "CANCELED), one entry per selected source."
    )
    complete: bool = strawberry.field(
        description="True when every figure is exact: every source answered, no scan was cut."
    )
    warnings: list[JobWarning] = strawberry.field(
        description="Caveats per source (a source failed, a scan was cut); empty "
        "when there are none."
    )


described_enum(
    "Why `jobsChanged` sent an event.",
    {
        "CREATED": "A job the subscription had not seen appeared among the watched jobs "
        "(after the subscription's first poll, which only sets what it has seen).",
        "STATE_CHANGED": "A job already seen is now in another normalised state; "
        "`previousState` is the state it had.",
    },
)(JobChangeKind)


@strawberry.type(description="One event of `jobsChanged`: a job that appeared or changed state.")
class JobChange:
    kind: JobChangeKind = strawberry.field(description="What happened to the job.")
    job: Job = strawberry.field(description="The job as it stands now.")
    previous_state: JobState | None = strawberry.field(
        description="The state the job had before (`STATE_CHANGED`); null for `CREATED`."
    )
