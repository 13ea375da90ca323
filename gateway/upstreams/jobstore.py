"""Client of the jobs store (WorkfloPlus-compatible) REST API.

It owns every jobs-store URL the gateway uses. The jobs store has no
multi-id GET and no filters or total on its list: the loaders run single GETs
concurrently, and whoever needs a filtered or counted view reads the list
with a :class:`ListWalk` (a bounded, resumable read in waves of concurrent
requests) or :meth:`JobstoreAPI.scan` (the whole list up to a bound).
``GET /jobs/v1/bson/{id}`` is documented to answer an array; one real client
reads a single object, so both are accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from gateway.errors import UpstreamBadResponse, UpstreamNotFound, UpstreamRequest
from gateway.facts import flow_job_facts
from gateway.upstreams.call_groups import gather_calls
from gateway.upstreams.caller import Caller
from gateway.upstreams.client import UpstreamClient

Doc = dict[str, Any]

JOBS = "/jobs/v1"
SCAN_PAGE = 200
"""Jobs one request of a whole-list scan reads."""
SCAN_WAVE = 4
"""Requests of a whole-list scan sent at once (the list's length is unknown)."""


def _segment(value: str) -> str:
    return quote(value, safe="")


@dataclass(frozen=True, slots=True)
class JobstoreAPI:
    """The jobs store, as seen by one caller."""

    client: UpstreamClient
    caller: Caller

    def _bad(self, path: str, what: str) -> UpstreamBadResponse:
        return UpstreamBadResponse(
            f"the jobstore upstream answered {what}",
            request=UpstreamRequest(self.client.name, "GET", path),
        )

    def _documents(self, path: str, body: Any) -> list[Doc]:
        if isinstance(body, dict):
            return [body]
        if isinstance(body, list):
            return [item for item in body if isinstance(item, dict)]
        raise self._bad(path, "neither a job nor a list of jobs")

    async def job(self, job_id: str) -> Doc | None:
        """One job by its ``jobId``; ``None`` when there is none."""
        path = f"{JOBS}/bson/{_segment(job_id)}"
        try:
            response = await self.client.get(path, caller=self.caller, route=f"{JOBS}/bson/{{id}}")
        except UpstreamNotFound:
            return None
        docs = self._documents(path, response.body)
        for doc in docs:
            if doc.get("jobId") == job_id:
                return doc
        return docs[0] if docs else None

    async def page(self, *, skip: int, limit: int) -> list[Doc]:
        """Jobs ``skip .. skip+limit`` of the list, in the store's order (newest first)."""
        path = f"{JOBS}/"
        response = await self.client.get(
            path, [("skip", str(skip)), ("limit", str(limit))], caller=self.caller
        )
        return self._documents(path, response.body) if response.body is not None else []

    async def jobs_by_client_job_id(
        self, client_job_id: str, *, settling: bool = False
    ) -> list[Doc]:
        """Every job carrying this ``clientJobId`` (the store does not deduplicate).

        ``settling``: the lookup settles a create whose answer was lost, and
        goes out even while the read breaker is open.
        """
        path = f"{JOBS}/{_segment(client_job_id)}"
        try:
            response = await self.client.get(
                path, caller=self.caller, settling=settling, route=f"{JOBS}/{{clientJobId}}"
            )
        except UpstreamNotFound:
            return []
        return self._documents(path, response.body) if response.body is not None else []

    async def jobs_by_workflow(self, workflow_id: str) -> list[Doc]:
        """The jobs of one workflow."""
        path = f"{JOBS}/workflow/{_segment(workflow_id)}"
        try:
            response = await self.client.get(
                path, caller=self.caller, route=f"{JOBS}/workflow/{{id}}"
            )
        except UpstreamNotFound:
            return []
        return self._documents(path, response.body) if response.body is not None else []

    async def create_job(self, body: Doc) -> Doc:
        """``POST /jobs/v1``: the created job, with its ``jobId``. Sent once."""
        response = await self.client.post(JOBS, body, caller=self.caller)
        docs = self._documents(JOBS, response.body)
        if not docs:
            raise self._bad(JOBS, "no job to a create")
        return docs[0]

    def walk(self, start: int, limit: int) -> ListWalk:
        """A read of the list from ``start``, at most ``limit`` jobs (see :class:`ListWalk`)."""
        return ListWalk(self, start, limit)

    async def scan(self, limit: int, *, stop_before: datetime | None = None) -> Scan:
        """The list from its top, at most ``limit`` jobs, :data:`SCAN_WAVE` requests at a time.

        ``stop_before`` (a newest-first list only): stop at the first job
        created at or before it, since every later one is older still.
        """
        walk = self.walk(0, limit)
        docs: list[Doc] = []
        while not walk.done:
            docs.extend(await walk.next_wave(SCAN_PAGE, SCAN_WAVE))
            if stop_before is not None and docs:
                last = flow_job_facts(docs[-1]).created_at
                if last is not None and last <= stop_before:
                    return Scan(_until(docs, stop_before), cut=False)
        kept = _until(docs, stop_before)
        # A stop inside what was read ends the scan: nothing after it belongs to it.
        return Scan(kept, cut=walk.cut and len(kept) == len(docs))


def _until(docs: list[Doc], stop_before: datetime | None) -> list[Doc]:
    if stop_before is None:
        return docs
    for i, doc in enumerate(docs):
        created = flow_job_facts(doc).created_at
        if created is not None and created <= stop_before:
            return docs[:i]
    return docs


@dataclass(slots=True)
class Scan:
    """The list from its top, up to a bound; ``cut``: the list goes on past it."""

    docs: list[Doc]
    cut: bool


@dataclass(slots=True)
class ListWalk:
    """Reads the job list from ``start`` in waves of concurrent requests, at most ``limit`` jobs.

    The list's length is unknown, so each wave asks for several chunks at
    once. The request that reaches ``limit`` asks for one job more: if it
    comes, the list is longer than the limit and the walk is ``cut``;
    otherwise, or when a chunk comes back short, the list is ``exhausted``.
    Either way the walk is ``done``. The caller may stop between waves.
    """

    api: JobstoreAPI
    start: int
    limit: int
    read: int = 0
    """Jobs read so far."""
    exhausted: bool = False
    cut: bool = False

    @property
    def done(self) -> bool:
        """Whether nothing more will be read."""
        return self.exhausted or self.cut or self.read >= self.limit

    async def next_wave(self, chunk: int, count: int) -> list[Doc]:
        """The next jobs: up to ``count`` requests of ``chunk`` jobs, sent together."""
        if self.done:
            return []
        requests: list[tuple[int, int]] = []
        planned = self.read
        while len(requests) < count and planned < self.limit:
            size = min(chunk, self.limit - planned)
            requests.append((self.start + planned, size))
            planned += size
        pages = await gather_calls(
            [
                self.api.page(
                    skip=skip,
                    limit=size + (1 if skip - self.start + size >= self.limit else 0),
                )
                for skip, size in requests
            ]
        )
        out: list[Doc] = []
        for (skip, size), page in zip(requests, pages, strict=True):
            at_limit = skip - self.start + size >= self.limit
            out.extend(page[:size])
            if at_limit:
                self.cut = len(page) > size
                self.exhausted = not self.cut
                break
            if len(page) < size:
                self.exhausted = True
                break
        self.read += len(out)
        return out
