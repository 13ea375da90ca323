"""The clock that moves jobs created through a sandbox API through their states.

Seeded jobs are frozen in the past. A job created through the API is queued
for the first fifth of ``progress_seconds``, running until ``progress_seconds``
have passed, then final. The phase is computed when the job is read, so no
background task is needed and a test can pick the speed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum


class Phase(Enum):
    """Where a created job is in its life."""

    QUEUED = "queued"
    RUNNING = "running"
    FINAL = "final"


@dataclass(frozen=True, slots=True)
class Progression:
    """When a created job started its life and how fast it moves."""

    started_monotonic: float
    progress_seconds: float

    @classmethod
    def start_now(cls, progress_seconds: float) -> Progression:
        """A progression starting at this instant."""
        return cls(time.monotonic(), progress_seconds)

    def elapsed(self) -> float:
        """Seconds since the job was created."""
        return time.monotonic() - self.started_monotonic

    def phase(self) -> Phase:
        """The phase the job is in now."""
        elapsed = self.elapsed()
        if elapsed >= self.progress_seconds:
            return Phase.FINAL
        if elapsed >= self.progress_seconds / 5:
            return Phase.RUNNING
        return Phase.QUEUED


def utc_now() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)


def iso_millis(moment: datetime) -> str:
    """``2021-10-01T12:48:12.215Z``: the timestamp style of the three upstreams."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
