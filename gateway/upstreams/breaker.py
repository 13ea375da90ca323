"""A per-upstream circuit breaker.

After ``threshold`` consecutive failures (unreachable, 5xx, timeout) the
breaker opens: calls fail at once for ``cooldown`` seconds instead of piling
up on a dead upstream and holding every query for its full timeout. Then one
trial call is let through; its success closes the breaker.

``on_change`` (set by the owner) hears each state change, for metrics.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class CircuitBreaker:
    """Consecutive-failure breaker with a single half-open trial."""

    def __init__(
        self,
        threshold: int = 5,
        cooldown: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.threshold = threshold
        self.cooldown = cooldown
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False
        self.on_change: Callable[[str], None] | None = None

    @property
    def state(self) -> str:
        """``closed``, ``open`` or ``half_open`` (the trial call is out)."""
        if self._opened_at is None:
            return "closed"
        return "half_open" if self._trial_running else "open"

    def _changed(self, before: str) -> None:
        if self.on_change is not None and self.state != before:
            self.on_change(self.state)

    @property
    def is_open(self) -> bool:
        """Whether calls are currently refused."""
        return self._opened_at is not None

    def allow(self) -> bool:
        """Whether a call may go out now (claims the half-open trial if due)."""
        if self._opened_at is None:
            return True
        if self._trial_running:
            return False
        if self._clock() - self._opened_at >= self.cooldown:
            self._trial_running = True
            self._changed("open")
            return True
        return False

    def record_success(self) -> None:
        """A call succeeded: close the breaker."""
        if self._opened_at is None:
            self._failures = 0
            return
        before = self.state
        self._failures = 0
        self._opened_at = None
        self._trial_running = False
        self._changed(before)

    def record_failure(self) -> None:
        """A call failed in a way that says the upstream is unwell."""
        before = self.state
        self._failures += 1
        if self._trial_running or self._failures >= self.threshold:
            self._opened_at = self._clock()
        self._trial_running = False
        self._changed(before)
