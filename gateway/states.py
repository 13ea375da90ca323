"""One vocabulary of job states and sources across the three upstreams.

Plain Python: the GraphQL layer registers these enums as they are
(:mod:`schema.core.states`). The upstream's own word is always kept beside the
normalised state (``upstreamStatus``); a word the gateway does not know maps
to ``UNKNOWN`` and never fails the job.
"""

from __future__ import annotations

from enum import Enum

from gateway.upstream_names import Upstream


class JobSource(Enum):
    """The system a job lives in."""

    JOB_STORE = "JOB_STORE"
    OPERATIONS_MANAGER = "OPERATIONS_MANAGER"
    AWX = "AWX"

    @property
    def upstream(self) -> Upstream:
        """The upstream behind this source."""
        return SOURCE_UPSTREAM[self]


SOURCE_UPSTREAM = {
    JobSource.JOB_STORE: Upstream.JOBSTORE,
    JobSource.OPERATIONS_MANAGER: Upstream.OPSMANAGER,
    JobSource.AWX: Upstream.AWX,
}

SOURCE_ORDER = (JobSource.JOB_STORE, JobSource.OPERATIONS_MANAGER, JobSource.AWX)
"""The order of sources: the tie-break of the cross-system merge and of its cursor."""


class JobState(Enum):
    """A job's state, normalised across the three systems."""

    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    PAUSED = "PAUSED"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELED = "CANCELED"
    UNKNOWN = "UNKNOWN"


FINAL_STATES = frozenset({JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELED})

# The jobs store documents Paused, Completed and Aborted; its in-progress word is
# undocumented, so the likely spellings are accepted and anything else is UNKNOWN.
JOBSTORE_STATES: dict[str, JobState] = {
    "paused": JobState.PAUSED,
    "completed": JobState.SUCCEEDED,
    "aborted": JobState.CANCELED,
    "inprogress": JobState.RUNNING,
    "in progress": JobState.RUNNING,
    "in_progress": JobState.RUNNING,
    "running": JobState.RUNNING,
    "started": JobState.RUNNING,
}
OPSMANAGER_STATES: dict[str, JobState] = {
    "running": JobState.RUNNING,
    "paused": JobState.PAUSED,
    "complete": JobState.SUCCEEDED,
    "error": JobState.FAILED,
    "incomplete": JobState.FAILED,
    "canceled": JobState.CANCELED,
}
AWX_STATES: dict[str, JobState] = {
    "new": JobState.QUEUED,
    "pending": JobState.QUEUED,
    "waiting": JobState.QUEUED,
    "running": JobState.RUNNING,
    "successful": JobState.SUCCEEDED,
    "failed": JobState.FAILED,
    "error": JobState.FAILED,
    "canceled": JobState.CANCELED,
}
STATES_BY_UPSTREAM = {
    Upstream.JOBSTORE: JOBSTORE_STATES,
    Upstream.OPSMANAGER: OPSMANAGER_STATES,
    Upstream.AWX: AWX_STATES,
}


def normalise(upstream: Upstream, status: object) -> JobState:
    """The normalised state of an upstream status word."""
    if not isinstance(status, str):
        return JobState.UNKNOWN
    if upstream is Upstream.JOBSTORE:
        # Filtered only here, so its loosely documented words may be matched loosely.
        status = status.strip().lower()
    # AWX and the operations manager filter by exact word (``status__in``,
    # ``in[status]``): a looser match here would disagree with their pushdowns.
    return STATES_BY_UPSTREAM[upstream].get(status, JobState.UNKNOWN)
