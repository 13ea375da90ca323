"""The built schema executed in-process, over canned upstreams that record every request.

No sockets: each upstream client sends through an ``httpx.MockTransport``
that answers an empty list (or, for a create, the created job), so a test
sees what the gateway *would* send and every error it answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import httpx
import orjson
from graphql import ExecutionResult

from gateway.config import load_settings
from gateway.context import Context
from gateway.errors import UpstreamError
from gateway.upstream_names import Upstream
from gateway.upstreams.client import UpstreamClient
from schema import build_schema
from tests.conftest import complete_env

SCHEMA = build_schema()


def _subclasses(cls: type) -> list[type]:
    return [cls, *(sub for direct in cls.__subclasses__() for sub in _subclasses(direct))]


KNOWN_CODES = frozenset(
    {
        "BAD_USER_INPUT",
        "GRAPHQL_VALIDATION_FAILED",
        "COST_LIMIT_EXCEEDED",
        *(cls.code for cls in _subclasses(UpstreamError)),
    }
)
"""The codes the gateway answers on purpose; ``INTERNAL_SERVER_ERROR`` is not one."""

EMPTY_OPS_LIST = {"message": "ok", "data": [], "metadata": {"total": 0, "skip": 0, "limit": 20}}
EMPTY_AWX_LIST = {"count": 0, "next": None, "previous": None, "results": []}


@dataclass
class Upstreams:
    """Canned upstreams; ``requests`` holds every request sent, in order."""

    requests: list[httpx.Request] = field(default_factory=list)

    def answer(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if request.method == "POST" and path == "/jobs/v1":
            body = orjson.loads(request.content)
            return httpx.Response(200, json={**body, "jobId": "0" * 24})
        if request.method == "POST" and path == "/operations-manager/jobs/start":
            job = {"_id": "0" * 24, "name": "w", "status": "running", "tasks": {}}
            return httpx.Response(200, json={"message": "started", "data": job, "metadata": {}})
        if path.startswith("/operations-manager"):
            return httpx.Response(200, json=EMPTY_OPS_LIST)
        if path.startswith("/api/v2"):
            return httpx.Response(200, json=EMPTY_AWX_LIST)
        return httpx.Response(200, json=[])

    def paths(self) -> list[str]:
        """``METHOD path?query`` of every request, decoded."""
        return [f"{r.method} {r.url.path}?{unquote(r.url.query.decode())}" for r in self.requests]


async def execute(
    query: str, variables: dict[str, Any] | None = None, upstreams: Upstreams | None = None
) -> ExecutionResult:
    """Run one operation through the schema, as the app would (errors shaped)."""
    upstreams = upstreams if upstreams is not None else Upstreams()
    settings = load_settings(complete_env())
    clients = {
        name: UpstreamClient(
            settings.upstream(name),
            httpx.AsyncClient(
                base_url=settings.upstream(name).url,
                transport=httpx.MockTransport(upstreams.answer),
            ),
        )
        for name in Upstream
    }
    context = Context.create(settings=settings, clients=clients, authorization=None)
    try:
        return await SCHEMA.execute(query, variable_values=variables, context_value=context)
    finally:
        for client in clients.values():
            await client.http.aclose()


def codes(result: ExecutionResult) -> list[str]:
    """The ``extensions.code`` of every error of a result."""
    return [str((e.extensions or {}).get("code")) for e in result.errors or []]
