"""The default :class:`~gateway.upstreams.wire.Wire`: aiohttp's connection pool, used directly.

Until this module the gateway sent through httpx with aiohttp underneath
(``httpx-aiohttp``). httpx's client layers (request and URL objects, cookies,
auth and redirect hooks, the response stream) cost more CPU than aiohttp's
whole round trip: about 690 against 230 microseconds per GET of one object,
measured in process one GET at a time against the sandbox at 0 ms latency on
a busy 2-core machine. The upstream client needs none of those layers, so it
talks to aiohttp here; ``bench.request_cpu`` shows what that did per request.

Kept as before: the pool size (``GATEWAY_<UP>_MAX_CONNECTIONS``), 30 s
keep-alive, connect within ``min(timeout, 5)`` seconds, each socket read
within the upstream's timeout (the client bounds the whole call), httpx's
CA bundle for TLS, no proxy from the environment, no redirects followed.
No cookie jar: an upstream's cookies are never sent back (the gateway calls
for many callers; a cookie would carry one caller's session to another).
"""

from __future__ import annotations

import aiohttp
import httpx

from gateway.config import UpstreamSettings
from gateway.upstreams.wire import Failure, Query, QueryValue, WireAnswer, WireFailure

_HEADERS = {"Accept": "application/json", "User-Agent": "jobs-gateway"}


class AiohttpWire:
    """One upstream's pooled connections; the session is opened on first use, in the loop."""

    def __init__(self, settings: UpstreamSettings) -> None:
        self.settings = settings
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        timeout = self.settings.timeout
        connector = aiohttp.TCPConnector(
            limit=self.settings.max_connections,
            limit_per_host=0,
            keepalive_timeout=30.0,
            ssl=httpx.create_ssl_context(trust_env=False),
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(
                total=None, connect=timeout, sock_connect=min(timeout, 5.0), sock_read=timeout
            ),
            headers=_HEADERS,
            cookie_jar=aiohttp.DummyCookieJar(),
            trust_env=False,
        )
        return self._session

    async def send(
        self,
        method: str,
        url: str,
        query: Query,
        headers: dict[str, str],
        content: bytes | None = None,
    ) -> WireAnswer:
        session = self._session or self._open()
        try:
            response = await session.request(
                method,
                url,
                params=[(name, _text(value)) for name, value in query] if query else None,
                headers=headers,
                data=content,
                allow_redirects=False,
            )
            try:
                body = await response.read()
            finally:
                response.release()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise WireFailure(failure_of(exc)) from exc
        return WireAnswer(response.status, body, response.headers.get("Retry-After"))

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()


def failure_of(exc: BaseException) -> Failure:
    """What an aiohttp failure means: never sent, timed out, or the answer lost."""
    if isinstance(
        exc,
        aiohttp.ClientConnectorError | aiohttp.InvalidURL | aiohttp.NonHttpUrlClientError,
    ):
        return Failure.UNREACHABLE
    if isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError):
        return Failure.DROPPED
    if isinstance(exc, TimeoutError):  # aiohttp's connect and read timeouts among them
        return Failure.TIMEOUT
    # A reset connection, a malformed answer: the request may have been sent.
    return Failure.DROPPED


def _text(value: QueryValue) -> str | int | float:
    """A query value as httpx writes it: ``true``/``false`` for booleans, ``None`` empty."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return value
