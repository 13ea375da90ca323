"""The client-credentials token source, against an in-process token endpoint."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from urllib.parse import parse_qsl

import httpx
import orjson
import pytest

from gateway.config import ClientCredentials
from gateway.errors import UpstreamBadResponse, UpstreamUnauthenticated, UpstreamUnavailable
from gateway.upstream_names import Upstream
from gateway.upstreams.oauth_tokens import ClientCredentialsTokens

SECRET = "client-secret-4c1d"
CREDENTIALS = ClientCredentials(
    token_url="https://accounts.example.test/connect/token",
    client_id="gateway",
    client_secret=SECRET,
    scope="jobs.read",
)


class TokenEndpoint:
    """Counts token requests; each answer waits for ``release`` so callers overlap."""

    def __init__(self, *, status: int = 200, expires_in: int = 100) -> None:
        self.status = status
        self.expires_in = expires_in
        self.forms: list[dict[str, str]] = []
        self.release = asyncio.Event()
        self.release.set()

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.forms.append(dict(parse_qsl(request.content.decode())))
        await self.release.wait()
        if self.status != 200:
            body = {"error": "invalid_client", "error_description": f"bad secret {SECRET}"}
            return httpx.Response(self.status, content=orjson.dumps(body))
        answer = {
            "access_token": f"tok-{len(self.forms)}",
            "token_type": "Bearer",
            "expires_in": self.expires_in,
        }
        return httpx.Response(200, content=orjson.dumps(answer))


def _tokens(
    endpoint: TokenEndpoint, clock: Callable[[], float] = lambda: 0.0
) -> ClientCredentialsTokens:
    http = httpx.AsyncClient(transport=httpx.MockTransport(endpoint))
    return ClientCredentialsTokens(Upstream.JOBSTORE, CREDENTIALS, http, timeout=5, clock=clock)


async def test_many_callers_at_once_cause_one_token_request() -> None:
    endpoint = TokenEndpoint()
    endpoint.release.clear()
    tokens = _tokens(endpoint)
    waiting = [asyncio.ensure_future(tokens.authorization()) for _ in range(10)]
    await asyncio.sleep(0.01)
    endpoint.release.set()
    assert await asyncio.gather(*waiting) == ["Bearer tok-1"] * 10
    assert len(endpoint.forms) == 1
    assert endpoint.forms[0] == {
        "grant_type": "client_credentials",
        "client_id": "gateway",
        "client_secret": SECRET,
        "scope": "jobs.read",
    }


async def test_the_token_is_fetched_again_at_80_percent_of_its_lifetime() -> None:
    now = [0.0]
    endpoint = TokenEndpoint(expires_in=100)
    tokens = _tokens(endpoint, clock=lambda: now[0])
    assert await tokens.authorization() == "Bearer tok-1"
    now[0] = 79.9
    assert await tokens.authorization() == "Bearer tok-1"
    now[0] = 80.0
    assert await tokens.authorization() == "Bearer tok-2"
    assert len(endpoint.forms) == 2


async def test_a_failed_early_refresh_keeps_the_old_token_until_it_expires() -> None:
    now = [0.0]
    endpoint = TokenEndpoint(expires_in=100)
    tokens = _tokens(endpoint, clock=lambda: now[0])
    assert await tokens.authorization() == "Bearer tok-1"
    endpoint.status = 503
    now[0] = 90.0
    assert await tokens.authorization() == "Bearer tok-1"
    assert len(endpoint.forms) == 2  # it did try
    now[0] = 100.0
    with pytest.raises(UpstreamUnavailable):
        await tokens.authorization()
    # A token the upstream refused is not kept as a fallback either.
    endpoint.status = 200
    now[0] = 200.0
    refused = await tokens.authorization()
    endpoint.status = 503
    with pytest.raises(UpstreamUnavailable):
        await tokens.refresh(refused)


async def test_a_refused_token_is_replaced_once_for_all_who_saw_it_refused() -> None:
    endpoint = TokenEndpoint()
    tokens = _tokens(endpoint)
    rejected = await tokens.authorization()
    endpoint.release.clear()
    refreshes = [asyncio.ensure_future(tokens.refresh(rejected)) for _ in range(5)]
    await asyncio.sleep(0.01)
    endpoint.release.set()
    assert await asyncio.gather(*refreshes) == ["Bearer tok-2"] * 5
    # A late caller with the old token gets the new one without another fetch.
    assert await tokens.refresh(rejected) == "Bearer tok-2"
    assert len(endpoint.forms) == 2


async def test_forget_makes_the_next_call_fetch() -> None:
    endpoint = TokenEndpoint()
    tokens = _tokens(endpoint)
    first = await tokens.authorization()
    tokens.forget("Bearer some-other-token")
    assert await tokens.authorization() == first
    tokens.forget(first)
    assert await tokens.authorization() == "Bearer tok-2"


async def test_refused_client_credentials_are_unauthenticated_without_the_secret() -> None:
    endpoint = TokenEndpoint(status=401)
    endpoint.release.clear()
    tokens = _tokens(endpoint)
    waiting = [asyncio.ensure_future(tokens.authorization()) for _ in range(3)]
    await asyncio.sleep(0.01)
    endpoint.release.set()
    results = await asyncio.gather(*waiting, return_exceptions=True)
    assert len(endpoint.forms) == 1  # the callers shared the one failed attempt
    error = results[0]
    assert isinstance(error, UpstreamUnauthenticated)
    assert all(r is error for r in results)
    assert "(invalid_client)" in error.message
    assert "GATEWAY_JOBSTORE_CLIENT_SECRET" in error.message
    assert SECRET not in error.message
    assert SECRET not in repr(tokens)
    # A failure is not cached: the next call asks again.
    endpoint.status = 200
    assert await tokens.authorization() == "Bearer tok-2"


@pytest.mark.parametrize(
    ("status", "content", "error"),
    [
        (503, b"", UpstreamUnavailable),
        (200, b'{"token_type": "Bearer"}', UpstreamBadResponse),
        (200, b'{"access_token": "a\\nb"}', UpstreamBadResponse),
        (200, b'{"access_token": "x", "token_type": "mac"}', UpstreamBadResponse),
    ],
)
async def test_unusable_answers_are_errors(
    status: int, content: bytes, error: type[Exception]
) -> None:
    async def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=content)

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    tokens = ClientCredentialsTokens(Upstream.OPSMANAGER, CREDENTIALS, http, timeout=5)
    with pytest.raises(error) as excinfo:
        await tokens.authorization()
    assert "the opsmanager token endpoint" in str(excinfo.value)
