"""The AWX sandbox's views of jobs of every type: ``/unified_jobs/``, job detail, ``stdout/``.

- ``GET /api/v2/unified_jobs/``: workflow jobs and every other job (spawned by
  workflow nodes or launched), each in its own type's list shape; AWX's field
  lookups (``id__in=``...) and ``type=job,project_update`` (AWX's type filter);
- ``GET /api/v2/jobs/{id}/``: a playbook job's detail, the list shape plus
  ``host_status_counts`` and ``playbook_counts`` (only the detail has them);
  ``/project_updates/{id}/`` and ``/inventory_updates/{id}/`` likewise;
- ``GET /api/v2/{jobs,project_updates,inventory_updates}/{id}/stdout/``: the
  output, as AWX's ``UnifiedJobStdout`` serves it: ``format=json`` (the
  default here) answers ``{"range": {"start", "end", "absolute_end"},
  "content"}`` for ``start_line``/``end_line`` (Python slice semantics, a
  negative start counting from the end); ``format=txt`` and ``format=ansi``
  the whole text. Over :data:`~sandbox.awx_spawned.STDOUT_MAX_BYTES_DISPLAY`
  every format answers AWX's "too large" message instead (json: as the
  content of the range ``0..1 of 1``).

Deviation: nested workflow jobs spawned by seeded nodes are served by
``/unified_jobs/`` and ``/workflow_jobs/{id}/``, but not listed by
``/workflow_jobs/`` (that list keeps its 300 seeded jobs).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from sandbox.awx_data import AwxStore
from sandbox.awx_lists import ApiError, Doc, Resource, list_answer
from sandbox.awx_spawned import (
    OUTPUT_SEGMENTS,
    STDOUT_MAX_BYTES_DISPLAY,
    host_status_counts,
    output_lines,
    playbook_counts,
)
from sandbox.responses import JSONBody

API = "/api/v2"
NOT_FOUND = "Not found."
_ANSI = re.compile(r"\x1b\[[0-9;]*m")

UNIFIED_SAMPLE: Doc = {
    "id": 1,
    "name": "",
    "description": "",
    "created": "",
    "modified": "",
    "unified_job_template": 1,
    "launch_type": "",
    "status": "",
    "failed": False,
    "started": "",
    "finished": "",
    "canceled_on": "",
    "elapsed": 0.0,
    "job_explanation": "",
    "execution_node": "",
    "work_unit_id": "",
}
"""The fields every unified job has: what ``/unified_jobs/`` can filter and order on."""


class SpawnedJobViews:
    """The views over an :class:`AwxStore`'s jobs of every type."""

    def __init__(self, store: AwxStore) -> None:
        self.store = store
        self.resource = Resource(
            "UnifiedJob",
            UNIFIED_SAMPLE,
            foreign_keys=("unified_job_template",),
            datetimes=("created", "modified", "started", "finished", "canceled_on"),
            search_fields=("name", "description"),
        )

    def _docs(self) -> list[Doc]:
        records = [*self.store.workflow_jobs.values(), *self.store.jobs.values()]
        return sorted((r.document() for r in records), key=lambda d: int(d["id"]))

    async def unified_jobs(self, request: Request) -> Response:
        docs = self._docs()
        wanted = request.query_params.get("type")
        if wanted:
            kinds = set(wanted.split(","))
            docs = [d for d in docs if d["type"] in kinds]
        return list_answer(self.resource, request, docs)

    def _record_of(self, request: Request, kind: str) -> Doc:
        raw = str(request.path_params["id"])
        record = self.store.unified_job(int(raw)) if raw.isdigit() else None
        if record is None or record.document()["type"] != kind:
            raise ApiError.detail(404, NOT_FOUND)
        return record.document()

    def detail(self, kind: str) -> Callable[[Request], Any]:
        async def view(request: Request) -> Response:
            doc = self._record_of(request, kind)
            if kind == "job":
                doc = {
                    **doc,
                    "host_status_counts": host_status_counts(doc),
                    "playbook_counts": playbook_counts(doc),
                }
            return JSONBody(doc)

        return view

    def stdout(self, kind: str) -> Callable[[Request], Any]:
        async def view(request: Request) -> Response:
            doc = self._record_of(request, kind)
            lines = output_lines(doc)
            size = sum(len(line.encode()) + 1 for line in lines)
            fmt = request.query_params.get("format", "json")
            if fmt not in ("json", "txt", "ansi"):
                raise ApiError.detail(404, NOT_FOUND)
            if size > STDOUT_MAX_BYTES_DISPLAY:
                message = (
                    f"Standard Output too large to display ({size} bytes), only download "
                    f"supported for sizes over {STDOUT_MAX_BYTES_DISPLAY} bytes."
                )
                if fmt == "json":
                    return JSONBody(
                        {"range": {"start": 0, "end": 1, "absolute_end": 1}, "content": message}
                    )
                return PlainTextResponse(message)
            if fmt != "json":
                text = "".join(f"{line}\n" for line in lines)
                return PlainTextResponse(_ANSI.sub("", text) if fmt == "txt" else text)
            start, end = _line_range(request)
            chosen = lines[start:end]
            total = len(lines)
            start_actual = total + start if start < 0 else start
            end_actual = total if end is None or start < 0 else min(end, total)
            return JSONBody(
                {
                    "range": {
                        "start": max(start_actual, 0),
                        "end": end_actual,
                        "absolute_end": total,
                    },
                    "content": "".join(f"{line}\n" for line in chosen),
                }
            )

        return view

    def routes(self) -> list[tuple[str, Callable[[Request], Any], list[str]]]:
        """``(path, view, methods)`` of each route."""
        table: list[tuple[str, Callable[[Request], Any], list[str]]] = [
            (f"{API}/unified_jobs/", self.unified_jobs, ["GET"]),
            (f"{API}/workflow_jobs/{{id}}/", self.detail("workflow_job"), ["GET"]),
        ]
        for kind, segment in OUTPUT_SEGMENTS.items():
            table.append((f"{API}/{segment}/{{id}}/", self.detail(kind), ["GET"]))
            table.append((f"{API}/{segment}/{{id}}/stdout/", self.stdout(kind), ["GET"]))
        return table


def _line_range(request: Request) -> tuple[int, int | None]:
    """``start_line`` and ``end_line`` as AWX reads them (``int()``; 400 otherwise)."""
    try:
        start = int(request.query_params.get("start_line", "0"))
        raw_end = request.query_params.get("end_line")
        end = None if raw_end is None else int(raw_end)
    except ValueError:
        raise ApiError.detail(400, "start_line and end_line must be integers") from None
    return start, end
