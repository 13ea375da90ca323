"""Loaders over the operations manager."""

from __future__ import annotations

from typing import Any

from gateway.loaders.batching import BatchLoader
from gateway.observability.observation import record_batch
from gateway.upstreams.opsmanager import OpsManagerAPI

Doc = dict[str, Any]


class OperationsJobByIdLoader(BatchLoader[str, Doc | None]):
    """Jobs by ``_id``: the client reads them with ``in[_id]=...``, 100 ids a request."""

    def __init__(self, api: OpsManagerAPI) -> None:
        super().__init__()
        self.api = api

    async def batch_load_fn(self, keys: list[str]) -> list[Doc | None]:
        record_batch(type(self).__name__, len(keys))
        by_id: dict[str, Doc] = {}
        for doc in await self.api.jobs_by_ids(keys):
            job_id = doc.get("_id")
            if isinstance(job_id, str):
                by_id[job_id] = doc
        return [by_id.get(k) for k in keys]

    def prime_many(self, docs: list[Doc]) -> None:
        """Cache jobs fetched by a list query."""
        for doc in docs:
            job_id = doc.get("_id")
            if isinstance(job_id, str):
                self.prime(job_id, doc)
