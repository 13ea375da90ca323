"""Pushed-down status conditions (:mod:`gateway.upstreams.pushdown`) mean what ``matches`` means.

An upstream applies ``in``/``not-in`` to the comma-separated word list; the
gateway applies :meth:`gateway.filters.JobListFilter.matches` to the job's
facts (its normalised state and its own word). For the operations manager
and AWX both must select the same jobs. Also: the view filter's fingerprint.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gateway import coerce
from gateway.errors import BadUserInput
from gateway.facts import JobFacts
from gateway.filters import JobListFilter, ViewFilter
from gateway.states import SOURCE_ORDER, STATES_BY_UPSTREAM, JobSource, JobState, normalise
from gateway.upstream_names import Upstream
from gateway.upstreams import awx, opsmanager
from gateway.upstreams.pushdown import Dialect, conditions, ms_text, status_condition

DIALECTS = {Upstream.AWX: awx.DIALECT, Upstream.OPSMANAGER: opsmanager.DIALECT}
KNOWN_WORDS = sorted({w for table in STATES_BY_UPSTREAM.values() for w in table})

state_sets = st.one_of(st.none(), st.frozensets(st.sampled_from(list(JobState))))
other_words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_-", min_size=1, max_size=8)
words = st.one_of(st.sampled_from(KNOWN_WORDS), other_words)
word_sets = st.one_of(st.none(), st.frozensets(words, max_size=5))


def _facts(upstream: Upstream, word: str) -> JobFacts:
    source = JobSource.AWX if upstream is Upstream.AWX else JobSource.OPERATIONS_MANAGER
    state = normalise(upstream, word)
    return JobFacts(source, "1", None, state, word, None, None, None, None, None, None)


def _pushed_down(dialect: Dialect, flt: JobListFilter, word: str) -> bool:
    """Whether the upstream, given the filter's query, answers a job whose status is ``word``."""
    params = conditions(dialect, flt)
    if params is None:
        return False
    query = dict(params)
    if dialect.status_in in query:
        return word in query[dialect.status_in].split(",")
    if dialect.status_not_in in query:
        return word not in query[dialect.status_not_in].split(",")
    return True


def _check_agreement(upstream: Upstream, flt: JobListFilter, word: str) -> None:
    dialect = DIALECTS[upstream]
    gateway_side = flt.matches(_facts(upstream, word))
    assert _pushed_down(dialect, flt, word) == gateway_side, (upstream, flt, word)


@settings(max_examples=600)
@given(
    upstream=st.sampled_from(list(DIALECTS)),
    states=state_sets,
    statuses=word_sets,
    word=words,
)
@example(Upstream.AWX, frozenset({JobState.UNKNOWN}), None, "running")
@example(Upstream.AWX, frozenset({JobState.UNKNOWN}), None, "complete")
@example(Upstream.OPSMANAGER, frozenset(JobState), None, "whatever")
@example(Upstream.OPSMANAGER, frozenset({JobState.QUEUED}), None, "running")
@example(Upstream.AWX, frozenset({JobState.FAILED}), frozenset({"error"}), "failed")
def test_pushdown_selects_what_matches_selects(
    upstream: Upstream,
    states: frozenset[JobState] | None,
    statuses: frozenset[str] | None,
    word: str,
) -> None:
    _check_agreement(upstream, JobListFilter(states=states, upstream_statuses=statuses), word)


@settings(max_examples=300)
@given(upstream=st.sampled_from(list(DIALECTS)), states=state_sets, word=words)
def test_status_condition_for_states_alone(
    upstream: Upstream, states: frozenset[JobState] | None, word: str
) -> None:
    condition = status_condition(upstream, states)
    wanted = states is None or normalise(upstream, word) in states

    if condition is None:
        assert wanted, "no condition must mean every job"
        assert states is None or JobState.UNKNOWN in states
    else:
        negated, found = condition
        assert found == sorted(set(found))
        assert (word not in found if negated else word in found) == wanted


@settings(max_examples=200)
@given(
    upstream=st.sampled_from(list(DIALECTS)),
    states=state_sets,
    word=st.sampled_from(KNOWN_WORDS).flatmap(
        lambda w: st.sampled_from([w.upper(), w.title(), f" {w}", f"{w} ", f"\t{w.upper()}\n"])
    ),
)
@example(Upstream.AWX, frozenset({JobState.UNKNOWN}), "Running")
@example(Upstream.OPSMANAGER, frozenset({JobState.RUNNING}), "RUNNING")
def test_pushdown_agrees_for_other_spellings_of_known_words(
    upstream: Upstream, states: frozenset[JobState] | None, word: str
) -> None:
    # For AWX and the operations manager, normalise matches exact words, as their filters do.
    _check_agreement(upstream, JobListFilter(states=states), word)


def test_a_status_word_with_a_comma_is_refused_as_it_cannot_be_pushed_down() -> None:
    # ``status__in=a,b`` would mean the two words ``a`` and ``b``.
    with pytest.raises(BadUserInput) as raised:
        JobListFilter(upstream_statuses=frozenset({"ok", "a,b"}))
    assert raised.value.argument == "upstreamStatuses"


def test_conditions_spell_each_upstream_and_nothing_is_none() -> None:
    after = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)
    flt = JobListFilter(
        states=frozenset({JobState.QUEUED}), created_after=after, name_contains="nightly"
    )

    assert conditions(opsmanager.DIALECT, flt) is None  # no operations-manager word is QUEUED
    assert conditions(awx.DIALECT, flt) == [
        ("status__in", "new,pending,waiting"),
        ("created__gt", "2024-05-01T12:00:00.123456+00:00"),
        ("name__icontains", "nightly"),
    ]
    assert conditions(awx.DIALECT, JobListFilter()) == []


@settings(max_examples=300)
@given(
    bound=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    delta_us=st.integers(min_value=-3_000, max_value=3_000),
)
def test_ms_bounds_select_the_same_millisecond_times(bound: datetime, delta_us: int) -> None:
    raw = bound + timedelta(microseconds=delta_us)
    job = raw.replace(microsecond=raw.microsecond // 1000 * 1000)  # stored in milliseconds
    after = coerce.timestamp(ms_text(bound, False))
    before = coerce.timestamp(ms_text(bound, True))

    assert after is not None
    assert before is not None
    assert (job > after) == (job > bound)
    assert (job < before) == (job < bound)


# --- the view filter's fingerprint ------------------------------------------------------

sources = st.lists(st.sampled_from(SOURCE_ORDER), unique=True).map(
    lambda chosen: tuple(s for s in SOURCE_ORDER if s in chosen)
)
moments = st.one_of(
    st.none(),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)).map(
        lambda d: d.replace(tzinfo=UTC)
    ),
)
names = st.one_of(st.none(), st.text(min_size=1, max_size=6))
FIELDS = {
    "sources": sources,
    "states": state_sets,
    "created_after": moments,
    "created_before": moments,
    "name_contains": names,
}


def _view(values: dict[str, object]) -> ViewFilter:
    jobs = {k: v for k, v in values.items() if k != "sources"}
    return ViewFilter(sources=values["sources"], jobs=JobListFilter(**jobs))  # type: ignore[arg-type]


@settings(max_examples=300)
@given(values=st.fixed_dictionaries(FIELDS), field=st.sampled_from(list(FIELDS)), data=st.data())
def test_fingerprint_changes_exactly_when_the_filter_does(
    values: dict[str, object], field: str, data: st.DataObject
) -> None:
    other = {**values, field: data.draw(FIELDS[field], label=field)}
    one, two = _view(values), _view(other)

    assert one.fingerprint("m") == _view(dict(values)).fingerprint("m")
    assert (one.fingerprint("m") == two.fingerprint("m")) == (one == two)
    assert one.fingerprint("newest-first") != one.fingerprint("sorted-at-gateway")


def test_fingerprint_covers_upstream_statuses() -> None:
    plain = ViewFilter()
    worded = ViewFilter(jobs=JobListFilter(upstream_statuses=frozenset({"running"})))
    fewer = replace(worded, jobs=replace(worded.jobs, upstream_statuses=frozenset()))

    assert len({plain.fingerprint("m"), worded.fingerprint("m"), fewer.fingerprint("m")}) == 3
