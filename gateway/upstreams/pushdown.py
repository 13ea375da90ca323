"""How a :class:`~gateway.filters.JobListFilter` is spelt in an upstream's own query.

Each client that can filter owns a :class:`Dialect` (``in[status]`` for the
operations manager, ``status__in`` for AWX) and calls :func:`conditions`;
one function for both, so a filter means the same on every list and in the
cross-system view. ``UNKNOWN`` has no upstream word, but the known words are a
finite list, so "these states or UNKNOWN" is exactly "status not among the
words of the other states" (``not-in[status]``, ``not__status__in``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from gateway.filters import JobListFilter
from gateway.states import STATES_BY_UPSTREAM, JobState
from gateway.upstream_names import Upstream

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


def _ms_text(moment: datetime, *, round_up: bool) -> str | None:
    """ISO text in milliseconds, as the operations manager stores ``created``.

    Its times have millisecond precision, so ``gt`` the floor and ``lt`` the
    ceiling of a finer bound select exactly the jobs the bound selects. The
    one ceiling a ``datetime`` cannot hold is past ``9999-12-31T23:59:59.999Z``:
    every millisecond time is before such a bound, so it needs no condition
    (``None``).
    """
    moment = moment.astimezone(UTC)
    floor = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    if round_up and floor != moment:
        if floor >= _LAST_MS:
            return None
        floor += timedelta(milliseconds=1)
    return floor.isoformat(timespec="milliseconds").replace("+00:00", "Z")


_LAST_MS = datetime.max.replace(microsecond=999_000, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Dialect:
    """How one upstream spells each condition of a filter."""

    upstream: Upstream
    status_in: str
    status_not_in: str
    created_after: str
    created_before: str
    name_contains: str
    time_text: Callable[[datetime, bool], str | None]
    """A bound as query text (``True``: an upper bound); ``None``: the bound excludes nothing."""


def iso_text(moment: datetime, _round_up: bool) -> str:
    """ISO text in UTC, at the bound's own precision."""
    return moment.astimezone(UTC).isoformat()


def ms_text(moment: datetime, round_up: bool) -> str | None:
    """:func:`_ms_text` as a dialect's ``time_text``."""
    return _ms_text(moment, round_up=round_up)


def conditions(dialect: Dialect, flt: JobListFilter) -> Params | None:
    """An upstream's query conditions for a filter; ``None`` when nothing can match."""
    params: Params = []
    condition = status_condition(dialect.upstream, flt.states, flt.upstream_statuses)
    if condition is not None:
        negated, found = condition
        if not negated and not found:
            return None
        key = dialect.status_not_in if negated else dialect.status_in
        params.append((key, ",".join(found)))
    for key, bound, upper in (
        (dialect.created_after, flt.created_after, False),
        (dialect.created_before, flt.created_before, True),
    ):
        text = None if bound is None else dialect.time_text(bound, upper)
        if text is not None:
            params.append((key, text))
    if flt.name_contains:
        params.append((dialect.name_contains, flt.name_contains))
    return params
