"""Loaders over AWX, using its ``id__in`` and ``workflow_job__in`` filters."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

from aiodataloader import DataLoader

from gateway.upstreams.awx import JOB_TEMPLATES, PAGE_CAP, WORKFLOW_JOBS, AwxAPI

Doc = dict[str, Any]


def _chunks(keys: list[int]) -> list[list[int]]:
    return [keys[i : i + PAGE_CAP] for i in range(0, len(keys), PAGE_CAP)]


class _ByIdLoader(DataLoader[int, Doc | None]):
    path = ""

    def __init__(self, api: AwxAPI) -> None:
        super().__init__()
        self.api = api

    async def batch_load_fn(self, keys: list[int]) -> list[Doc | None]:
        pages = await asyncio.gather(*(self.api.by_ids(self.path, c) for c in _chunks(keys)))
        by_id: dict[int, Doc] = {}
        for page in pages:
            for doc in page:
                if isinstance(doc.get("id"), int):
                    by_id[doc["id"]] = doc
        return [by_id.get(k) for k in keys]

    def prime_many(self, docs: list[Doc]) -> None:
        """Cache objects fetched by a list query."""
        for doc in docs:
            if isinstance(doc.get("id"), int):
                self.prime(doc["id"], doc)


class WorkflowJobByIdLoader(_ByIdLoader):
    """Workflow jobs by id: ``GET /api/v2/workflow_jobs/?id__in=...``, 200 ids a request."""

    path = WORKFLOW_JOBS


class JobTemplateByIdLoader(_ByIdLoader):
    """Job templates by id: ``GET /api/v2/job_templates/?id__in=...``, 200 ids a request."""

    path = JOB_TEMPLATES


class WorkflowJobNodesByWorkflowJobIdLoader(DataLoader[int, list[Doc]]):
    """The nodes of workflow jobs: ``GET /api/v2/workflow_job_nodes/?workflow_job__in=...``.

    One request per 200 workflow jobs while their nodes fit one 200-item
    page; each further 200 nodes cost one more page, fetched concurrently.
    """

    def __init__(self, api: AwxAPI) -> None:
        super().__init__()
        self.api = api

    async def batch_load_fn(self, keys: list[int]) -> list[list[Doc]]:
        lists = await asyncio.gather(*(self.api.nodes_of(c) for c in _chunks(keys)))
        by_job: dict[int, list[Doc]] = defaultdict(list)
        for nodes in lists:
            for node in nodes:
                if isinstance(node.get("workflow_job"), int):
                    by_job[node["workflow_job"]].append(node)
        return [by_job.get(k, []) for k in keys]
