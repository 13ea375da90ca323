"""Client of the operations manager (Itential-compatible) REST API.

Every answer is the envelope ``{message, data, metadata}``; lists carry
``{total, skip, limit}`` in ``metadata``. Batch reads use the search
endpoint's ``in[_id]=a,b,c``, in chunks of :data:`BATCH_CHUNK`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from gateway.errors import UpstreamBadResponse, UpstreamNotFound, UpstreamRequest
from gateway.upstreams.client import CallerCredentials, QueryParams, UpstreamClient

JOBS = "/operations-manager/jobs"
START = "/operations-manager/jobs/start"
BATCH_CHUNK = 100
"""Ids per ``in[_id]`` query, and the page cap of the search endpoint."""


@dataclass(frozen=True, slots=True)
class OpsPage:
    """One page of a search, with the upstream's total."""

    jobs: list[dict[str, Any]]
    total: int | None


@dataclass(frozen=True, slots=True)
class OpsManagerAPI:
    """The operations manager, as seen by one caller."""

    client: UpstreamClient
    caller: CallerCredentials

    def _data(self, method: str, path: str, body: Any) -> tuple[Any, dict[str, Any]]:
        if not isinstance(body, dict) or "data" not in body:
            raise UpstreamBadResponse(
                "the opsmanager upstream answered without its {message, data} envelope",
                request=UpstreamRequest(self.client.name, method, path),
            )
        metadata = body.get("metadata")
        return body["data"], metadata if isinstance(metadata, dict) else {}

    async def job(self, job_id: str) -> dict[str, Any] | None:
        """One job by ``_id``; ``None`` when there is none."""
        path = f"{JOBS}/{quote(job_id, safe='')}"
        try:
            response = await self.client.get(path, caller=self.caller)
        except UpstreamNotFound:
            return None
        data, _ = self._data("GET", path, response.body)
        return data if isinstance(data, dict) else None

    async def search(self, params: QueryParams) -> OpsPage:
        """``GET /operations-manager/jobs`` with the upstream's own query syntax."""
        response = await self.client.get(JOBS, params, caller=self.caller)
        data, metadata = self._data("GET", JOBS, response.body)
        jobs = [job for job in data if isinstance(job, dict)] if isinstance(data, list) else []
        total = metadata.get("total")
        return OpsPage(jobs=jobs, total=total if isinstance(total, int) else None)

    async def jobs_by_ids(self, ids: list[str]) -> list[dict[str, Any]]:
        """The jobs among ``ids`` (at most :data:`BATCH_CHUNK`), in one request."""
        page = await self.search([("in[_id]", ",".join(ids)), ("limit", str(len(ids)))])
        return page.jobs

    async def start_job(self, body: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
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
