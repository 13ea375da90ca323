"""Filters as plain values: what a list must match, before any upstream spells it.

- :class:`JobListFilter` is one system's list filter (``operationsJobs``,
  ``workflowJobs``, and each source of the cross-system view). The upstream
  clients turn it into their own query words (:mod:`gateway.upstreams.pushdown`).
- :class:`ViewFilter` is the cross-system view's filter: which sources, and a
  :class:`JobListFilter` for each. The jobs store has no filters, so the view
  also tests :class:`~gateway.facts.JobFacts` against it at the gateway, with
  the same meaning as the pushdowns.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime

from gateway.errors import BadUserInput
from gateway.facts import JobFacts
from gateway.states import SOURCE_ORDER, JobSource, JobState


@dataclass(frozen=True, slots=True)
class JobListFilter:
    """Conditions on one system's job list; ``None`` means "no condition".

    ``states`` are normalised states, ``upstream_statuses`` the upstream's own
    words; both given means both must hold. Times are aware datetimes
    (``created_after`` and ``created_before`` are strict bounds);
    ``name_contains`` is a case-insensitive substring.
    """

    states: frozenset[JobState] | None = None
    upstream_statuses: frozenset[str] | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    name_contains: str | None = None

    def __post_init__(self) -> None:
        # The upstreams take a status list as one comma-separated value, so a
        # word with a comma could only ever be pushed down as two words.
        if self.upstream_statuses is not None and any("," in w for w in self.upstream_statuses):
            raise BadUserInput(
                "an upstream status word never contains a comma", argument="upstreamStatuses"
            )

    def with_states(self, states: frozenset[JobState]) -> JobListFilter:
        """The same filter for only ``states`` (intersected with its own)."""
        wanted = states if self.states is None else states & self.states
        return replace(self, states=wanted)

    @property
    def is_empty(self) -> bool:
        """Whether the filter has no condition at all."""
        return self == _NO_CONDITIONS

    def matches(self, facts: JobFacts) -> bool:
        """The gateway-side test (for the jobs store), with the pushdowns' meaning."""
        if self.states is not None and facts.state not in self.states:
            return False
        if self.upstream_statuses is not None and facts.upstream_status not in (
            self.upstream_statuses
        ):
            return False
        created = facts.created_at
        if self.created_after is not None and (created is None or created <= self.created_after):
            return False
        if self.created_before is not None and (created is None or created >= self.created_before):
            return False
        if self.name_contains is not None:
            name = facts.name or ""
            if self.name_contains.lower() not in name.lower():
                return False
        return True


_NO_CONDITIONS = JobListFilter()


@dataclass(frozen=True, slots=True)
class ViewFilter:
    """A validated ``JobFilter`` of the cross-system view."""

    sources: tuple[JobSource, ...] = SOURCE_ORDER
    jobs: JobListFilter = _NO_CONDITIONS

    @property
    def gateway_side(self) -> bool:
        """Whether the jobs store's jobs must be filtered at the gateway."""
        return not self.jobs.is_empty

    def identity(self) -> str:
        """The filter as text, equal for equal filters in every process (sources in order)."""
        return "\x1f".join(self._parts())

    def fingerprint(self, *extra: object) -> str:
        """A short digest of the filter, so a cursor is only accepted by the same filter."""
        parts = [*self._parts(), *map(str, extra)]
        digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=5)
        return digest.hexdigest()

    def _parts(self) -> list[str]:
        jobs = self.jobs
        return [
            ",".join(s.value for s in self.sources),
            ",".join(sorted(s.value for s in jobs.states)) if jobs.states is not None else "*",
            (
                ",".join(sorted(jobs.upstream_statuses))
                if jobs.upstream_statuses is not None
                else "*"
            ),
            jobs.created_after.isoformat() if jobs.created_after else "",
            jobs.created_before.isoformat() if jobs.created_before else "",
            jobs.name_contains or "",
        ]
