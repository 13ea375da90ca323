"""Operations-manager jobs read one by one: the full document, variables included.

Since Itential 2023.2 the job search (``GET /operations-manager/jobs``, which
``OperationsJobByIdLoader`` batches with ``in[_id]``) leaves out job and task
``variables``; only ``GET /operations-manager/jobs/{id}`` carries them. So
variables are read only when a query asks for them, one GET per job (all the
tasks of a job share it), run concurrently.
"""

from __future__ import annotations

from typing import Any

from gateway.loaders.batching import BatchLoader
from gateway.loaders.single_gets import each_concurrently
from gateway.observability.observation import record_batch
from gateway.upstreams.opsmanager import OpsManagerAPI

Doc = dict[str, Any]


class OperationsJobDetailByIdLoader(BatchLoader[str, Doc | None]):
    """Jobs' full documents by ``_id``: one ``GET /operations-manager/jobs/{id}`` each."""

    def __init__(self, api: OpsManagerAPI) -> None:
        super().__init__()
        self.api = api

    async def batch_load_fn(  # type: ignore[override]
        self, keys: list[str]
    ) -> list[Doc | Exception | None]:
        record_batch(type(self).__name__, len(keys))
        return await each_concurrently(keys, self.api.job)
