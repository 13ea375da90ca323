"""What the upstream client reports about its calls, for metrics and request logs.

The client calls these hooks a few times per upstream round trip (never per
GraphQL field); :class:`UpstreamObserver` does nothing, so a client built
without one pays a method call.
"""

from __future__ import annotations


class UpstreamObserver:
    """Hooks of :class:`~gateway.upstreams.client.UpstreamClient`; each a no-op here."""

    def answered(
        self, upstream: str, method: str, route: str, outcome: str, seconds: float
    ) -> None:
        """One round trip ended: ``outcome`` is a status class (``2xx``, ``4xx``,
        ``5xx``) or ``timeout``, ``error`` (transport) or ``breaker_open`` (not sent)."""

    def retried(self, upstream: str, route: str) -> None:
        """A GET is about to be sent again."""

    def coalesced(self, upstream: str, route: str) -> None:
        """A GET joined an identical one already in flight instead of going out."""

    def breaker_changed(self, upstream: str, kind: str, state: str) -> None:
        """A circuit breaker is now ``closed``, ``open`` or ``half_open``."""
