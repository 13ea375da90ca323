"""Each sandbox upstream's own way of checking credentials."""

from __future__ import annotations

import base64
import binascii
import hmac
from dataclasses import dataclass, field

from starlette.datastructures import Headers, QueryParams

from sandbox.token_endpoint import IssuedTokens


@dataclass(frozen=True, slots=True)
class AuthPolicy:
    """Which credential styles an upstream accepts, all checked against one token.

    Basic auth accepts any user name whose password is the token. ``issued``:
    the tokens of the upstream's OAuth2 token endpoint, accepted as Bearer
    until they expire.
    """

    token: str
    bearer: bool = True
    basic: bool = False
    query_token: bool = False
    cookie_token: bool = False
    issued: IssuedTokens | None = field(default=None, compare=False)

    def allows(self, headers: Headers, query: QueryParams) -> bool:
        """Whether the request carries an accepted credential."""
        authorization = headers.get("authorization", "")
        scheme, _, value = authorization.partition(" ")
        scheme = scheme.lower()
        if self.bearer and scheme == "bearer":
            token = value.strip()
            if self._same(token) or (self.issued is not None and self.issued.accepts(token)):
                return True
        if self.basic and scheme == "basic" and self._basic_ok(value.strip()):
            return True
        if self.query_token and self._same(query.get("token", "")):
            return True
        if self.cookie_token:
            for part in headers.get("cookie", "").split(";"):
                name, _, cookie_value = part.strip().partition("=")
                if name == "token" and self._same(cookie_value):
                    return True
        return False

    def _same(self, candidate: str) -> bool:
        return bool(candidate) and hmac.compare_digest(candidate.encode(), self.token.encode())

    def _basic_ok(self, encoded: str) -> bool:
        try:
            decoded = base64.b64decode(encoded, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return False
        _, sep, password = decoded.partition(":")
        return bool(sep) and self._same(password)
