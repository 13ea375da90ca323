"""Telling a create that failed from a create whose answer was lost.

A POST is never retried (:meth:`gateway.upstreams.client.UpstreamClient.post`):
resending a create whose answer was lost would make a second job. So when a
POST fails, each mutation first asks :func:`answer_lost` whether the upstream
may have done the work:

- not sent at all (:class:`~gateway.errors.UpstreamUnreachable`: no
  connection; or the circuit breaker was open): nothing happened, the plain
  error is the truth;
- sent, and then no usable answer (timeout, connection dropped mid-answer, a
  5xx, an answer that is not the documented JSON): the job may exist.

The jobs store can then settle it by looking the ``clientJobId`` up; the
operations manager and AWX have no request identity to look up, so the caller
gets :func:`outcome_unknown` with what it needs to check by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from gateway.coerce import iso_utc
from gateway.errors import (
    OutcomeUnknown,
    UpstreamBadResponse,
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnavailable,
    UpstreamUnreachable,
)


def answer_lost(exc: UpstreamError) -> bool:
    """Whether a failed POST may nevertheless have been carried out upstream.

    ``UpstreamUnreachable`` (no connection, or the circuit breaker refused)
    means nothing was sent; any other unavailability (a dropped connection, a
    5xx) came after the request had gone out.
    """
    if isinstance(exc, UpstreamUnreachable):
        return False
    return isinstance(exc, UpstreamTimeout | UpstreamBadResponse | UpstreamUnavailable)


def sent_at() -> str:
    """Now, as the identity timestamp of a create about to be sent."""
    return iso_utc(datetime.now(UTC))


def outcome_unknown(exc: UpstreamError, *, what: str, identity: dict[str, Any]) -> OutcomeUnknown:
    """The error for a create that may or may not have happened, and cannot be looked up.

    ``identity`` holds what the caller chose plus ``sentAt``, enough to find
    the object in the upstream's own lists; it never holds variables, which may
    carry secrets.
    """
    return OutcomeUnknown(
        f"{what} may or may not have happened: the {exc.upstream.value} upstream's answer was "
        "lost. It was not retried, because the upstream has no idempotency key and a retry "
        "could run it twice. Check for it (see extensions.identity) before trying again.",
        request=exc.request,
        identity=identity,
    )
