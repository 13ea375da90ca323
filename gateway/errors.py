"""Errors of the gateway, and how they appear to GraphQL clients.

The hierarchy::

    GatewayError                    code
    ├── BadUserInput                BAD_USER_INPUT (the caller's argument is wrong)
    ├── NotFound                    NOT_FOUND (what the caller named does not exist)
    └── UpstreamError               (an upstream call failed; carries upstream, request, status)
        ├── UpstreamUnavailable     UPSTREAM_UNAVAILABLE (dropped, 5xx, circuit open)
        │   └── UpstreamUnreachable UPSTREAM_UNAVAILABLE (never sent: no connection, circuit open)
        │       ├── UpstreamDeadlinePassed  UPSTREAM_TIMEOUT (never sent: the request's time is up)
        │       └── UpstreamBudgetExceeded  UPSTREAM_BUDGET_EXCEEDED (never sent: calls spent)
        ├── UpstreamTimeout         UPSTREAM_TIMEOUT (sent; no whole answer in time)
        ├── UpstreamBadResponse     UPSTREAM_BAD_RESPONSE (not JSON, or not the documented shape)
        ├── UpstreamUnauthenticated UNAUTHENTICATED (401)
        ├── UpstreamForbidden       FORBIDDEN (403)
        ├── UpstreamNotFound        NOT_FOUND (404)
        ├── UpstreamRejected        UPSTREAM_REJECTED (other 4xx; field errors kept)
        └── OutcomeUnknown          OUTCOME_UNKNOWN (a create whose answer was lost)

:func:`graphql_extensions` renders one as ``extensions``: ``code``,
``upstream``, ``request {method, path}`` and ``response {status}`` in the
shape GraphQL Mesh uses. The path never includes the query string (the
operations manager may carry a token there) and messages never include
upstream bodies verbatim, hosts or credentials.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gateway.upstream_names import Upstream


class GatewayError(Exception):
    """Base of every error the gateway reports on purpose."""

    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def extensions(self) -> dict[str, Any]:
        """The GraphQL ``extensions`` of this error."""
        return {"code": self.code}


class BadUserInput(GatewayError):
    """An argument the caller can fix."""

    code = "BAD_USER_INPUT"

    def __init__(self, message: str, *, argument: str | None = None) -> None:
        super().__init__(message)
        self.argument = argument

    def extensions(self) -> dict[str, Any]:
        ext = super().extensions()
        if self.argument is not None:
            ext["argument"] = self.argument
        return ext


class NotFound(GatewayError):
    """The object the caller named does not exist (a subscription's job, say)."""

    code = "NOT_FOUND"


@dataclass(frozen=True, slots=True)
class UpstreamRequest:
    """What was asked of an upstream, safe to show: method and path only."""

    upstream: Upstream
    method: str
    path: str


class UpstreamError(GatewayError):
    """An upstream call failed."""

    code = "UPSTREAM_ERROR"

    def __init__(
        self,
        message: str,
        *,
        request: UpstreamRequest,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.request = request
        self.status = status
        self.retry_after = retry_after

    @property
    def upstream(self) -> Upstream:
        """Which upstream failed."""
        return self.request.upstream

    def extensions(self) -> dict[str, Any]:
        ext: dict[str, Any] = {
            "code": self.code,
            "upstream": self.request.upstream.value,
            "request": {"method": self.request.method, "path": self.request.path},
        }
        if self.status is not None:
            ext["response"] = {"status": self.status}
        if self.retry_after is not None:
            ext["retryAfter"] = self.retry_after
        return ext


class UpstreamUnavailable(UpstreamError):
    """The upstream could not be reached or answered 5xx."""

    code = "UPSTREAM_UNAVAILABLE"


class UpstreamUnreachable(UpstreamUnavailable):
    """No connection could be made: the request was certainly not processed."""


class UpstreamDeadlinePassed(UpstreamUnreachable):
    """The GraphQL request's deadline passed before this call was sent."""

    code = "UPSTREAM_TIMEOUT"


class UpstreamBudgetExceeded(UpstreamUnreachable):
    """The GraphQL request spent its upstream-call budget; this call was not sent."""

    code = "UPSTREAM_BUDGET_EXCEEDED"


class UpstreamTimeout(UpstreamError):
    """The upstream did not answer in time."""

    code = "UPSTREAM_TIMEOUT"


class RequestDeadlineCut(UpstreamTimeout):
    """The GraphQL request's deadline cut this call short; the upstream was not at fault."""


class UpstreamBadResponse(UpstreamError):
    """The upstream answered something that is not what its API documents."""

    code = "UPSTREAM_BAD_RESPONSE"


class UpstreamUnauthenticated(UpstreamError):
    """The upstream refused the credential (401)."""

    code = "UNAUTHENTICATED"


class UpstreamForbidden(UpstreamError):
    """The upstream denied the action (403)."""

    code = "FORBIDDEN"


class UpstreamNotFound(UpstreamError):
    """The upstream has no such object (404)."""

    code = "NOT_FOUND"


class UpstreamRejected(UpstreamError):
    """The upstream rejected the request as invalid (4xx other than the above).

    ``field_errors`` holds per-field messages where the upstream gives them
    (AWX's ``{"field": ["message"]}``), for mutations to turn into ``userErrors``.
    """

    code = "UPSTREAM_REJECTED"

    def __init__(
        self,
        message: str,
        *,
        request: UpstreamRequest,
        status: int | None = None,
        field_errors: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message, request=request, status=status)
        self.field_errors = field_errors or {}


class OutcomeUnknown(UpstreamError):
    """A create was sent but its answer was lost, and no lookup could settle it.

    ``identity`` is what the caller needs to check by hand: the upstream's
    request identity (names and values the caller chose or the gateway sent).
    """

    code = "OUTCOME_UNKNOWN"

    def __init__(self, message: str, *, request: UpstreamRequest, identity: dict[str, Any]) -> None:
        super().__init__(message, request=request)
        self.identity = identity

    def extensions(self) -> dict[str, Any]:
        ext = super().extensions()
        ext["identity"] = self.identity
        return ext
