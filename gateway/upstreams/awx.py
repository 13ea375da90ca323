"""Client of the AWX (Ansible automation controller) REST API.

It owns every AWX URL and query word the gateway uses:

- lists answer ``{count, next, previous, results}``, paged with ``page`` and
  ``page_size`` (capped at :data:`PAGE_CAP`; larger values are cut silently),
  planned by :func:`~gateway.upstreams.paging.page_plan`;
- filters are spelt in the :data:`DIALECT` (``status__in``, ``created__gt``,
  ``name__icontains``, ...) from a :class:`~gateway.filters.JobListFilter`;
- batch reads use ``id__in`` and ``workflow_job__in``, :data:`PAGE_CAP` ids a
  request, the chunks sent concurrently;
- creates are ``POST .../launch/`` and ``POST .../slice_workflow_jobs/``,
  sent once (never retried), as are the actions ``POST
  /api/v2/workflow_jobs/{id}/cancel/`` and ``.../relaunch/``;
- what ran inside a workflow: the jobs its nodes spawned, of any type, by
  ``id__in`` on ``/unified_jobs/``; a playbook job's detail (the only place
  AWX gives ``host_status_counts``); a line range of a job's output from
  ``.../stdout/?format=json&start_line=&end_line=`` (see :meth:`AwxAPI.stdout_range`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gateway.errors import UpstreamBadResponse, UpstreamNotFound, UpstreamRequest
from gateway.filters import JobListFilter
from gateway.upstream_names import Upstream
from gateway.upstreams.call_groups import gather_calls
from gateway.upstreams.caller import Caller
from gateway.upstreams.client import QueryParams, UpstreamClient
from gateway.upstreams.paging import page_plan, remaining_pages
from gateway.upstreams.pushdown import Dialect, conditions, iso_text
from gateway.upstreams.windows import ListWindow

Doc = dict[str, Any]

API = "/api/v2"
WORKFLOW_JOBS = f"{API}/workflow_jobs/"
WORKFLOW_JOB_NODES = f"{API}/workflow_job_nodes/"
JOB_TEMPLATES = f"{API}/job_templates/"
PING = f"{API}/ping/"
"""Public in AWX: ``{"version", "active_node", "ha", ...}`` (``jobs-gateway check``)."""
UNIFIED_JOBS = f"{API}/unified_jobs/"
"""Every kind of job in one list; each item in its own type's list shape, ``type`` naming it."""
JOBS = f"{API}/jobs/"
OUTPUT_PATHS = {
    "job": "jobs",
    "project_update": "project_updates",
    "inventory_update": "inventory_updates",
    "ad_hoc_command": "ad_hoc_commands",
    "system_job": "system_jobs",
}
"""The list of each unified job ``type`` that has a ``stdout/`` route (workflow jobs have none)."""
PAGE_CAP = 200
"""AWX cuts larger ``page_size`` values silently."""
NEWEST_FIRST = ("order_by", "-created")

DIALECT = Dialect(
    Upstream.AWX,
    status_in="status__in",
    status_not_in="not__status__in",
    created_after="created__gt",
    created_before="created__lt",
    name_contains="name__icontains",
    time_text=iso_text,
)


def _slice_jobs_path(job_template_id: int) -> str:
    return f"{JOB_TEMPLATES}{job_template_id}/slice_workflow_jobs/"


def _chunks(ids: Sequence[int]) -> list[list[int]]:
    return [list(ids[i : i + PAGE_CAP]) for i in range(0, len(ids), PAGE_CAP)]


@dataclass(frozen=True, slots=True)
class AwxPage:
    """One page of an AWX list."""

    count: int | None
    results: list[Doc]
    has_next: bool


_NO_PAGE = AwxPage(count=None, results=[], has_next=False)


@dataclass(frozen=True, slots=True)
class StdoutRange:
    """Lines ``start .. end`` of a job's output, as AWX's ``stdout/?format=json`` answers them.

    ``absolute_end`` is how many lines the whole output has (so far, for a job
    still running). ``refusal`` is AWX's own message when it will not serve
    the output (it is over ``STDOUT_MAX_BYTES_DISPLAY``, 1 MiB by default):
    AWX then answers that message as the content, with the range ``0..1 of 1``.
    """

    start: int
    end: int
    absolute_end: int
    content: str
    refusal: str | None = None


_TOO_LARGE = "Standard Output too large to display"


@dataclass(frozen=True, slots=True)
class AwxAPI:
    """AWX, as seen by one caller."""

    client: UpstreamClient
    caller: Caller

    def _bad(self, method: str, path: str, what: str) -> UpstreamBadResponse:
        return UpstreamBadResponse(
            f"the awx upstream answered {what}",
            request=UpstreamRequest(self.client.name, method, path),
        )

    # -- pages ----------------------------------------------------------------

    async def _page(self, path: str, params: QueryParams) -> AwxPage:
        response = await self.client.get(path, params, caller=self.caller)
        body = response.body
        if not isinstance(body, dict) or not isinstance(body.get("results"), list):
            raise self._bad("GET", path, "a list without its results")
        count = body.get("count")
        return AwxPage(
            count=count if isinstance(count, int) else None,
            results=[r for r in body["results"] if isinstance(r, dict)],
            has_next=bool(body.get("next")),
        )

    async def _numbered_page(self, path: str, params: QueryParams, page: int) -> AwxPage:
        """Page ``page``; past the end AWX answers 404 ("Invalid page."): an empty page."""
        try:
            return await self._page(path, [*params, ("page", str(page))])
        except UpstreamNotFound:
            if page == 1:
                raise
            return _NO_PAGE

    async def _collect(self, path: str, params: QueryParams, limit: int | None) -> ListWindow:
        """The first ``limit`` results (all when ``None``): page 1, then the rest concurrently."""
        size = PAGE_CAP if limit is None else max(1, min(PAGE_CAP, limit))
        base = [*params, ("page_size", str(size))]
        first = await self._numbered_page(path, base, 1)
        if not first.has_next or first.count is None:
            return ListWindow(first.results, first.count)
        wanted = first.count if limit is None else min(first.count, limit)
        rest = await gather_calls(
            [self._numbered_page(path, base, n) for n in remaining_pages(wanted, size)]
        )
        docs = [*first.results, *(doc for page in rest for doc in page.results)]
        return ListWindow(docs if limit is None else docs[:limit], first.count)

    # -- workflow job lists ---------------------------------------------------

    async def window(
        self,
        flt: JobListFilter,
        offset: int,
        limit: int,
        *,
        job_template_id: int | None = None,
    ) -> ListWindow:
        """Workflow jobs ``offset .. offset+limit`` newest first, the filter pushed down.

        With ``job_template_id``, the slice workflow jobs of that template.
        ``limit=0`` asks only for the count (``page_size=1``). A filter that
        can match nothing costs no request.
        """
        path = WORKFLOW_JOBS if job_template_id is None else _slice_jobs_path(job_template_id)
        params = conditions(DIALECT, flt)
        if params is None:
            return ListWindow([], 0)
        if limit == 0:
            page = await self._page(path, [*params, ("page_size", "1")])
            return ListWindow([], page.count)
        plan = page_plan(offset, limit, PAGE_CAP)
        base = [*params, NEWEST_FIRST, ("page_size", str(plan.size))]
        pages = await gather_calls([self._numbered_page(path, base, n) for n in plan.pages])
        docs = [doc for page in pages for doc in page.results]
        return ListWindow(docs[plan.offset : plan.offset + limit], pages[0].count)

    async def count(self, flt: JobListFilter) -> int:
        """How many workflow jobs match (``page_size=1``); 0 without a request when none can."""
        params = conditions(DIALECT, flt)
        if params is None:
            return 0
        page = await self._page(WORKFLOW_JOBS, [*params, ("page_size", "1")])
        return page.count or 0

    async def newest(self, flt: JobListFilter, limit: int) -> ListWindow:
        """The newest ``limit`` matching workflow jobs; the first page's count plans the rest."""
        params = conditions(DIALECT, flt)
        if params is None:
            return ListWindow([], 0)
        return await self._collect(WORKFLOW_JOBS, [*params, NEWEST_FIRST], limit)

    # -- batch reads ----------------------------------------------------------

    async def _by_ids(self, path: str, ids: Sequence[int]) -> list[Doc]:
        async def chunk(part: list[int]) -> list[Doc]:
            joined = ",".join(str(i) for i in part)
            page = await self._page(path, [("id__in", joined), ("page_size", str(len(part)))])
            return page.results

        pages = await gather_calls([chunk(part) for part in _chunks(ids)])
        return [doc for page in pages for doc in page]

    async def workflow_jobs_by_ids(self, ids: Sequence[int]) -> list[Doc]:
        """Workflow jobs by id (``id__in``), in any order; missing ids are absent."""
        return await self._by_ids(WORKFLOW_JOBS, ids)

    async def job_templates_by_ids(self, ids: Sequence[int]) -> list[Doc]:
        """Job templates by id (``id__in``)."""
        return await self._by_ids(JOB_TEMPLATES, ids)

    async def workflow_job_nodes_by_ids(self, ids: Sequence[int]) -> list[Doc]:
        """Workflow job nodes by id (``id__in``)."""
        return await self._by_ids(WORKFLOW_JOB_NODES, ids)

    async def nodes_of(self, workflow_job_ids: Sequence[int]) -> list[Doc]:
        """Every node of the given workflow jobs (``workflow_job__in``), all pages.

        One request per :data:`PAGE_CAP` workflow jobs while their nodes fit a
        page; each further :data:`PAGE_CAP` nodes cost one more, concurrently.
        """

        async def chunk(part: list[int]) -> list[Doc]:
            joined = ",".join(str(i) for i in part)
            params = [("workflow_job__in", joined), ("order_by", "id")]
            return (await self._collect(WORKFLOW_JOB_NODES, params, None)).docs

        lists = await gather_calls([chunk(part) for part in _chunks(workflow_job_ids)])
        return [node for nodes in lists for node in nodes]

    # -- what ran inside a workflow job ----------------------------------------

    async def unified_jobs_by_ids(self, ids: Sequence[int]) -> list[Doc]:
        """Jobs of any type by id (``GET /unified_jobs/?id__in=``): playbook jobs, project and
        inventory updates, workflow jobs, ...; each in its type's list shape, ``type`` naming it.
        """
        return await self._by_ids(UNIFIED_JOBS, ids)

    async def job_detail(self, job_id: int) -> Doc | None:
        """``GET /api/v2/jobs/{id}/``: a playbook job's detail; ``None`` when there is none.

        Only the detail carries ``host_status_counts`` and ``playbook_counts``
        (the list shape, ``id__in`` included, leaves them out), so host counts
        cost one request per job.
        """
        try:
            response = await self.client.get(
                f"{JOBS}{job_id}/", caller=self.caller, route=f"{JOBS}{{id}}/"
            )
        except UpstreamNotFound:
            return None
        return response.body if isinstance(response.body, dict) else None

    async def stdout_range(self, job_type: str, job_id: int, start: int, end: int) -> StdoutRange:
        """Lines ``start .. end`` (0-based, end excluded) of a job's output.

        ``GET /api/v2/<type list>/{id}/stdout/?format=json&start_line=&end_line=``
        answers ``{"range": {"start", "end", "absolute_end"}, "content"}``: only
        the lines asked for cross the wire. (``format=txt`` ignores the line
        range and sends the whole output, which is why it is not used.)
        ``UpstreamNotFound`` for a job or a type without output.
        """
        segment = OUTPUT_PATHS.get(job_type)
        if segment is None:
            raise UpstreamNotFound(
                f"awx keeps no output for a {job_type[:40]!r}",
                request=UpstreamRequest(self.client.name, "GET", f"{API}/{{type}}/{{id}}/stdout/"),
            )
        path = f"{API}/{segment}/{job_id}/stdout/"
        params = [("format", "json"), ("start_line", str(start)), ("end_line", str(end))]
        response = await self.client.get(
            path, params, caller=self.caller, route=f"{API}/{segment}/{{id}}/stdout/"
        )
        body = response.body
        span = body.get("range") if isinstance(body, dict) else None
        content = body.get("content") if isinstance(body, dict) else None
        if not isinstance(span, dict) or not isinstance(content, str):
            raise self._bad("GET", path, "output without its range and content")
        numbers = [span.get(key) for key in ("start", "end", "absolute_end")]
        if not all(isinstance(n, int) and not isinstance(n, bool) for n in numbers):
            raise self._bad("GET", path, "an output range that is not whole numbers")
        first, last, total = (int(n) for n in numbers)  # type: ignore[arg-type]
        refused = (first, last, total) == (0, 1, 1) and content.startswith(_TOO_LARGE)
        refusal = content if refused else None
        return StdoutRange(first, last, total, "" if refusal else content, refusal)

    # -- creates --------------------------------------------------------------

    async def _post(self, path: str, body: Doc) -> Doc:
        response = await self.client.post(path, body, caller=self.caller)
        if not isinstance(response.body, dict):
            raise self._bad("POST", path, "something other than an object")
        return response.body

    async def launch(self, job_template_id: int, body: Doc) -> Doc:
        """``POST /api/v2/job_templates/{id}/launch/``: the job or workflow job it made."""
        return await self._post(f"{JOB_TEMPLATES}{job_template_id}/launch/", body)

    async def create_slice_workflow_job(self, job_template_id: int, body: Doc) -> Doc:
        """``POST /api/v2/job_templates/{id}/slice_workflow_jobs/``: the workflow job."""
        return await self._post(_slice_jobs_path(job_template_id), body)

    # -- actions on a workflow job ---------------------------------------------
    # AWX: ``POST .../cancel/`` answers 202 with no body (405 ``{"detail": ...}``
    # when the job is past cancelling); ``POST .../relaunch/`` answers 201 with
    # the new workflow job. Both are sent once, never retried.

    async def cancel_workflow_job(self, workflow_job_id: int) -> None:
        """``POST /api/v2/workflow_jobs/{id}/cancel/``: 202 when the cancel was accepted."""
        path = f"{WORKFLOW_JOBS}{workflow_job_id}/cancel/"
        await self.client.post(
            path, None, caller=self.caller, route=f"{WORKFLOW_JOBS}{{id}}/cancel/"
        )

    async def relaunch_workflow_job(self, workflow_job_id: int) -> Doc:
        """``POST /api/v2/workflow_jobs/{id}/relaunch/``: the new workflow job (201)."""
        path = f"{WORKFLOW_JOBS}{workflow_job_id}/relaunch/"
        response = await self.client.post(
            path, {}, caller=self.caller, route=f"{WORKFLOW_JOBS}{{id}}/relaunch/"
        )
        body = response.body
        if not isinstance(body, dict) or not isinstance(body.get("id"), int):
            raise self._bad("POST", path, "a relaunch without the new workflow job")
        return body
