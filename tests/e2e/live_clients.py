"""Subscribers over real sockets: graphql-transport-ws (websockets) and GraphQL over SSE (httpx).

Each :class:`Subscriber` runs one subscription in a task and keeps what it
received: the ``next`` payloads in order and whether the stream completed.
Closing it drops the connection, as a client that goes away does.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import json
import ssl
from typing import Any

import httpx
from websockets.asyncio.client import connect

from sandbox.server import SandboxThread
from sandbox.settings import SANDBOX_TOKEN
from tests.conftest import CONTROL

WAIT = 20.0
"""Seconds a test waits for an event before it fails (never reached when all is well)."""

STREAM_TIMEOUT = httpx.Timeout(30.0, read=120.0)
"""An event stream may be quiet for a while: its reads wait longer than the rest."""


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every SSE client: making one per client costs ~0.1 s of CPU."""
    return ssl.create_default_context()


JOB_UPDATED = """
subscription Live($id: ID!) {
  jobUpdated(id: $id) { id source state upstreamStatus updatedAt }
}
"""
JOBS_CHANGED = """
subscription Changes($filter: JobFilter) {
  jobsChanged(filter: $filter) { kind previousState job { id source state } }
}
"""


class Subscriber:
    """One subscription over one connection; see the module docstring."""

    transport = ""

    def __init__(
        self,
        url: str,
        query: str,
        variables: dict[str, Any],
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.url = url
        self.headers = headers or {}
        self.query = query
        self.variables = variables
        self.events: list[dict[str, Any]] = []
        self.completed = False
        self.closed_code: int | None = None
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> Subscriber:
        self._task = asyncio.create_task(self._run())
        return self

    async def _run(self) -> None:
        raise NotImplementedError

    def _received(self, payload: dict[str, Any]) -> None:
        self.events.append(payload)
        self._changed.set()

    def _completed(self) -> None:
        self.completed = True
        self._changed.set()

    async def wait_for_events(self, count: int) -> list[dict[str, Any]]:
        """Wait until ``count`` events came (fails after :data:`WAIT` seconds)."""
        async with asyncio.timeout(WAIT):
            while len(self.events) < count:
                if self._task is not None and self._task.done():
                    self._task.result()
                    raise AssertionError(f"the stream ended after {self.events}")
                self._changed.clear()
                await self._changed.wait()
        return self.events

    async def wait_for_complete(self) -> list[dict[str, Any]]:
        """Wait until the stream completed; every event it sent."""
        assert self._task is not None
        async with asyncio.timeout(WAIT):
            await self._task
        assert self.completed, f"the stream ended without complete after {self.events}"
        return self.events

    async def wait_for_failure(self) -> BaseException:
        """Wait until the stream failed (its server went away); what it failed with."""
        assert self._task is not None
        async with asyncio.timeout(WAIT):
            while not self._task.done():
                await asyncio.wait({self._task})
        error = self._task.exception()
        assert error is not None, f"the stream ended without failing after {self.events}"
        return error

    async def close(self) -> None:
        """Drop the connection."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


class WebSocketSubscriber(Subscriber):
    """graphql-transport-ws on ``ws://.../graphql``.

    ``until_closed``: after ``complete``, keep the connection until the server
    closes it (``closed_code`` then says how).
    """

    transport = "websocket"
    until_closed = False

    async def _run(self) -> None:
        ws_url = self.url.replace("http://", "ws://") + "/graphql"
        async with connect(
            ws_url,
            subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
            additional_headers=self.headers,
        ) as ws:
            await ws.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            payload = {"query": self.query, "variables": self.variables}
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
            try:
                async for frame in ws:
                    message = json.loads(frame)
                    if message["type"] == "next":
                        self._received(message["payload"])
                    elif message["type"] == "error":  # refused before it ran: the end too
                        self._received({"errors": message["payload"]})
                        self._completed()
                        return
                    elif message["type"] == "complete":
                        self._completed()
                        if not self.until_closed:
                            return
            finally:
                self.closed_code = ws.close_code


def parse_events(lines: list[str]) -> list[tuple[str, str]]:
    """``(event, data)`` of each complete event in SSE lines (comments skipped)."""
    events: list[tuple[str, str]] = []
    name, data = "message", []
    for line in lines:
        if line == "":
            if data:
                events.append((name, "\n".join(data)))
            name, data = "message", []
        elif line.startswith(":"):
            continue
        else:
            field, _, rest = line.partition(":")
            rest = rest.removeprefix(" ")
            if field == "event":
                name = rest
            elif field == "data":
                data.append(rest)
    return events


class SSESubscriber(Subscriber):
    """GraphQL over SSE: ``POST /graphql`` with ``Accept: text/event-stream``."""

    transport = "sse"
    status: int | None = None
    content_type: str | None = None

    async def _run(self) -> None:
        async with (
            httpx.AsyncClient(base_url=self.url, timeout=STREAM_TIMEOUT, verify=_tls()) as http,
            http.stream(
                "POST",
                "/graphql",
                json={"query": self.query, "variables": self.variables},
                headers={"accept": "text/event-stream", **self.headers},
            ) as response,
        ):
            self.status = response.status_code
            self.content_type = response.headers.get("content-type")
            lines: list[str] = []
            async for line in response.aiter_lines():
                lines.append(line)
                if line != "":
                    continue
                for event, data in parse_events(lines):
                    if event == "next":
                        self._received(json.loads(data))
                    elif event == "complete":
                        self._completed()
                        return
                lines = []


def subscriber(kind: str, url: str, query: str, variables: dict[str, Any]) -> Subscriber:
    """A started subscriber of ``kind`` (``websocket`` or ``sse``)."""
    cls = WebSocketSubscriber if kind == "websocket" else SSESubscriber
    return cls(url, query, variables).start()


def flow_job_id(job_id: str) -> str:
    """The global id of a jobs-store job."""
    return base64.urlsafe_b64encode(f"FlowJob:{job_id}".encode()).decode()


def create_flow_job(sandbox: SandboxThread, title: str, status: str = "InProgress") -> str:
    """A new jobs-store job, pinned to ``status`` (it does not move until told); its ``jobId``."""
    base = sandbox.url("jobstore")
    response = CONTROL.post(
        f"{base}/jobs/v1",
        json={"metadata": {"jobTitle": title}},
        headers={"Authorization": f"Bearer {SANDBOX_TOKEN}"},
    )
    response.raise_for_status()
    job_id: str = response.json()["jobId"]
    set_flow_job_status(sandbox, job_id, status)
    return job_id


def set_flow_job_status(sandbox: SandboxThread, job_id: str, status: str) -> None:
    """Set a jobs-store job's status now (the sandbox's control route)."""
    base = sandbox.url("jobstore")
    CONTROL.put(f"{base}/_sandbox/jobs/{job_id}/status", json={"status": status}).raise_for_status()
