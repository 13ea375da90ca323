"""Loaders over the operations manager."""

from __future__ import annotations

import asyncio
from typing import Any

from aiodataloader import DataLoader

from gateway.upstreams.opsmanager import BATCH_CHUNK, OpsManagerAPI

Doc = dict[str, Any]


class OperationsJobByIdLoader(DataLoader[str, Doc | None]):
    """Jobs by ``_id`` through ``in[_id]=...``: one request per :data:`BATCH_CHUNK` ids."""

    def __init__(self, api: OpsManagerAPI) -> None:
        super().__init__()
        self.api = api

    async def batch_load_fn(self, keys: list[str]) -> list[Doc | None]:
        chunks = [keys[i : i + BATCH_CHUNK] for i in range(0, len(keys), BATCH_CHUNK)]
        pages = await asyncio.gather(*(self.api.jobs_by_ids(chunk) for chunk in chunks))
        by_id: dict[str, Doc] = {}
        for page in pages:
            for doc in page:
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
