"""Loaders over the jobs store, which has no batch endpoint."""

from __future__ import annotations

import asyncio
from typing import Any

from gateway.loaders.batching import BatchLoader
from gateway.observability.observation import record_batch
from gateway.upstreams.call_groups import gather_calls_settled
from gateway.upstreams.jobstore import JobstoreAPI

Doc = dict[str, Any]


class FlowJobByIdLoader(BatchLoader[str, Doc | None]):
    """Jobs by ``jobId``: one ``GET /jobs/v1/bson/{id}`` per distinct id, run concurrently.

    At most ``concurrency`` requests of one batch are in flight at once. A
    failed GET fails only its own key.
    """

    def __init__(self, api: JobstoreAPI, *, concurrency: int) -> None:
        super().__init__()
        self.api = api
        self.concurrency = concurrency

    async def batch_load_fn(  # type: ignore[override]
        self, keys: list[str]
    ) -> list[Doc | Exception | None]:
        record_batch(type(self).__name__, len(keys))
        # aiodataloader rejects just the key whose value is an Exception.
        semaphore = asyncio.Semaphore(self.concurrency)

        async def one(job_id: str) -> Doc | None:
            async with semaphore:
                return await self.api.job(job_id)

        return await gather_calls_settled([one(k) for k in keys])

    def prime_many(self, docs: list[Doc]) -> None:
        """Cache jobs fetched by a list query."""
        for doc in docs:
            job_id = doc.get("jobId")
            if isinstance(job_id, str):
                self.prime(job_id, doc)
