"""Loaders of what ran inside AWX workflow jobs: spawned jobs, their detail, their output.

- :class:`UnifiedJobByIdLoader`: the jobs workflow nodes spawned, whatever
  their type, one ``GET /unified_jobs/?id__in=`` per 200 ids;
- :class:`PlaybookJobDetailByIdLoader`: playbook jobs' detail (host counts),
  one ``GET /jobs/{id}/`` per distinct job, concurrently under a bound (AWX
  has no batch read of the detail shape);
- :class:`OutputRangeLoader`: line ranges of jobs' output, one
  ``GET .../stdout/`` per distinct ``(type, id, start, end)``, concurrently.
"""

from __future__ import annotations

from typing import Any

from gateway.loaders.awx import _ByIdLoader
from gateway.loaders.batching import BatchLoader
from gateway.loaders.single_gets import SINGLE_GET_CONCURRENCY, each_concurrently
from gateway.observability.observation import record_batch
from gateway.upstreams.awx import AwxAPI, StdoutRange

Doc = dict[str, Any]

OutputKey = tuple[str, int, int, int]
"""``(job type, AWX id, start line, end line)``."""


class UnifiedJobByIdLoader(_ByIdLoader):
    """Jobs of any type by id: ``GET /api/v2/unified_jobs/?id__in=...``."""

    def __init__(self, api: AwxAPI) -> None:
        super().__init__(api.unified_jobs_by_ids)


class PlaybookJobDetailByIdLoader(BatchLoader[int, Doc | None]):
    """Playbook jobs' detail by id: one ``GET /api/v2/jobs/{id}/`` per distinct id.

    Only the detail has ``host_status_counts``; asking for host counts of N
    jobs costs N requests (run :data:`SINGLE_GET_CONCURRENCY` at a time).
    """

    def __init__(self, api: AwxAPI, *, concurrency: int = SINGLE_GET_CONCURRENCY) -> None:
        super().__init__()
        self.api = api
        self.concurrency = concurrency

    async def batch_load_fn(  # type: ignore[override]
        self, keys: list[int]
    ) -> list[Doc | Exception | None]:
        record_batch(type(self).__name__, len(keys))
        return await each_concurrently(keys, self.api.job_detail, self.concurrency)


class OutputRangeLoader(BatchLoader[OutputKey, StdoutRange]):
    """Line ranges of jobs' output: one ``GET .../stdout/?format=json`` per distinct range."""

    def __init__(self, api: AwxAPI, *, concurrency: int = SINGLE_GET_CONCURRENCY) -> None:
        super().__init__()
        self.api = api
        self.concurrency = concurrency

    async def batch_load_fn(  # type: ignore[override]
        self, keys: list[OutputKey]
    ) -> list[StdoutRange | Exception]:
        record_batch(type(self).__name__, len(keys))

        async def fetch(key: OutputKey) -> StdoutRange:
            return await self.api.stdout_range(*key)

        return await each_concurrently(keys, fetch, self.concurrency)
