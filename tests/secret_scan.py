"""A suite-wide secret scan: no credential reaches what the gateway logs or answers.

For the whole pytest session (:func:`start` at session start, :func:`finish`
at its end, both called from ``tests/conftest.py``):

- every log record of a ``gateway``, ``uvicorn`` or ``httpx`` logger is kept,
  formatted as the gateway formats it (JSON, extras and tracebacks included),
  except the sandbox's own (its uvicorn servers run on the thread named
  ``sandbox``); records are taken in :meth:`logging.Logger.callHandlers`, not
  by a root handler, because uvicorn's loggers do not propagate to the root
  and the CLI's tests replace the root's handlers;
- every response body the tests' gateway clients receive
  (:class:`tests.e2e.conftest.GatewayClient`, through :func:`response_hooks`)
  is kept with its request line;
- the credentials are collected as they appear: every token, password (and
  its basic-auth header) and OAuth client secret an
  :class:`~gateway.config.UpstreamSettings` is made with, every Bearer token
  the tests' gateway clients send (forwarded credentials), and every access
  token the sandbox's token endpoints issue.

At the end every kept text is searched for every credential of at least
:data:`MIN_SECRET_LENGTH` characters (shorter test values such as ``"pw"``
would match ordinary words); a hit is printed with the credential's kind, a
masked form of it and where it was found, and fails the run.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx

from gateway.config import UpstreamSettings
from gateway.observability.request_log import JsonFormatter
from sandbox.token_endpoint import IssuedTokens

MIN_SECRET_LENGTH = 8
"""Shorter credentials are not searched for."""
LOGGER_PREFIXES = ("gateway", "uvicorn", "httpx")
SANDBOX_THREAD = "sandbox"


@dataclass(frozen=True, slots=True)
class Capture:
    """One text the gateway produced, and where: a logger name or a request line."""

    where: str
    text: str


@dataclass(frozen=True, slots=True)
class Hit:
    """A credential found in a capture."""

    kind: str
    masked: str
    where: str


def mask(secret: str) -> str:
    """Enough of ``secret`` to tell which it is, never the whole of it."""
    return f"{secret[:3]}…({len(secret)} chars)"


def scan(captures: Iterable[Capture], secrets: dict[str, str]) -> list[Hit]:
    """Every (credential, capture) pair where the capture's text contains the credential.

    ``secrets`` maps each credential to its kind; those shorter than
    :data:`MIN_SECRET_LENGTH` are skipped.
    """
    wanted = {s: kind for s, kind in secrets.items() if len(s) >= MIN_SECRET_LENGTH}
    hits: list[Hit] = []
    for capture in captures:
        for secret, kind in wanted.items():
            if secret in capture.text:
                hits.append(Hit(kind, mask(secret), capture.where))
    return hits


@dataclass(slots=True)
class SecretScan:
    """What the session captured and the credentials it saw."""

    captures: list[Capture] = field(default_factory=list)
    secrets: dict[str, str] = field(default_factory=dict)
    formatter: logging.Formatter = field(default_factory=JsonFormatter)

    def secret(self, value: str | None, kind: str) -> None:
        """Remember a credential (the first kind it was seen as)."""
        if value:
            self.secrets.setdefault(value, kind)

    def settings(self, upstream: UpstreamSettings) -> None:
        """The credentials an upstream is configured with."""
        self.secret(upstream.token, "token")
        self.secret(upstream.password, "password")
        if upstream.username is not None and upstream.password:
            pair = f"{upstream.username}:{upstream.password}".encode()
            self.secret(base64.b64encode(pair).decode(), "password (basic auth header)")
        if upstream.client_credentials is not None:
            self.secret(upstream.client_credentials.client_secret, "OAuth client secret")

    def record(self, record: logging.LogRecord) -> None:
        """Keep a gateway log record, formatted (not the sandbox's)."""
        if not record.name.startswith(LOGGER_PREFIXES) or record.threadName == SANDBOX_THREAD:
            return
        try:
            text = self.formatter.format(record)
        except Exception:  # a bad record must not break the test it is in
            text = f"{record.msg!r} {record.args!r}"
        self.captures.append(Capture(f"log {record.name}", text))

    def request(self, request: httpx.Request) -> None:
        """A request to the gateway: its Bearer credential is a forwarded secret."""
        authorization = request.headers.get("authorization", "")
        scheme, _, credential = authorization.partition(" ")
        if scheme.lower() == "bearer":
            self.secret(credential.strip(), "forwarded token")

    def response(self, response: httpx.Response) -> None:
        """Keep the body of an answer of the gateway."""
        response.read()
        request = response.request
        where = f"answer {request.method} {request.url.path}"
        self.captures.append(Capture(where, response.text))
        for name, value in response.headers.items():
            self.captures.append(Capture(f"{where} header {name}", value))

    def hits(self) -> list[Hit]:
        """The credentials found in what was captured."""
        return scan(self.captures, self.secrets)


SESSION = SecretScan()
"""The scan of this pytest session."""

_patched: list[tuple[Any, str, Any]] = []


def response_hooks() -> dict[str, list[Callable[[Any], None]]]:
    """``event_hooks`` for an :class:`httpx.Client` talking to a gateway."""
    return {"request": [SESSION.request], "response": [SESSION.response]}


def _patch(owner: Any, name: str, replacement: Any) -> None:
    _patched.append((owner, name, getattr(owner, name)))
    setattr(owner, name, replacement)


def start() -> None:
    """Start capturing: log records, configured credentials, issued access tokens."""
    call_handlers = logging.Logger.callHandlers

    def capturing(self: logging.Logger, record: logging.LogRecord) -> None:
        SESSION.record(record)
        call_handlers(self, record)

    _patch(logging.Logger, "callHandlers", capturing)
    root = logging.getLogger()
    _patched.append((root, "level", root.level))
    root.setLevel(logging.DEBUG)

    init = UpstreamSettings.__init__

    def remembering(self: UpstreamSettings, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        SESSION.settings(self)

    _patch(UpstreamSettings, "__init__", remembering)
    issue = IssuedTokens.issue

    def issuing(self: IssuedTokens) -> str:
        token = issue(self)
        SESSION.secret(token, "access token")
        return token

    _patch(IssuedTokens, "issue", issuing)


def finish() -> list[Hit]:
    """Stop capturing; the credentials found."""
    while _patched:
        owner, name, original = _patched.pop()
        if isinstance(owner, logging.Logger) and name == "level":
            owner.setLevel(original)
        else:
            setattr(owner, name, original)
    return SESSION.hits()
