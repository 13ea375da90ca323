"""The ASGI middleware in front of every sandbox upstream.

In order, for each request outside ``/_sandbox/``: count it under its route
template, add the configured latency, check the upstream's credentials, then
inject the configured fault (if any) around the real handler.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

import orjson
from starlette.datastructures import Headers, QueryParams
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.auth import AuthPolicy
from sandbox.faults import FaultMode, FaultPhase, FaultPlan
from sandbox.protocol import TRANSPORT_KEY
from sandbox.stats import RequestStats

ErrorBody = Callable[[int, str], Any]
"""Renders an error in the upstream's own shape: ``(status, message) -> JSON``."""

CONTROL_PREFIX = "/_sandbox/"
PUBLIC_PATHS = frozenset({"/openapi.json"})


class SandboxMiddleware:
    """Counting, latency, authentication and faults for one sandbox upstream."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: Sequence[BaseRoute],
        auth: AuthPolicy,
        error_body: ErrorBody,
        plan: FaultPlan,
        stats: RequestStats,
        unauthorized_headers: dict[str, str] | None = None,
        public_paths: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.routes = list(routes)
        self.auth = auth
        self.error_body = error_body
        self.plan = plan
        self.stats = stats
        self.unauthorized_headers = unauthorized_headers or {}
        self.public_paths = PUBLIC_PATHS | public_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        self.stats.record(
            f"{scope['method']} {self._route_template(scope)}", _traceparent(scope["headers"])
        )
        self.stats.enter()
        try:
            await self._handle(scope, receive, send)
        finally:
            self.stats.leave()

    async def _handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        method: str = scope["method"]
        path: str = scope["path"]

        delay = self.plan.delay_seconds()
        if delay > 0:
            await asyncio.sleep(delay)

        if path not in self.public_paths and not self.auth.allows(
            Headers(scope=scope), QueryParams(scope["query_string"])
        ):
            await self._send_error(
                send,
                401,
                "Authentication credentials were not provided.",
                self.unauthorized_headers,
            )
            return

        fault = self.plan.choose(method, path)
        if fault is FaultMode.NONE:
            await self.app(scope, receive, send)
            return
        before = self.plan.settings.phase is FaultPhase.BEFORE
        if before and fault in (FaultMode.ERROR_500, FaultMode.UNAVAILABLE_503, FaultMode.HANG):
            await self._inject(fault, scope, receive, send, processed=None)
            return
        processed = await self._run_captured(scope, receive)
        await self._inject(fault, scope, receive, send, processed=processed)

    def _route_template(self, scope: Scope) -> str:
        for route in self.routes:
            match, _ = route.matches(scope)
            if match is Match.FULL:
                return str(getattr(route, "path", scope["path"]))
        return str(scope["path"])

    async def _run_captured(self, scope: Scope, receive: Receive) -> list[Message]:
        messages: list[Message] = []

        async def capture(message: Message) -> None:
            messages.append(message)

        await self.app(scope, receive, capture)
        return messages

    async def _inject(
        self,
        fault: FaultMode,
        scope: Scope,
        receive: Receive,
        send: Send,
        processed: list[Message] | None,
    ) -> None:
        settings = self.plan.settings
        if fault is FaultMode.ERROR_500:
            await self._send_error(send, 500, "Internal Server Error")
        elif fault is FaultMode.UNAVAILABLE_503:
            await self._send_error(
                send, 503, "Service Unavailable", {"retry-after": str(settings.retry_after)}
            )
        elif fault is FaultMode.HANG:
            await _wait_for_disconnect(receive, settings.hang_seconds)
        elif fault is FaultMode.DROP:
            transport = scope.get("extensions", {}).get(TRANSPORT_KEY)
            if transport is not None:
                transport.abort()
            else:  # not under the sandbox protocol: the closest thing is a broken answer
                await send({"type": "http.response.start", "status": 200, "headers": []})
                raise ConnectionAbortedError("sandbox dropped the connection")
        elif fault is FaultMode.MALFORMED:
            await self._send_malformed(send, processed or [])

    async def _send_malformed(self, send: Send, processed: list[Message]) -> None:
        status = 200
        body = b""
        for message in processed:
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                body += message.get("body", b"")
        broken = body[: max(1, len(body) // 2)] + b"\x00<!-- truncated"
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(broken)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": broken})

    async def _send_error(
        self, send: Send, status: int, message: str, headers: dict[str, str] | None = None
    ) -> None:
        body = orjson.dumps(self.error_body(status, message))
        raw_headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
        await send({"type": "http.response.start", "status": status, "headers": raw_headers})
        await send({"type": "http.response.body", "body": body})


async def _wait_for_disconnect(receive: Receive, limit: float) -> None:
    async def wait() -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return

    try:
        await asyncio.wait_for(wait(), timeout=limit)
    except TimeoutError:
        return


def _traceparent(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == b"traceparent":
            return value.decode("latin-1")
    return None
