"""What one GraphQL request did, gathered while it runs.

The middleware (HTTP) or the schema extension (an operation over the
WebSocket) opens an :class:`Observation` in a context variable; the upstream
client's observer, the loaders and the extension add to it; whoever opened
it emits the metrics and the log line at the end. Tasks started inside the
request (loader batches, coalesced GETs) copy the context, so they add to the
same observation without being handed it.
"""

from __future__ import annotations

from collections import Counter
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from opentelemetry.trace import Span

    from gateway.observability.metrics import GatewayMetrics


@dataclass(slots=True)
class Observation:
    """One request's id, operation, outcome, error codes and upstream calls (and its span)."""

    request_id: str
    metrics: GatewayMetrics | None = None
    operation: str | None = None
    outcome: str | None = None
    """``ok``, ``errors`` (some errors, some data) or ``refused`` (no execution)."""
    error_codes: list[str] = field(default_factory=list)
    upstream_calls: Counter[str] = field(default_factory=Counter)
    span: Span | None = None
    """The request's span when traces are on (:mod:`gateway.observability.request_spans`)."""
    operation_type: str | None = None
    """``query``, ``mutation`` or ``subscription``; only read when traces are on."""


current: ContextVar[Observation | None] = ContextVar("gateway_observation", default=None)


def current_request_id() -> str | None:
    """The id of the request being served in this context, if any."""
    observation = current.get()
    return None if observation is None else observation.request_id


def record_batch(loader: str, size: int) -> None:
    """A dataloader dispatched a batch of ``size`` keys (no-op without metrics)."""
    observation = current.get()
    if observation is not None and observation.metrics is not None:
        observation.metrics.batch(loader, size)
