"""An OAuth2 token endpoint (client credentials) for the jobs store and the operations manager.

``POST <token path>`` takes a form-encoded ``grant_type=client_credentials``
with ``client_id`` and ``client_secret`` in the body (or as HTTP Basic, the
other standard client authentication), checks them against the sandbox
settings and answers ``{access_token, token_type: "Bearer", expires_in}``.
The upstream's auth check (:class:`~sandbox.auth.AuthPolicy`) then accepts
the token as Bearer until it expires; the static sandbox token keeps working
beside it.

Tests steer it through control routes: ``GET``/``PUT /_sandbox/oauth``
(``{"lifetime": seconds}``: how long the next tokens live) and ``POST
/_sandbox/oauth/revoke`` (every token issued so far is refused from now on:
an early expiry, as after a key rotation).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import math
import secrets
import time
from collections.abc import Callable
from urllib.parse import parse_qsl, unquote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.responses import JSONBody
from sandbox.settings import SandboxSettings


class IssuedTokens:
    """The tokens an upstream handed out, each with its expiry."""

    def __init__(self, lifetime: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.lifetime = lifetime
        self.clock = clock
        self._expiry: dict[str, float] = {}

    def __repr__(self) -> str:
        return f"IssuedTokens(lifetime={self.lifetime}, live={len(self._expiry)})"

    def issue(self) -> str:
        """A new token, valid for :attr:`lifetime` seconds from now."""
        now = self.clock()
        self._expiry = {t: at for t, at in self._expiry.items() if at > now}
        token = "sbx-" + secrets.token_urlsafe(24)
        self._expiry[token] = now + self.lifetime
        return token

    def accepts(self, token: str) -> bool:
        """Whether ``token`` was issued here and has not expired or been revoked."""
        expiry = self._expiry.get(token)
        return expiry is not None and self.clock() < expiry

    def live(self) -> list[str]:
        """The tokens still accepted (tests search logs and answers for them)."""
        now = self.clock()
        return [token for token, at in self._expiry.items() if at > now]

    def revoke_all(self) -> int:
        """Refuse every token issued so far; returns how many were live."""
        now = self.clock()
        live = sum(1 for at in self._expiry.values() if at > now)
        self._expiry.clear()
        return live


def _oauth_error(status: int, error: str, description: str) -> Response:
    headers = {"WWW-Authenticate": 'Basic realm="token"'} if status == 401 else None
    return JSONBody(
        {"error": error, "error_description": description}, status_code=status, headers=headers
    )


def _basic_client(request: Request) -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (unquote(client_id), unquote(secret)) if sep else None


def _same(candidate: str, expected: str) -> bool:
    return hmac.compare_digest(candidate.encode(), expected.encode())


def token_route(path: str, settings: SandboxSettings, issued: IssuedTokens) -> Route:
    """``POST path``: the client-credentials grant, checked against ``settings``."""

    async def token(request: Request) -> Response:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            return _oauth_error(400, "invalid_request", "the body must be form-encoded")
        try:
            form = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
        except (UnicodeDecodeError, ValueError):
            return _oauth_error(400, "invalid_request", "the body is not a valid form")
        if form.get("grant_type") != "client_credentials":
            return _oauth_error(
                400, "unsupported_grant_type", "only client_credentials is supported"
            )
        client = _basic_client(request) or (
            form.get("client_id", ""),
            form.get("client_secret", ""),
        )
        client_id, client_secret = client
        if not (
            _same(client_id, settings.client_id) and _same(client_secret, settings.client_secret)
        ):
            return _oauth_error(401, "invalid_client", "client authentication failed")
        answer: dict[str, object] = {
            "access_token": issued.issue(),
            "token_type": "Bearer",
            "expires_in": max(1, math.ceil(issued.lifetime)),
        }
        if form.get("scope"):
            answer["scope"] = form["scope"]
        return JSONBody(answer, headers={"Cache-Control": "no-store"})

    return Route(path, token, methods=["POST"])


def control_routes(issued: IssuedTokens) -> list[Route]:
    """``/_sandbox/oauth`` (token lifetime) and ``/_sandbox/oauth/revoke``."""

    async def lifetime(request: Request) -> Response:
        if request.method == "PUT":
            try:
                payload = JSONBody.parse(await request.body())
                value = payload["lifetime"] if isinstance(payload, dict) else None
                if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                    raise ValueError("lifetime must be a positive number of seconds")
            except (ValueError, KeyError) as exc:
                return JSONBody({"detail": str(exc)}, status_code=400)
            issued.lifetime = float(value)
        return JSONBody({"lifetime": issued.lifetime})

    async def revoke(request: Request) -> Response:
        return JSONBody({"revoked": issued.revoke_all()})

    return [
        Route("/_sandbox/oauth", lifetime, methods=["GET", "PUT"]),
        Route("/_sandbox/oauth/revoke", revoke, methods=["POST"]),
    ]
