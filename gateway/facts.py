"""What every job has, read from each upstream's document: the ``Job`` interface's facts.

One reading per upstream, used both by the GraphQL types (the ``Job``
fields of ``FlowJob``, ``OperationsJob`` and ``WorkflowJob``) and by the
cross-system view, which sorts, filters, counts and times jobs on these facts
alone and maps a document to its full GraphQL type only if it is answered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from gateway import coerce
from gateway.states import FINAL_STATES, JobSource, JobState, normalise
from gateway.upstream_names import Upstream

Doc = dict[str, Any]


TimesReader = Callable[[], tuple[datetime | None, datetime | None, float | None]]
"""Reads ``(started_at, finished_at, elapsed_seconds)`` of a job when first asked."""

_TIMES = ("started_at", "finished_at", "elapsed_seconds")


@dataclass(frozen=True, slots=True)
class JobFacts:
    """The normalised facts of one job document.

    :meth:`times_later` makes facts whose times are read on the first read of
    one of them: a jobs-store job's come from all its steps, which sorting,
    filtering and most lists never need.
    """

    source: JobSource
    key: str
    """The upstream's id as text: ``jobId``, ``_id`` or the AWX id."""
    name: str | None
    state: JobState
    upstream_status: str | None
    created_at: datetime | None
    updated_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    elapsed_seconds: float | None
    owner: str | None
    _times: TimesReader | None = field(default=None, repr=False, compare=False, kw_only=True)
    """Set only by :meth:`times_later`, until the times are read."""

    @classmethod
    def times_later(
        cls,
        *,
        source: JobSource,
        key: str,
        name: str | None,
        state: JobState,
        upstream_status: str | None,
        created_at: datetime | None,
        updated_at: datetime | None,
        owner: str | None,
        times: TimesReader,
    ) -> JobFacts:
        """Facts whose three time slots stay empty until one of them is read."""
        facts = object.__new__(cls)
        given = {
            "source": source,
            "key": key,
            "name": name,
            "state": state,
            "upstream_status": upstream_status,
            "created_at": created_at,
            "updated_at": updated_at,
            "owner": owner,
            "_times": times,
        }
        for attribute, value in given.items():
            object.__setattr__(facts, attribute, value)
        return facts

    if not TYPE_CHECKING:  # the type checker keeps seeing only the declared fields

        def __getattr__(self, attribute: str) -> Any:
            # Reached only for an empty slot: the times of facts made by times_later.
            times = self._times if attribute in _TIMES else None
            if times is None:
                raise AttributeError(attribute)
            for slot, value in zip(_TIMES, times(), strict=True):
                object.__setattr__(self, slot, value)
            object.__setattr__(self, "_times", None)
            return getattr(self, attribute)


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


StepTimes = Callable[[Doc], tuple[list[datetime], list[datetime]]]
"""Start and end times of a job's distinct steps, as :func:`flow_job_facts` reads them,
given the job's ``metadata``."""


def flow_job_facts(doc: Doc, step_times: StepTimes | None = None) -> JobFacts:
    """A jobs-store job: times from its metadata and its steps.

    ``startedAt`` is the first step's start (else ``created``); a job in a
    final state finished at its last step's end or its last update.
    ``step_times`` gives the steps' times when the caller has them parsed
    already (the GraphQL type's steps, whose fields answer them too): each
    timestamp of a document is then parsed once.
    """
    meta = coerce.mapping(doc.get("metadata")) or {}
    status = coerce.text(meta.get("status"))
    state = normalise(Upstream.JOBSTORE, status)
    created = coerce.timestamp(meta.get("created"))
    updated = coerce.timestamp(meta.get("updated"))

    def times() -> tuple[datetime | None, datetime | None, float | None]:
        starts, ends = step_times(meta) if step_times is not None else _step_times(doc, meta)
        started = min(starts) if starts else created
        finished: datetime | None = None
        if state in FINAL_STATES:
            finished = max([*ends, *([updated] if updated else [])], default=None)
        return started, finished, coerce.seconds_between(started, finished)

    return JobFacts.times_later(
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
        started_at=started,
        finished_at=finished,
        elapsed_seconds=coerce.seconds_between(started, finished),
        owner=_ops_owner(metrics, doc),
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
        started_at=started,
        finished_at=coerce.timestamp(doc.get("finished")),
        elapsed_seconds=elapsed,
        owner=_awx_owner(doc),
    )


FACTS_OF = {
    JobSource.JOB_STORE: flow_job_facts,
    JobSource.OPERATIONS_MANAGER: operations_job_facts,
    JobSource.AWX: workflow_job_facts,
}
"""The reading of each source's documents."""
