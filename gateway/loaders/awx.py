"""Loaders over AWX; the client batches them with ``id__in`` and ``workflow_job__in``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from gateway.loaders.batching import BatchLoader
from gateway.observability.observation import record_batch
from gateway.upstreams.awx import AwxAPI

Doc = dict[str, Any]


class _ByIdLoader(BatchLoader[int, Doc | None]):
    """Objects of one AWX list by id: one ``id__in`` request per 200 ids, concurrently."""

    def __init__(self, fetch: Callable[[Sequence[int]], Awaitable[list[Doc]]]) -> None:
        super().__init__()
        self.fetch = fetch

    async def batch_load_fn(self, keys: list[int]) -> list[Doc | None]:
        record_batch(type(self).__name__, len(keys))
        by_id: dict[int, Doc] = {}
        for doc in await self.fetch(keys):
            if isinstance(doc.get("id"), int):
                by_id[doc["id"]] = doc
        return [by_id.get(k) for k in keys]

    def prime_many(self, docs: list[Doc]) -> None:
        """Cache objects fetched by a list query."""
        for doc in docs:
            if isinstance(doc.get("id"), int):
                self.prime(doc["id"], doc)


class WorkflowJobByIdLoader(_ByIdLoader):
    """Workflow jobs by id: ``GET /api/v2/workflow_jobs/?id__in=...``."""

    def __init__(self, api: AwxAPI) -> None:
        super().__init__(api.workflow_jobs_by_ids)


class JobTemplateByIdLoader(_ByIdLoader):
    """Job templates by id: ``GET /api/v2/job_templates/?id__in=...``."""

    def __init__(self, api: AwxAPI) -> None:
        super().__init__(api.job_templates_by_ids)


class WorkflowJobNodeByIdLoader(_ByIdLoader):
    """Workflow job nodes by id: ``GET /api/v2/workflow_job_nodes/?id__in=...``."""

    def __init__(self, api: AwxAPI) -> None:
        super().__init__(api.workflow_job_nodes_by_ids)


class WorkflowJobNodesByWorkflowJobIdLoader(BatchLoader[int, list[Doc]]):
    """The nodes of workflow jobs: ``GET /api/v2/workflow_job_nodes/?workflow_job__in=...``.

    One request per 200 workflow jobs while their nodes fit one 200-item
    page; each further 200 nodes cost one more page, fetched concurrently.
    """

    def __init__(self, api: AwxAPI) -> None:
        super().__init__()
        self.api = api

    async def batch_load_fn(self, keys: list[int]) -> list[list[Doc]]:
        record_batch(type(self).__name__, len(keys))
        by_job: dict[int, list[Doc]] = defaultdict(list)
        for node in await self.api.nodes_of(keys):
            if isinstance(node.get("workflow_job"), int):
                by_job[node["workflow_job"]].append(node)
        return [by_job.get(k, []) for k in keys]
