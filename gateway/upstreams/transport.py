"""The HTTP transport under every upstream client, and what its failures mean.

The gateway speaks httpx everywhere, but by default sends through aiohttp's
connection pool (``httpx-aiohttp``'s ``AiohttpTransport``): on the sandbox,
a burst of ten concurrent GETs costs about 15 ms of client time with
httpcore's pool and about 7 ms through aiohttp (figures in bench/). The
httpcore transport stays one setting away (``GATEWAY_HTTP_TRANSPORT=httpcore``).

``httpx-aiohttp`` maps aiohttp's exceptions onto httpx's coarsely (a
connection the server dropped reads as ``ConnectTimeout``), and whether an
answer was lost or never asked for matters to creates, so
:func:`classify` looks at the original exception first.
"""

from __future__ import annotations

import asyncio
import logging
from enum import Enum

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport

from gateway.config import UpstreamSettings


class DropQueryStrings(logging.Filter):
    """Strips the query string off every URL httpx logs.

    httpx logs each request's full URL at INFO, and with
    ``GATEWAY_OPSMANAGER_TOKEN_IN_QUERY`` the service token is in it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(isinstance(a, httpx.URL) for a in record.args):
            record.args = tuple(
                a.copy_with(query=None) if isinstance(a, httpx.URL) else a for a in record.args
            )
        return True


logging.getLogger("httpx").addFilter(DropQueryStrings())


class Failure(Enum):
    """What a transport failure says about the request."""

    TIMEOUT = "timeout"
    """No answer in time: the request may or may not have been processed."""
    DROPPED = "dropped"
    """The connection broke after the request was sent: the answer was lost."""
    UNREACHABLE = "unreachable"
    """No connection could be made: the request was never sent."""


def build_http_client(
    settings: UpstreamSettings, *, transport: str = "aiohttp"
) -> httpx.AsyncClient:
    """The pooled client of one upstream; created once, in the app's lifespan."""
    limits = httpx.Limits(
        max_connections=settings.max_connections,
        max_keepalive_connections=settings.max_connections,
        keepalive_expiry=30.0,
    )
    return httpx.AsyncClient(
        base_url=settings.url,
        timeout=httpx.Timeout(settings.timeout, connect=min(settings.timeout, 5.0)),
        limits=limits,
        transport=AiohttpTransport(limits=limits, trust_env=False)
        if transport == "aiohttp"
        else None,
        headers={"Accept": "application/json", "User-Agent": "jobs-gateway"},
        follow_redirects=False,
        trust_env=False,
    )


def classify(exc: httpx.TransportError) -> Failure:
    """Whether a failed request timed out, lost its answer, or was never sent."""
    cause = exc.__cause__
    if isinstance(cause, aiohttp.ClientConnectorError):
        return Failure.UNREACHABLE
    if isinstance(cause, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError):
        return Failure.DROPPED
    if isinstance(cause, aiohttp.ServerTimeoutError | asyncio.TimeoutError | TimeoutError):
        return Failure.TIMEOUT
    if isinstance(cause, aiohttp.ClientOSError | aiohttp.ClientConnectionError):
        return Failure.DROPPED
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return Failure.UNREACHABLE
    if isinstance(exc, httpx.TimeoutException):
        return Failure.TIMEOUT
    return Failure.DROPPED
