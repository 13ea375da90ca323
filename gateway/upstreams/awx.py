"""Client of the AWX (Ansible automation controller) REST API.

Lists answer ``{count, next, previous, results}``, paged with ``page`` and
``page_size`` (capped at :data:`PAGE_CAP`). Batch reads use ``id__in`` and
``workflow_job__in``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from gateway.errors import UpstreamBadResponse, UpstreamNotFound, UpstreamRequest
from gateway.upstreams.client import CallerCredentials, QueryParams, UpstreamClient

API = "/api/v2"
WORKFLOW_JOBS = f"{API}/workflow_jobs/"
WORKFLOW_JOB_NODES = f"{API}/workflow_job_nodes/"
JOB_TEMPLATES = f"{API}/job_templates/"
PAGE_CAP = 200
"""AWX cuts larger ``page_size`` values silently."""


@dataclass(frozen=True, slots=True)
class AwxPage:
    """One page of an AWX list."""

    count: int | None
    results: list[dict[str, Any]]
    has_next: bool


@dataclass(frozen=True, slots=True)
class AwxAPI:
    """AWX, as seen by one caller."""

    client: UpstreamClient
    caller: CallerCredentials

    def _bad(self, method: str, path: str, what: str) -> UpstreamBadResponse:
        return UpstreamBadResponse(
            f"the awx upstream answered {what}",
            request=UpstreamRequest(self.client.name, method, path),
        )

    async def page(self, path: str, params: QueryParams) -> AwxPage:
        """One page of a list endpoint."""
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

    async def all_pages(self, path: str, params: QueryParams) -> list[dict[str, Any]]:
        """Every result of a filtered list: the first page, then the rest concurrently."""
        base = [*params, ("page_size", str(PAGE_CAP))]
        first = await self.page(path, [*base, ("page", "1")])
        if not first.has_next or first.count is None:
            return first.results
        pages = -(-first.count // PAGE_CAP)
        rest = await asyncio.gather(
            *(self.page(path, [*base, ("page", str(n))]) for n in range(2, pages + 1))
        )
        results = list(first.results)
        for page in rest:
            results.extend(page.results)
        return results

    async def detail(self, path: str) -> dict[str, Any] | None:
        """One object; ``None`` on 404."""
        try:
            response = await self.client.get(path, caller=self.caller)
        except UpstreamNotFound:
            return None
        if not isinstance(response.body, dict):
            raise self._bad("GET", path, "something other than an object")
        return response.body

    async def by_ids(self, path: str, ids: list[int]) -> list[dict[str, Any]]:
        """Objects of one list endpoint by id, at most :data:`PAGE_CAP` ids."""
        joined = ",".join(str(i) for i in ids)
        page = await self.page(path, [("id__in", joined), ("page_size", str(len(ids)))])
        return page.results

    async def nodes_of(self, workflow_job_ids: list[int]) -> list[dict[str, Any]]:
        """Every node of the given workflow jobs (``workflow_job__in``)."""
        joined = ",".join(str(i) for i in workflow_job_ids)
        return await self.all_pages(
            WORKFLOW_JOB_NODES, [("workflow_job__in", joined), ("order_by", "id")]
        )

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST a create; the created object."""
        response = await self.client.post(path, body, caller=self.caller)
        if not isinstance(response.body, dict):
            raise self._bad("POST", path, "something other than an object")
        return response.body
