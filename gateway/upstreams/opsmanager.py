"""Client of the operations manager (Itential-compatible) REST API.

It owns every operations-manager URL and query word the gateway uses:

- every answer is the envelope ``{message, data, metadata}``; a search carries
  ``{total, skip, limit}`` in ``metadata``;
- the search endpoint pages by ``skip``/``limit`` (at most :data:`PAGE_CAP`
  a request), sorts by ``sort``/``order``, projects with ``include``, and
  filters in the :data:`DIALECT` (``in[status]``, ``gt[created]``, ...);
- batch reads use ``in[_id]=a,b,c``, :data:`PAGE_CAP` ids a request;
- ``POST /operations-manager/jobs/start`` is sent once (never retried), and so
  are the job actions (``POST /operations-manager/jobs/cancel``, ``/pause``,
  ``/resume`` with ``{"jobIds": [id]}``; ``POST .../jobs/{id}/tasks/{task}/retry``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from gateway.errors import UpstreamBadResponse, UpstreamNotFound, UpstreamRequest
from gateway.filters import JobListFilter
from gateway.upstream_names import Upstream
from gateway.upstreams.call_groups import gather_calls
from gateway.upstreams.caller import Caller
from gateway.upstreams.client import QueryParams, UpstreamClient
from gateway.upstreams.paging import offset_chunks
from gateway.upstreams.pushdown import Dialect, conditions, ms_text
from gateway.upstreams.windows import ListWindow

Doc = dict[str, Any]

JOBS = "/operations-manager/jobs"
START = "/operations-manager/jobs/start"
JOB_ACTIONS = frozenset({"cancel", "pause", "resume"})
"""The bulk job actions: ``POST /operations-manager/jobs/{action}`` with ``{"jobIds": [...]}``."""
PAGE_CAP = 100
"""Ids per ``in[_id]`` query, and jobs per search request."""
NEWEST_FIRST = (("sort", "created"), ("order", "-1"))

DIALECT = Dialect(
    Upstream.OPSMANAGER,
    status_in="in[status]",
    status_not_in="not-in[status]",
    created_after="gt[created]",
    created_before="lt[created]",
    name_contains="contains[name]",
    time_text=ms_text,
)


@dataclass(frozen=True, slots=True)
class OpsManagerAPI:
    """The operations manager, as seen by one caller."""

    client: UpstreamClient
    caller: Caller

    def _data(self, method: str, path: str, body: Any) -> tuple[Any, dict[str, Any]]:
        if not isinstance(body, dict) or "data" not in body:
            raise UpstreamBadResponse(
                "the opsmanager upstream answered without its {message, data} envelope",
                request=UpstreamRequest(self.client.name, method, path),
            )
        metadata = body.get("metadata")
        return body["data"], metadata if isinstance(metadata, dict) else {}

    async def job(self, job_id: str) -> Doc | None:
        """One job by ``_id``; ``None`` when there is none."""
        path = f"{JOBS}/{quote(job_id, safe='')}"
        try:
            response = await self.client.get(path, caller=self.caller, route=f"{JOBS}/{{id}}")
        except UpstreamNotFound:
            return None
        data, _ = self._data("GET", path, response.body)
        return data if isinstance(data, dict) else None

    async def _search(self, params: QueryParams) -> ListWindow:
        response = await self.client.get(JOBS, params, caller=self.caller)
        data, metadata = self._data("GET", JOBS, response.body)
        jobs = [job for job in data if isinstance(job, dict)] if isinstance(data, list) else []
        total = metadata.get("total")
        return ListWindow(jobs, total if isinstance(total, int) else None)

    async def _chunks(self, params: QueryParams, offset: int, limit: int) -> list[ListWindow]:
        return await gather_calls(
            [
                self._search([*params, ("skip", str(skip)), ("limit", str(size))])
                for skip, size in offset_chunks(offset, limit, PAGE_CAP)
            ]
        )

    async def window(self, flt: JobListFilter, offset: int, limit: int) -> ListWindow:
        """Jobs ``offset .. offset+limit`` newest first, the filter pushed down.

        Requests of at most :data:`PAGE_CAP` jobs go out together; ``limit=0``
        still reads one job, for the total. A filter that can match nothing
        costs no request.
        """
        params = conditions(DIALECT, flt)
        if params is None:
            return ListWindow([], 0)
        pages = await self._chunks([*params, *NEWEST_FIRST], offset, limit)
        docs = [doc for page in pages for doc in page.docs]
        return ListWindow(docs[:limit], pages[0].total)

    async def count(self, flt: JobListFilter) -> int:
        """How many jobs match (``metadata.total`` of ``limit=1``); 0, unasked, when none can."""
        params = conditions(DIALECT, flt)
        if params is None:
            return 0
        page = await self._search([*params, ("limit", "1")])
        return page.total or 0

    async def newest(self, flt: JobListFilter, limit: int, *, include: str) -> ListWindow:
        """The newest ``limit`` matching jobs with only the ``include``d fields.

        The first request's total says how many more to read; they go out together.
        """
        params = conditions(DIALECT, flt)
        if params is None:
            return ListWindow([], 0)
        base = [*params, *NEWEST_FIRST, ("include", include)]
        first_size = min(PAGE_CAP, limit)
        first = await self._search([*base, ("skip", "0"), ("limit", str(first_size))])
        total = first.total if first.total is not None else len(first.docs)
        wanted = min(total, limit)
        rest = (
            await self._chunks(base, first_size, wanted - first_size) if wanted > first_size else []
        )
        docs = [*first.docs, *(doc for page in rest for doc in page.docs)]
        return ListWindow(docs[:wanted], first.total)

    async def jobs_by_ids(self, ids: Sequence[str]) -> list[Doc]:
        """The jobs among ``ids`` (``in[_id]``), :data:`PAGE_CAP` a request, concurrently."""
        chunks = [ids[i : i + PAGE_CAP] for i in range(0, len(ids), PAGE_CAP)]
        pages = await gather_calls(
            [
                self._search([("in[_id]", ",".join(chunk)), ("limit", str(len(chunk)))])
                for chunk in chunks
            ]
        )
        return [doc for page in pages for doc in page.docs]

    async def start_job(self, body: Doc) -> tuple[str | None, Doc]:
        """``POST /operations-manager/jobs/start``: the upstream's message and the job."""
        response = await self.client.post(START, body, caller=self.caller)
        data, _ = self._data("POST", START, response.body)
        if not isinstance(data, dict):
            raise UpstreamBadResponse(
                "the opsmanager upstream answered a start without a job",
                request=UpstreamRequest(self.client.name, "POST", START),
            )
        message = response.body.get("message")
        return (message if isinstance(message, str) else None), data

    # -- actions on a job --------------------------------------------------------
    # Itential's job actions are bulk routes taking ``{"jobIds": [...]}``; the
    # gateway acts on one job at a time. Task retry is per job and task. Every
    # one is sent once, never retried.

    async def job_action(self, action: str, job_id: str) -> str | None:
        """``POST /operations-manager/jobs/{cancel|pause|resume}`` for one job: its message."""
        if action not in JOB_ACTIONS:
            raise ValueError(f"not an operations-manager job action: {action!r}")
        path = f"{JOBS}/{action}"
        response = await self.client.post(path, {"jobIds": [job_id]}, caller=self.caller)
        self._data("POST", path, response.body)
        message = response.body.get("message")
        return message if isinstance(message, str) else None

    async def retry_task(
        self, job_id: str, task_id: str, variables: dict[str, Any] | None
    ) -> str | None:
        """``POST /operations-manager/jobs/{id}/tasks/{taskId}/retry``: the upstream's message.

        ``variables`` (may be empty) replace the task's incoming variables for the retry.
        """
        path = f"{JOBS}/{quote(job_id, safe='')}/tasks/{quote(task_id, safe='')}/retry"
        response = await self.client.post(
            path,
            {"variables": variables or {}},
            caller=self.caller,
            route=f"{JOBS}/{{id}}/tasks/{{taskId}}/retry",
        )
        self._data("POST", path, response.body)
        message = response.body.get("message")
        return message if isinstance(message, str) else None
