"""Counting the requests a sandbox upstream answers."""

from __future__ import annotations

from collections import Counter, deque

TRACEPARENTS_KEPT = 100


class RequestStats:
    """Requests per ``"METHOD /route/template"``; the tests' round-trip counter."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._in_flight = 0
        self._peak = 0
        self._traceparents: deque[str] = deque(maxlen=TRACEPARENTS_KEPT)

    def record(self, key: str, traceparent: str | None = None) -> None:
        """Count one request (and keep its W3C ``traceparent`` header, if it sent one)."""
        self._counts[key] += 1
        if traceparent is not None:
            self._traceparents.append(traceparent)

    def enter(self) -> None:
        """A counted request started (for the peak of concurrent requests)."""
        self._in_flight += 1
        self._peak = max(self._peak, self._in_flight)

    def leave(self) -> None:
        """A counted request ended."""
        self._in_flight -= 1

    def reset(self) -> None:
        """Set every count, and the peak, back to zero."""
        self._counts.clear()
        self._traceparents.clear()
        self._peak = self._in_flight

    def snapshot(self) -> dict[str, object]:
        """``{"total": N, "requests": {key: n}, "peakInFlight": n, "traceparents": [...]}``.

        ``peakInFlight`` is the most requests that were being answered at once
        since the last reset: how tests see that a client ran calls concurrently.
        ``traceparents``: the last 100 ``traceparent`` headers received, oldest
        first (how tests see that a trace went on upstream).
        """
        return {
            "total": sum(self._counts.values()),
            "requests": dict(sorted(self._counts.items())),
            "peakInFlight": self._peak,
            "traceparents": list(self._traceparents),
        }
