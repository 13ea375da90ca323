"""Latency and fault injection for the sandbox upstreams.

A fault is chosen per request: with probability ``error_rate`` (and while
``remaining`` allows), the request gets the configured ``mode``:

- ``500``: an internal error in the upstream's own error shape;
- ``503``: unavailable, with a ``Retry-After`` header;
- ``hang``: no answer until the client gives up (or ``hang_seconds``);
- ``malformed``: the request is processed, then the body is cut short so it
  is not valid JSON;
- ``drop``: the request is processed, then the connection is closed before a
  single byte of the answer is written.

``phase`` says whether ``500``, ``503`` and ``hang`` strike before the request
reaches the upstream (nothing happens) or after it has been processed (the
work is done, the answer is lost). ``methods`` and ``path_prefix`` narrow the
requests a fault applies to; ``every`` (N) makes it strike on the 1st,
(N+1)th, (2N+1)th... of those requests only, deterministically: ``{"mode":
"drop", "error_rate": 1, "methods": ["POST"], "every": 2}`` drops every other
POST answer after the store committed, the first one included.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from typing import Any


class FaultMode(StrEnum):
    """The kinds of failure a sandbox can inject."""

    NONE = "none"
    ERROR_500 = "500"
    UNAVAILABLE_503 = "503"
    HANG = "hang"
    MALFORMED = "malformed"
    DROP = "drop"


class FaultPhase(StrEnum):
    """Whether a fault strikes before or after the request is processed."""

    BEFORE = "before"
    AFTER = "after"


@dataclass(slots=True)
class FaultSettings:
    """Latency and faults of one sandbox upstream; changeable at run time."""

    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    error_rate: float = 0.0
    mode: FaultMode = FaultMode.NONE
    phase: FaultPhase = FaultPhase.BEFORE
    retry_after: int = 1
    hang_seconds: float = 300.0
    methods: list[str] | None = None
    path_prefix: str | None = None
    remaining: int | None = None
    every: int | None = None
    rng_seed: int | None = field(default=None, repr=False)

    def to_json(self) -> dict[str, Any]:
        """The settings as a JSON-ready dict."""
        data = asdict(self)
        data["mode"] = self.mode.value
        data["phase"] = self.phase.value
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FaultSettings:
        """Build settings from a JSON object, rejecting unknown or bad values."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        values = dict(data)
        for key, kind in (("mode", FaultMode), ("phase", FaultPhase)):
            if key in values:
                try:
                    values[key] = kind(str(values[key]))
                except ValueError:
                    choices = ", ".join(member.value for member in kind)
                    raise ValueError(f"{key} must be one of {choices}") from None
        settings = cls(**values)
        settings.validate()
        return settings

    def validate(self) -> None:
        """Raise ``ValueError`` naming the first setting that is out of range."""
        if self.latency_ms < 0 or self.jitter_ms < 0:
            raise ValueError("latency_ms and jitter_ms must be >= 0")
        if not 0.0 <= self.error_rate <= 1.0:
            raise ValueError("error_rate must be between 0 and 1")
        if self.retry_after < 0:
            raise ValueError("retry_after must be >= 0")
        if self.remaining is not None and self.remaining < 0:
            raise ValueError("remaining must be >= 0")
        if self.every is not None and self.every < 1:
            raise ValueError("every must be >= 1")


class FaultPlan:
    """Decides, request by request, the delay and the fault to inject."""

    def __init__(self, settings: FaultSettings) -> None:
        self.settings = settings
        self._rng = random.Random(settings.rng_seed)
        self._matched = 0
        """Requests the fault's narrowing matched so far (for ``every``)."""

    def replace(self, settings: FaultSettings) -> None:
        """Switch to new settings at run time."""
        self.settings = settings
        self._rng = random.Random(settings.rng_seed)
        self._matched = 0

    def delay_seconds(self) -> float:
        """The latency to add to this request."""
        s = self.settings
        if s.latency_ms <= 0 and s.jitter_ms <= 0:
            return 0.0
        jitter = self._rng.uniform(0, s.jitter_ms) if s.jitter_ms > 0 else 0.0
        return (s.latency_ms + jitter) / 1000.0

    def choose(self, method: str, path: str) -> FaultMode:
        """The fault for one request, or ``FaultMode.NONE``."""
        s = self.settings
        if s.mode is FaultMode.NONE or s.error_rate <= 0:
            return FaultMode.NONE
        if s.methods is not None and method.upper() not in {m.upper() for m in s.methods}:
            return FaultMode.NONE
        if s.path_prefix is not None and not path.startswith(s.path_prefix):
            return FaultMode.NONE
        if s.remaining is not None and s.remaining <= 0:
            return FaultMode.NONE
        if s.every is not None:
            turn = self._matched
            self._matched += 1
            if turn % s.every != 0:
                return FaultMode.NONE
        if s.error_rate < 1.0 and self._rng.random() >= s.error_rate:
            return FaultMode.NONE
        if s.remaining is not None:
            s.remaining -= 1
        return s.mode


def parse_fault_options(options: list[str], latency_ms: float) -> dict[str, FaultSettings]:
    """``NAME=JSON`` options of ``jobs-gateway sandbox --faults`` as fault settings per upstream.

    The JSON takes the keys of ``PUT /_sandbox/faults``; ``latency_ms``
    defaults to the ``--latency-ms`` of the command.
    """
    result: dict[str, FaultSettings] = {}
    for option in options:
        name, sep, raw = option.partition("=")
        if not sep or name not in {"jobstore", "opsmanager", "awx"}:
            raise ValueError(f"--faults takes jobstore|opsmanager|awx=JSON, got {option!r}")
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValueError(f"--faults {name}: not JSON ({exc})") from None
        if not isinstance(data, dict):
            raise ValueError(f"--faults {name}: a JSON object is needed")
        data.setdefault("latency_ms", latency_ms)
        try:
            result[name] = FaultSettings.from_json(data)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"--faults {name}: {exc}") from None
    return result
