"""Filters pushed down into the operations manager's and AWX's own queries.

Shared by the per-system connections (``operationsJobs``, ``workflowJobs``)
and the cross-system view (``jobs``, ``jobCounts``), so a filter means the same
everywhere. ``UNKNOWN`` has no upstream word, but the known words are a
finite list, so "these states or UNKNOWN" is exactly "status not among the
words of the other states" (``not-in[status]``, ``not__status__in``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from gateway.upstream_names import Upstream
from schema.status import STATES_BY_UPSTREAM, JobState

Params = list[tuple[str, str]]


def status_condition(
    upstream: Upstream,
    states: Collection[JobState] | None,
    words: Collection[str] | None = None,
) -> tuple[bool, list[str]] | None:
    """``(negated, words)`` for a state filter; ``None`` when it needs no condition.

    ``states`` are normalised states, ``words`` the upstream's own status
    words; both given means both must hold. ``(False, [])`` matches nothing.
    """
    table = STATES_BY_UPSTREAM[upstream]
    if states is None:
        return None if words is None else (False, sorted(set(words)))
    wanted = set(states)
    if JobState.UNKNOWN in wanted:
        excluded = sorted(w for w, s in table.items() if s not in wanted)
        if words is not None:
            return False, sorted(set(words) - set(excluded))
        return (True, excluded) if excluded else None
    included = {w for w, s in table.items() if s in wanted}
    if words is not None:
        included &= set(words)
    return False, sorted(included)


def _ms_text(moment: datetime, *, round_up: bool) -> str:
    """ISO text in milliseconds, as the operations manager stores ``created``.

    Its times have millisecond precision, so ``gt`` the floor and ``lt`` the
    ceiling of a finer bound select exactly the jobs the bound selects.
    """
    moment = moment.astimezone(UTC)
    floor = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    if round_up and floor != moment:
        floor += timedelta(milliseconds=1)
    return floor.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class Dialect:
    """How one upstream spells each condition of a filter."""

    upstream: Upstream
    status_in: str
    status_not_in: str
    created_after: str
    created_before: str
    name_contains: str
    time_text: Callable[[datetime, bool], str]


def _iso(moment: datetime, _round_up: bool) -> str:
    return moment.astimezone(UTC).isoformat()


OPSMANAGER = Dialect(
    Upstream.OPSMANAGER,
    status_in="in[status]",
    status_not_in="not-in[status]",
    created_after="gt[created]",
    created_before="lt[created]",
    name_contains="contains[name]",
    time_text=lambda moment, round_up: _ms_text(moment, round_up=round_up),
)
AWX = Dialect(
    Upstream.AWX,
    status_in="status__in",
    status_not_in="not__status__in",
    created_after="created__gt",
    created_before="created__lt",
    name_contains="name__icontains",
    time_text=_iso,
)


def query(
    dialect: Dialect,
    *,
    states: Collection[JobState] | None = None,
    words: Collection[str] | None = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
    name: str | None = None,
) -> Params | None:
    """An upstream's query conditions for a filter; ``None`` when nothing can match."""
    params: Params = []
    condition = status_condition(dialect.upstream, states, words)
    if condition is not None:
        negated, found = condition
        if not negated and not found:
            return None
        key = dialect.status_not_in if negated else dialect.status_in
        params.append((key, ",".join(found)))
    if created_after is not None:
        params.append((dialect.created_after, dialect.time_text(created_after, False)))
    if created_before is not None:
        params.append((dialect.created_before, dialect.time_text(created_before, True)))
    if name:
        params.append((dialect.name_contains, name))
    return params
