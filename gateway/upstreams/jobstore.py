"""Client of the jobs store (WorkfloPlus-compatible) REST API.

The jobs store has no multi-id GET and no filters on its list: the loaders
run single GETs concurrently and the cross-system view scans its list.
``GET /jobs/v1/bson/{id}`` is documented to answer an array; one real client
reads a single object, so both are accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from gateway.errors import UpstreamBadResponse, UpstreamNotFound, UpstreamRequest
from gateway.upstreams.client import CallerCredentials, UpstreamClient

JOBS = "/jobs/v1"


def _segment(value: str) -> str:
    return quote(value, safe="")


@dataclass(frozen=True, slots=True)
class JobstoreAPI:
    """The jobs store, as seen by one caller."""

    client: UpstreamClient
    caller: CallerCredentials

    def _bad(self, path: str, what: str) -> UpstreamBadResponse:
        return UpstreamBadResponse(
            f"the jobstore upstream answered {what}",
            request=UpstreamRequest(self.client.name, "GET", path),
        )

    def _documents(self, path: str, body: Any) -> list[dict[str, Any]]:
        if isinstance(body, dict):
            return [body]
        if isinstance(body, list):
            return [item for item in body if isinstance(item, dict)]
        raise self._bad(path, "neither a job nor a list of jobs")

    async def job(self, job_id: str) -> dict[str, Any] | None:
        """One job by its ``jobId``; ``None`` when there is none."""
        path = f"{JOBS}/bson/{_segment(job_id)}"
        try:
            response = await self.client.get(path, caller=self.caller)
        except UpstreamNotFound:
            return None
        docs = self._documents(path, response.body)
        for doc in docs:
            if doc.get("jobId") == job_id:
                return doc
        return docs[0] if docs else None

    async def jobs(self, *, skip: int, limit: int) -> list[dict[str, Any]]:
        """A page of the job list (newest first, as the store serves it)."""
        path = f"{JOBS}/"
        response = await self.client.get(
            path, [("skip", str(skip)), ("limit", str(limit))], caller=self.caller
        )
        return self._documents(path, response.body) if response.body is not None else []

    async def jobs_by_client_job_id(self, client_job_id: str) -> list[dict[str, Any]]:
        """Every job carrying this ``clientJobId`` (the store does not deduplicate)."""
        path = f"{JOBS}/{_segment(client_job_id)}"
        try:
            response = await self.client.get(path, caller=self.caller)
        except UpstreamNotFound:
            return []
        return self._documents(path, response.body) if response.body is not None else []

    async def jobs_by_workflow(self, workflow_id: str) -> list[dict[str, Any]]:
        """The jobs of one workflow."""
        path = f"{JOBS}/workflow/{_segment(workflow_id)}"
        try:
            response = await self.client.get(path, caller=self.caller)
        except UpstreamNotFound:
            return []
        return self._documents(path, response.body) if response.body is not None else []

    async def create_job(self, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /jobs/v1``: the created job, with its ``jobId``."""
        response = await self.client.post(JOBS, body, caller=self.caller)
        docs = self._documents(JOBS, response.body)
        if not docs:
            raise self._bad(JOBS, "no job to a create")
        return docs[0]
