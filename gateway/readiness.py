"""``GET /readyz``: whether the gateway can serve, upstream by upstream.

Ready means the configuration loaded (the app would not have started
otherwise) and every upstream is up: it answered below 500 within the last
``GATEWAY_READY_FRESH_SECONDS`` (the client records each answer, so a busy
gateway probes nothing), or it answers a cheap GET now: the first job of its
list, within ``GATEWAY_READY_PROBE_TIMEOUT``. A 401 or 403 counts as up: the
upstream is there, and a credential problem is not solved by restarting or
rerouting. The probes of the three upstreams run at once.

``200 {"status": "ready", "upstreams": {name: {"up": true, "checked": "recent"|"probe"}}}``,
else ``503`` with ``"status": "not_ready"`` and ``"up": false`` on the ones down.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from gateway.config import Settings
from gateway.upstream_names import Upstream
from gateway.upstreams import awx, jobstore, opsmanager
from gateway.upstreams.client import QueryParams, UpstreamClient

PROBES: dict[Upstream, tuple[str, QueryParams]] = {
    Upstream.JOBSTORE: (f"{jobstore.JOBS}/", (("skip", "0"), ("limit", "1"))),
    Upstream.OPSMANAGER: (opsmanager.JOBS, (("limit", "1"),)),
    Upstream.AWX: (awx.WORKFLOW_JOBS, (("page_size", "1"),)),
}
"""The cheap GET per upstream: its job list, one item long."""


async def upstream_state(client: UpstreamClient, settings: Settings) -> dict[str, Any]:
    """``{"up": bool, "checked": "recent" | "probe"}`` for one upstream."""
    last = client.last_answer
    if last is not None and time.monotonic() - last <= settings.ready_fresh_seconds:
        return {"up": True, "checked": "recent"}
    path, params = PROBES[client.name]
    up = await client.probe(path, params, within=settings.ready_probe_timeout)
    return {"up": up, "checked": "probe"}


def readiness_endpoint(settings: Settings) -> Callable[[Request], Awaitable[Response]]:
    """The ``/readyz`` handler for an app with these settings."""

    async def readyz(request: Request) -> Response:
        clients: dict[Upstream, UpstreamClient] = request.state.clients
        names = list(clients)
        states = await asyncio.gather(*(upstream_state(clients[n], settings) for n in names))
        upstreams = {name.value: state for name, state in zip(names, states, strict=True)}
        ready = all(state["up"] for state in states)
        return JSONResponse(
            {"status": "ready" if ready else "not_ready", "upstreams": upstreams},
            status_code=200 if ready else 503,
        )

    return readyz
