"""The end of a request: its metrics and its log line, from its observation."""

from __future__ import annotations

from gateway.observability.metrics import GatewayMetrics
from gateway.observability.observation import Observation
from gateway.observability.request_log import log_request


def emit(
    observation: Observation,
    *,
    metrics: GatewayMetrics | None,
    request_log: bool,
    status: int | None,
    seconds: float,
) -> None:
    """Count the request and log its line, as the settings ask."""
    if metrics is not None:
        metrics.graphql_request(observation.operation, observation.outcome or "refused", seconds)
    if request_log:
        log_request(observation, status=status, duration_ms=seconds * 1000)
