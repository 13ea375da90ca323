"""What every job has, read from each upstream's document: the ``Job`` interface's facts.

One reading per upstream, used both by the GraphQL types (the ``Job``
fields of ``FlowJob``, ``OperationsJob`` and ``WorkflowJob``) and by the
cross-system view, which sorts, filters, counts and times jobs on these facts
alone and maps a document to its full GraphQL type only if it is answered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gateway import coerce
from gateway.states import FINAL_STATES, JobSource, JobState, normalise
from gateway.upstream_names import Upstream

Doc = dict[str, Any]


@dataclass(frozen=True, slots=True)
class JobTimes:
    """When a job started and finished, and how long it ran."""

    started_at: datetime | None
    finished_at: datetime | None
    elapsed_seconds: float | None


@dataclass(frozen=True, slots=True, eq=False)
class JobFacts:
    """The normalised facts of one job document.

    The times may be given as a function, run on the first read of one of
    them: a jobs-store job's come from all its steps, which sorting, filtering
    and most lists never need.
    """

    source: JobSource
    key: str
    """The upstream's id as text: ``jobId``, ``_id`` or the AWX id."""
    name: str | None
    state: JobState
    upstream_status: str | None
    created_at: datetime | None
    updated_at: datetime | None
    owner: str | None
    times: JobTimes | Callable[[], JobTimes]

    def _times(self) -> JobTimes:
        times = self.times
        if not isinstance(times, JobTimes):
            times = times()
            object.__setattr__(self, "times", times)  # computed once; the facts stay the same
        return times

    @property
    def started_at(self) -> datetime | None:
        """When the job started."""
        return self._times().started_at

    @property
    def finished_at(self) -> datetime | None:
        """When the job finished; ``None`` while it has not."""
        return self._times().finished_at

    @property
    def elapsed_seconds(self) -> float | None:
        """Seconds from start to finish; ``None`` while the upstream does not say."""
        return self._times().elapsed_seconds


# --- jobs store ----------------------------------------------------------------


def step_entries(doc: Doc, metadata: Doc) -> Iterator[tuple[str, Doc]]:
    """A job's step entries as ``(group, entry)``: completed, current, then cancelled.

    ``group`` is ``completed``, ``current`` or ``cancelled``; entries that are
    not objects are skipped.
    """
    groups: list[tuple[str, Any]] = [
        ("completed", doc.get("completedSteps")),
        ("current", [metadata.get("currentStep")]),
        ("cancelled", doc.get("cancelledSteps")),
    ]
    for group, entries in groups:
        if isinstance(entries, list):
            for entry in entries:
                if isinstance(entry, dict):
                    yield group, entry


def step_body(entry: Doc) -> Doc:
    """The ``singleStep`` (or else ``reportStep``) document of a step entry."""
    return coerce.mapping(entry.get("singleStep")) or coerce.mapping(entry.get("reportStep")) or {}


def _step_times(doc: Doc, metadata: Doc) -> tuple[list[datetime], list[datetime]]:
    """Start and end times of a job's distinct steps (a repeated ``uniqueStepId`` counts once)."""
    seen: set[str] = set()
    starts: list[datetime] = []
    ends: list[datetime] = []
    for _, entry in step_entries(doc, metadata):
        body = step_body(entry)
        key = coerce.nonempty_text(body.get("uniqueStepId"))
        if key is not None:
            if key in seen:
                continue
            seen.add(key)
        started = coerce.timestamp(body.get("started"))
        if started is not None:
            starts.append(started)
        for end in (
            coerce.timestamp(body.get("completed")),
            coerce.timestamp(body.get("cancelled")),
        ):
            if end is not None:
                ends.append(end)
    return starts, ends


def flow_job_facts(doc: Doc) -> JobFacts:
    """A jobs-store job: times from its metadata and its steps.

    ``startedAt`` is the first step's start (else ``created``); a job in a
    final state finished at its last step's end or its last update.
    """
    meta = coerce.mapping(doc.get("metadata")) or {}
    status = coerce.text(meta.get("status"))
    state = normalise(Upstream.JOBSTORE, status)
    created = coerce.timestamp(meta.get("created"))
    updated = coerce.timestamp(meta.get("updated"))

    def times() -> JobTimes:
        starts, ends = _step_times(doc, meta)
        started = min(starts) if starts else created
        finished: datetime | None = None
        if state in FINAL_STATES:
            finished = max([*ends, *([updated] if updated else [])], default=None)
        return JobTimes(started, finished, coerce.seconds_between(started, finished))

    return JobFacts(
        source=JobSource.JOB_STORE,
        key=coerce.text(doc.get("jobId")) or "",
        name=coerce.text(meta.get("jobTitle")),
        state=state,
        upstream_status=status,
        created_at=created,
        updated_at=updated,
        owner=coerce.text(meta.get("username")),
        times=times,
    )


# --- operations manager --------------------------------------------------------------


def _ops_owner(metrics: Doc, doc: Doc) -> str | None:
    owner = metrics.get("owner")
    if isinstance(owner, str):
        return owner
    user = metrics.get("user")
    if isinstance(user, dict):
        return coerce.text(user.get("username"))
    if isinstance(user, str):
        return user
    return coerce.text(doc.get("created_by"))


def operations_job_facts(doc: Doc) -> JobFacts:
    """An operations-manager job: times from ``metrics.start_time``/``end_time``."""
    metrics = coerce.mapping(doc.get("metrics")) or {}
    status = coerce.text(doc.get("status"))
    started = coerce.timestamp(metrics.get("start_time"))
    finished = coerce.timestamp(metrics.get("end_time"))
    return JobFacts(
        source=JobSource.OPERATIONS_MANAGER,
        key=coerce.text(doc.get("_id")) or "",
        name=coerce.text(doc.get("name")),
        state=normalise(Upstream.OPSMANAGER, status),
        upstream_status=status,
        created_at=coerce.timestamp(doc.get("created")),
        updated_at=coerce.timestamp(doc.get("last_updated")),
        owner=_ops_owner(metrics, doc),
        times=JobTimes(started, finished, coerce.seconds_between(started, finished)),
    )


# --- AWX -------------------------------------------------------------------------------


def _awx_owner(doc: Doc) -> str | None:
    launched_by = coerce.mapping(doc.get("launched_by"))
    if launched_by and coerce.text(launched_by.get("name")):
        return coerce.text(launched_by.get("name"))
    created_by = (coerce.mapping(doc.get("summary_fields")) or {}).get("created_by")
    if isinstance(created_by, dict):
        return coerce.text(created_by.get("username"))
    return None


def workflow_job_facts(doc: Doc) -> JobFacts:
    """An AWX workflow job: AWX's own ``elapsed`` (dropped when negative, or 0 before a start)."""
    status = coerce.text(doc.get("status"))
    started = coerce.timestamp(doc.get("started"))
    elapsed = coerce.number(doc.get("elapsed"))
    if elapsed is not None and (elapsed < 0 or (elapsed == 0 and started is None)):
        elapsed = None
    awx_id = coerce.integer(doc.get("id")) or 0
    return JobFacts(
        source=JobSource.AWX,
        key=str(awx_id),
        name=coerce.text(doc.get("name")),
        state=normalise(Upstream.AWX, status),
        upstream_status=status,
        created_at=coerce.timestamp(doc.get("created")),
        updated_at=coerce.timestamp(doc.get("modified")),
        owner=_awx_owner(doc),
        times=JobTimes(started, coerce.timestamp(doc.get("finished")), elapsed),
    )


FACTS_OF = {
    JobSource.JOB_STORE: flow_job_facts,
    JobSource.OPERATIONS_MANAGER: operations_job_facts,
    JobSource.AWX: workflow_job_facts,
}
"""The reading of each source's documents."""
