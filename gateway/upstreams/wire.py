"""What an upstream client needs from HTTP: send one request, get status and bytes back.

:class:`~gateway.upstreams.client.UpstreamClient` does everything else itself
(credentials, deadlines, retries, coalescing, breakers, error mapping,
spans, metrics), so all it asks of the layer below is :class:`Wire`: one
``send`` that answers a :class:`WireAnswer` or raises :class:`WireFailure`
saying whether the request timed out, lost its answer or was never sent.

Two wires: :class:`~gateway.upstreams.aiohttp_wire.AiohttpWire`, aiohttp's
connection pool used directly (the default), and :class:`HttpxWire` over an
``httpx.AsyncClient`` (``GATEWAY_HTTP_TRANSPORT=httpcore``, and the unit
tests' in-process ``httpx.MockTransport``). Anything that takes a wire also
takes an ``httpx.AsyncClient`` and wraps it (:func:`wire_of`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

import httpx

QueryValue = str | int | float | bool | None
Query = list[tuple[str, QueryValue]]


class Failure(Enum):
    """What a transport failure says about the request."""

    TIMEOUT = "timeout"
    """No answer in time: the request may or may not have been processed."""
    DROPPED = "dropped"
    """The connection broke after the request was sent: the answer was lost."""
    UNREACHABLE = "unreachable"
    """No connection could be made: the request was never sent."""


class WireFailure(Exception):
    """The request got no HTTP answer; ``failure`` says what that means.

    Raised ``from`` the library's own exception, whose type names the cause
    on a span (its message may name the host or the query string: never shown).
    """

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.value)
        self.failure = failure


@dataclass(frozen=True, slots=True)
class WireAnswer:
    """An HTTP answer: status, the whole body and the one header the client reads."""

    status: int
    content: bytes
    retry_after: str | None = None


class Wire(Protocol):
    """Sends requests to an upstream over pooled connections."""

    async def send(
        self,
        method: str,
        url: str,
        query: Query,
        headers: dict[str, str],
        content: bytes | None = None,
    ) -> WireAnswer:
        """One request to the absolute ``url``, redirects not followed.

        Raises :class:`WireFailure` when no answer came. Its own timeouts
        are per socket operation; the caller bounds the call as a whole.
        """
        ...

    async def aclose(self) -> None:
        """Close the pooled connections."""
        ...


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


class HttpxWire:
    """A :class:`Wire` over an ``httpx.AsyncClient``."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def send(
        self,
        method: str,
        url: str,
        query: Query,
        headers: dict[str, str],
        content: bytes | None = None,
    ) -> WireAnswer:
        try:
            response = await self.http.request(
                method, url, params=query, headers=headers, content=content
            )
        except httpx.TransportError as exc:
            raise WireFailure(classify(exc)) from exc
        return WireAnswer(
            response.status_code, response.content, response.headers.get("retry-after")
        )

    async def aclose(self) -> None:
        await self.http.aclose()


def classify(exc: httpx.TransportError) -> Failure:
    """Whether a failed httpx request timed out, lost its answer, or was never sent."""
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return Failure.UNREACHABLE
    if isinstance(exc, httpx.TimeoutException):
        return Failure.TIMEOUT
    return Failure.DROPPED


def wire_of(http: Wire | httpx.AsyncClient) -> Wire:
    """``http`` itself, or an ``httpx.AsyncClient`` wrapped as a wire."""
    if isinstance(http, httpx.AsyncClient):
        return HttpxWire(http)
    return http
