"""What ``jobUpdated`` and ``jobsChanged`` stream: events made from shared polls.

**jobUpdated** polls one job by id through the by-id loader of its system
(one upstream request per poll: ``GET /jobs/v1/bson/{id}``,
``GET /operations-manager/jobs?in[_id]=...``, ``GET /api/v2/workflow_jobs/?id__in=...``).
The first event is the job as the poller last read it; then one event each
time its ``state``, ``upstreamStatus`` or ``updatedAt`` differs from the last
one sent; the stream completes after the event of a final state
(``SUCCEEDED``, ``FAILED``, ``CANCELED``). A job the upstream does not have
ends the stream with a ``NOT_FOUND`` error.

**jobsChanged** polls the first page of the cross-system view
(:func:`gateway.view.pages.jobs_page`) with the filter: the newest
``GATEWAY_SUBSCRIPTION_WATCH_SIZE`` matching jobs. Each subscriber's first
poll of a source is its baseline and emits nothing; after it, a job not seen
before is ``CREATED`` and a job seen before in another state is
``STATE_CHANGED`` (with its ``previousState``). Only jobs inside that window
are watched: a job that leaves it (newer jobs pushed it out, or its new state
no longer matches the filter) is not reported.

**Errors.** A failed poll is an error event (a GraphQL error with
``extensions.code``, ``UPSTREAM_UNAVAILABLE`` and the like), sent once when
the failure starts, not on every failed poll; polling goes on, and
``jobUpdated`` sends the job again once its upstream answers. For
``jobsChanged`` each failing source is its own error event; the other
sources' changes still come.

**Sharing.** Polls are keyed by what they read and, when any upstream is in
``AUTH_MODE=forward``, by a digest of the caller's ``Authorization`` header:
callers never share answers across credentials.

**Across replicas** (``GATEWAY_REDIS_URL``, :mod:`gateway.live.redis_hub`),
each poll travels as the upstream documents it read (:func:`job_wire`,
:func:`page_wire`), named by a digest of the same parts as its key; every
replica rebuilds the jobs' facts from the documents.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from starlette.websockets import WebSocket

from gateway.config import AuthMode, Settings
from gateway.context import Context
from gateway.errors import GatewayError, NotFound, UpstreamError
from gateway.facts import FACTS_OF
from gateway.filters import ViewFilter
from gateway.live.hub import Polled, PollHub, PollSpec
from gateway.live.wire import Json, PollWire, decode_error, encode_error
from gateway.states import FINAL_STATES, JobSource, JobState
from gateway.upstream_names import Upstream
from gateway.view.pages import Failures, ViewPage, jobs_page
from gateway.view.sources import ViewJob
from gateway.view.warnings import JobWarning, JobWarningCode

Doc = dict[str, Any]
JobKey = tuple[JobSource, str]

_LOADERS = {
    JobSource.JOB_STORE: "flow_job_by_id",
    JobSource.OPERATIONS_MANAGER: "operations_job_by_id",
    JobSource.AWX: "workflow_job_by_id",
}
KNOWN_PER_WATCHED = 10
"""A ``jobsChanged`` subscriber remembers the states of this many times the watched jobs."""


class LiveUnavailable(GatewayError):
    """This gateway was built without shared pollers (no app around the schema)."""

    code = "SUBSCRIPTIONS_UNAVAILABLE"


class JobChangeKind(Enum):
    """Why ``jobsChanged`` sent an event."""

    CREATED = "CREATED"
    STATE_CHANGED = "STATE_CHANGED"


@dataclass(frozen=True, slots=True)
class JobChange:
    """One ``jobsChanged`` event."""

    kind: JobChangeKind
    job: ViewJob
    previous_state: JobState | None = None


def poll_credential(ctx: Context) -> str | None:
    """What keys a poll to its caller: a digest of the forwarded credential, else ``None``.

    In ``service`` mode every caller's polls go out with the gateway's own
    credential, so they may be shared; once any upstream forwards the
    caller's header, a poll is shared only by callers with the same one.
    """
    settings = ctx.settings
    if all(settings.upstream(u).auth_mode is AuthMode.SERVICE for u in Upstream):
        return None
    return hashlib.sha256((ctx.authorization or "").encode()).hexdigest()


def transport_of(ctx: Context) -> str:
    """``websocket`` or ``sse``: the transport the subscription came over (for metrics)."""
    return "websocket" if isinstance(ctx.request, WebSocket) else "sse"


def _hub(ctx: Context) -> PollHub:
    if ctx.live is None:
        raise LiveUnavailable("live updates are not available on this gateway")
    return ctx.live


async def read_job(ctx: Context, source: JobSource, key: str | int) -> ViewJob | None:
    """One job as its upstream has it now (``None``: no such job), through a fresh context."""
    poll = ctx.for_poll()
    doc: Doc | None = await getattr(poll.loaders, _LOADERS[source]).load(key)
    return ViewJob(FACTS_OF[source](doc), doc) if doc else None


def poll_name(*parts: str) -> str:
    """A poll's name across replicas: a digest of its key's parts (no credential in clear)."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _encode_job(job: ViewJob) -> Json:
    return [job.facts.source.value, job.doc]


def _decode_job(data: Json) -> ViewJob:
    source, doc = JobSource(data[0]), data[1]
    if not isinstance(doc, dict):
        raise ValueError("a job document must be an object")
    return ViewJob(FACTS_OF[source](doc), doc)


def job_wire(source: JobSource, key: str | int, credential: str | None) -> PollWire[ViewJob | None]:
    """How one job's poll travels between replicas: its document (or null: no such job)."""

    def encode(job: ViewJob | None) -> Json:
        return None if job is None else _encode_job(job)

    def decode(data: Json) -> ViewJob | None:
        return None if data is None else _decode_job(data)

    name = poll_name("job", source.value, str(key), credential or "-")
    return PollWire(name=name, encode=encode, decode=decode)


def _encode_page(page: ViewPage) -> Json:
    return {
        "edges": [[*_encode_job(job), cursor] for job, cursor in page.edges],
        "hasNext": page.has_next,
        "endCursor": page.end_cursor,
        "warnings": [[w.source.value, w.code.value, w.message] for w in page.warnings],
        "failures": [[source.value, encode_error(error)] for source, error in page.failures],
        "selected": page.selected,
    }


def _decode_page(data: Json) -> ViewPage:
    failures: Failures = []
    for source, encoded in data["failures"]:
        error = decode_error(encoded)
        if not isinstance(error, UpstreamError):
            raise ValueError("a source failure must be an upstream error")
        failures.append((JobSource(source), error))
    return ViewPage(
        edges=[(_decode_job(edge[:2]), edge[2]) for edge in data["edges"]],
        has_next=bool(data["hasNext"]),
        end_cursor=data["endCursor"],
        warnings=[
            JobWarning(JobSource(source), JobWarningCode(code), message)
            for source, code, message in data["warnings"]
        ],
        failures=failures,
        selected=int(data["selected"]),
    )


def page_wire(flt: ViewFilter, credential: str | None) -> PollWire[ViewPage]:
    """How a ``jobsChanged`` poll travels between replicas: the page's documents and failures."""
    name = poll_name("jobs", flt.identity(), credential or "-")
    return PollWire(name=name, encode=_encode_page, decode=_decode_page)


def _is_final(job: ViewJob | None) -> bool:
    return job is not None and job.facts.state in FINAL_STATES


def _signature(job: ViewJob) -> tuple[JobState, str | None, datetime | None]:
    return job.facts.state, job.facts.upstream_status, job.facts.updated_at


async def job_updates(
    ctx: Context, source: JobSource, key: str | int
) -> AsyncIterator[ViewJob | Exception]:
    """The events of ``jobUpdated`` for one job (see the module docstring)."""
    upstream = source.upstream.value

    async def fetch() -> ViewJob | None:
        return await read_job(ctx, source, key)

    def outcomes(polled: Polled[ViewJob | None]) -> Iterable[tuple[str, str]]:
        return [(upstream, "ok" if polled.error is None else "error")]

    credential = poll_credential(ctx)
    spec: PollSpec[ViewJob | None] = PollSpec(
        key=("job", source, key, credential),
        fetch=fetch,
        final=_is_final,
        outcomes=outcomes,
        wire=job_wire(source, key, credential),
    )
    async with _hub(ctx).subscribe(spec, transport=transport_of(ctx)) as feed:
        sent: tuple[JobState, str | None, datetime | None] | None = None
        failing = False
        async for polled in feed:
            if polled.error is not None:
                if not failing:
                    yield polled.error
                failing = True
                continue
            job = polled.value
            if job is None:
                raise NotFound(f"there is no {source.value} job {key!s:.100}")
            if failing or _signature(job) != sent:
                yield job
            failing = False
            sent = _signature(job)


def watch_size(settings: Settings) -> int:
    """How many of the newest jobs ``jobsChanged`` watches (a page, at most)."""
    return min(settings.subscription_watch_size, settings.max_page_size)


async def read_watched(ctx: Context, flt: ViewFilter) -> ViewPage:
    """The newest watched jobs of the view (the first page), through a fresh context."""
    return await jobs_page(ctx.for_poll(), flt, watch_size(ctx.settings), None)


class SeenStates:
    """The states a ``jobsChanged`` subscriber has seen, newest remembered last (bounded)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.states: OrderedDict[JobKey, JobState] = OrderedDict()
        self.baselined: set[JobSource] = set()

    def remember(self, key: JobKey, state: JobState) -> None:
        self.states[key] = state
        self.states.move_to_end(key)
        while len(self.states) > self.capacity:
            self.states.popitem(last=False)

    def changes(self, page: ViewPage, answered: set[JobSource]) -> list[JobChange]:
        """What changed since the last page; a source's first answer is its baseline."""
        found: list[JobChange] = []
        # oldest first, so that events of one poll come in the order jobs were created
        for job, _cursor in reversed(page.edges):
            source = job.facts.source
            key = (source, job.facts.key)
            state = job.facts.state
            if source in self.baselined:
                previous = self.states.get(key)
                if previous is None:
                    found.append(JobChange(JobChangeKind.CREATED, job))
                elif previous is not state:
                    found.append(JobChange(JobChangeKind.STATE_CHANGED, job, previous))
            self.remember(key, state)
        self.baselined |= answered
        return found


async def job_changes(ctx: Context, flt: ViewFilter) -> AsyncIterator[JobChange | Exception]:
    """The events of ``jobsChanged`` for one filter (see the module docstring)."""

    async def fetch() -> ViewPage:
        return await read_watched(ctx, flt)

    def outcomes(polled: Polled[ViewPage]) -> Iterable[tuple[str, str]]:
        page = polled.value
        failed = {s for s, _ in page.failures} if page is not None else set(flt.sources)
        return [(s.upstream.value, "error" if s in failed else "ok") for s in flt.sources]

    credential = poll_credential(ctx)
    spec: PollSpec[ViewPage] = PollSpec(
        key=("jobs", flt, credential),
        fetch=fetch,
        outcomes=outcomes,
        wire=page_wire(flt, credential),
    )
    known = SeenStates(capacity=KNOWN_PER_WATCHED * watch_size(ctx.settings))
    async with _hub(ctx).subscribe(spec, transport=transport_of(ctx)) as feed:
        failing: set[JobSource] = set()
        whole_failed = False
        async for polled in feed:
            page = polled.value
            if polled.error is not None or page is None:
                if not whole_failed and polled.error is not None:
                    yield polled.error
                whole_failed = True
                continue
            whole_failed = False
            failed = {source for source, _ in page.failures}
            for source, error in page.failures:
                if source not in failing:
                    yield error
            failing = failed
            for change in known.changes(page, set(flt.sources) - failed):
                yield change
