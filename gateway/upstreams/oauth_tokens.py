"""OAuth2 client-credentials tokens for one upstream: fetched, cached, refreshed.

The jobs store (``POST <accounts>/connect/token``) and the operations manager
(``POST /oauth/token``) hand out short-lived Bearer tokens for a client id and
secret. :class:`ClientCredentialsTokens` keeps one token per upstream:

- fetched on first use (form-encoded ``grant_type=client_credentials``, the
  client id and secret in the body, ``scope`` if set), through the upstream's
  own pooled connections (its :class:`~gateway.upstreams.wire.Wire`) and
  within its timeout;
- reused until 80% of its ``expires_in`` has passed (3600 s assumed when the
  answer leaves it out), then fetched again before the upstream would refuse it;
  if that early fetch fails, the old token serves until it really expires;
- single-flight: however many calls need a token at once, one request goes to
  the token endpoint and they all share its outcome (a token, or the error);
- :meth:`ClientCredentialsTokens.refresh` forces a new token after the
  upstream refused one with 401, but only if the refused token is still the
  current one, so many calls refused at once cause one fetch.

Why not authlib's ``AsyncOAuth2Client``: it *is* an ``httpx.AsyncClient`` that
signs every request it sends with its one token. The gateway picks the
credential per call (its own, or the caller's in ``forward`` mode; coalescing
keys on it), bounds every call by the GraphQL request's deadline, maps every
failure onto :mod:`gateway.errors`, and needs a forced refresh on 401, which
authlib leaves to the caller; authlib's expiry check is a fixed leeway (60 s,
which is longer than a test token lives) and it ships no type hints for mypy
strict. What is left once those are set aside, one form POST and a cache, is
this module.

The client secret and the tokens never appear in a log record, an error or a
repr: errors name the settings to check and at most the endpoint's standard
OAuth ``error`` code.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

import httpx
import orjson

from gateway.config import ClientCredentials
from gateway.errors import (
    UpstreamBadResponse,
    UpstreamError,
    UpstreamRequest,
    UpstreamTimeout,
    UpstreamUnauthenticated,
    UpstreamUnavailable,
    UpstreamUnreachable,
)
from gateway.upstream_names import Upstream
from gateway.upstreams.observer import UpstreamObserver
from gateway.upstreams.wire import Wire, WireFailure, wire_of

logger = logging.getLogger("gateway.upstreams.oauth")

REFRESH_AT = 0.8
"""Share of a token's lifetime after which the next call fetches a new one."""
DEFAULT_EXPIRES_IN = 3600.0
"""Lifetime assumed when the token endpoint does not say (the jobs store's documented one)."""
_OAUTH_ERROR_CODE = re.compile(r"^[a-z_]{1,40}$")
_FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True, slots=True)
class _Token:
    authorization: str = field(repr=False)
    refresh_after: float
    """``time.monotonic()`` after which the token is fetched again."""
    expires_at: float
    """``time.monotonic()`` when the token endpoint said it stops working."""


class ClientCredentialsTokens:
    """The current Bearer token of one upstream (see the module docstring)."""

    def __init__(
        self,
        upstream: Upstream,
        credentials: ClientCredentials,
        http: Wire | httpx.AsyncClient,
        *,
        timeout: float,
        observer: UpstreamObserver | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.upstream = upstream
        self.credentials = credentials
        self.wire = wire_of(http)
        self.timeout = timeout
        self.observer = observer or UpstreamObserver()
        self.clock = clock
        self.route = urlsplit(credentials.token_url).path or "/"
        self._current: _Token | None = None
        self._fetching: asyncio.Future[_Token] | None = None

    def __repr__(self) -> str:
        client_id = self.credentials.client_id
        return f"ClientCredentialsTokens({self.upstream.value}, client_id={client_id!r})"

    async def authorization(self) -> str:
        """``Bearer <token>``: the cached one while fresh, else a new one (single-flight)."""
        current = self._current
        if current is not None and self.clock() < current.refresh_after:
            return current.authorization
        try:
            return await self._fetch_once()
        except UpstreamError:
            if (
                current is None
                or self.clock() >= current.expires_at
                or current is not self._current
            ):
                raise
            logger.warning(
                "could not refresh the %s access token; the current one serves until it expires",
                self.upstream.value,
            )
            return current.authorization

    async def refresh(self, rejected: str) -> str:
        """A new token after the upstream refused ``rejected`` (one fetch for many callers)."""
        current = self._current
        if current is not None and current.authorization != rejected:
            return current.authorization  # someone already replaced it
        self.forget(rejected)
        return await self._fetch_once()

    def forget(self, rejected: str) -> None:
        """Drop ``rejected`` if it is still the current token: the next call fetches anew."""
        if self._current is not None and self._current.authorization == rejected:
            self._current = None

    async def _fetch_once(self) -> str:
        fetching = self._fetching
        if fetching is None:
            fetching = self._fetching = asyncio.ensure_future(self._fetch())
            fetching.add_done_callback(self._fetched)
        # shield: a caller whose own deadline passes leaves the fetch to the others.
        token = await asyncio.shield(fetching)
        return token.authorization

    def _fetched(self, done: asyncio.Future[_Token]) -> None:
        self._fetching = None
        if not done.cancelled() and done.exception() is None:
            self._current = done.result()

    def _request(self) -> UpstreamRequest:
        return UpstreamRequest(self.upstream, "POST", self.route)

    def _settings_hint(self) -> str:
        prefix = f"GATEWAY_{self.upstream.value.upper()}_"
        return f"check {prefix}CLIENT_ID, {prefix}CLIENT_SECRET and {prefix}TOKEN_URL"

    async def _fetch(self) -> _Token:
        form = {
            "grant_type": "client_credentials",
            "client_id": self.credentials.client_id,
            "client_secret": self.credentials.client_secret,
        }
        if self.credentials.scope:
            form["scope"] = self.credentials.scope
        name = self.upstream.value
        request = self._request()
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.timeout):
                response = await self.wire.send(
                    "POST",
                    self.credentials.token_url,
                    [],
                    {"Accept": "application/json", "Content-Type": _FORM},
                    urlencode(form).encode("ascii"),
                )
        except TimeoutError:
            self._report("timeout", started)
            raise UpstreamTimeout(
                f"the {name} token endpoint did not answer in time", request=request
            ) from None
        except WireFailure:
            self._report("error", started)
            raise UpstreamUnreachable(
                f"the {name} token endpoint could not be reached", request=request
            ) from None
        status = response.status
        self._report(f"{status // 100}xx", started)
        body = _json(response.content)
        if status >= 500:
            raise UpstreamUnavailable(
                f"the {name} token endpoint failed (HTTP {status})", request=request, status=status
            )
        if status >= 400:
            raise self._refused(status, body)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(body, dict) or not isinstance(token, str) or not _printable(token):
            raise UpstreamBadResponse(
                f"the {name} token endpoint answered without an access_token",
                request=request,
                status=status,
            )
        token_type = body.get("token_type", "Bearer")
        if not isinstance(token_type, str) or token_type.lower() != "bearer":
            raise UpstreamBadResponse(
                f"the {name} token endpoint answered a token type other than Bearer",
                request=request,
                status=status,
            )
        expires_in = _seconds(body.get("expires_in"))
        logger.info("fetched an access token for %s, valid %.0f s", name, expires_in)
        now = self.clock()
        return _Token(
            authorization=f"Bearer {token}",
            refresh_after=now + expires_in * REFRESH_AT,
            expires_at=now + expires_in,
        )

    def _refused(self, status: int, body: object) -> UpstreamError:
        code = body.get("error") if isinstance(body, dict) else None
        reason = f" ({code})" if isinstance(code, str) and _OAUTH_ERROR_CODE.match(code) else ""
        logger.warning(
            "the %s token endpoint refused the client credentials (HTTP %d)%s",
            self.upstream.value,
            status,
            reason,
        )
        return UpstreamUnauthenticated(
            f"the {self.upstream.value} token endpoint refused the gateway's client"
            f" credentials (HTTP {status}){reason}; {self._settings_hint()}",
            request=self._request(),
            status=401,
        )

    def _report(self, outcome: str, started: float) -> None:
        self.observer.answered(
            self.upstream.value, "POST", self.route, outcome, time.perf_counter() - started
        )


def _json(content: bytes) -> object:
    try:
        return orjson.loads(content) if content else None
    except orjson.JSONDecodeError:
        return None


def _printable(token: str) -> bool:
    """Whether the token can go into a header as it is (ASCII, no control characters)."""
    return bool(token) and token.isascii() and token.isprintable()


def _seconds(raw: object) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or raw <= 0:
        return DEFAULT_EXPIRES_IN
    return float(raw)
