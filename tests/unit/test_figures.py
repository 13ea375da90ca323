"""``percentile`` and ``durations_of`` of :mod:`gateway.view.figures` against ``statistics``."""

from __future__ import annotations

import itertools
import math
import statistics
from fractions import Fraction

from hypothesis import example, given, settings
from hypothesis import strategies as st

from gateway.states import JobSource
from gateway.view.figures import Durations, durations_of, percentile

seconds = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


def _exact_percentile(ordered: list[float], fraction: Fraction) -> Fraction:
    """Linear interpolation between closest ranks, in exact arithmetic."""
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    lo, hi = Fraction(ordered[low]), Fraction(ordered[high])
    return lo + (hi - lo) * (position - low)


@settings(max_examples=300)
@given(data=st.lists(seconds, min_size=2, max_size=60))
@example(data=[1.0, 2.0])
@example(data=[float(i) for i in range(21)])
@example(data=[5.0, 5.0, 5.0])
def test_p50_and_p95_are_statistics_inclusive_quantiles(data: list[float]) -> None:
    ordered = sorted(data)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")

    assert _close(percentile(ordered, 0.5), cuts[49])
    assert _close(percentile(ordered, 0.95), cuts[94])
    assert _close(percentile(ordered, 0.5), statistics.median(ordered))


@settings(max_examples=300)
@given(
    data=st.lists(seconds, min_size=1, max_size=60),
    percent=st.integers(min_value=0, max_value=100),
)
def test_percentile_interpolates_between_closest_ranks(data: list[float], percent: int) -> None:
    ordered = sorted(data)
    value = percentile(ordered, percent / 100)

    assert _close(value, float(_exact_percentile(ordered, Fraction(percent, 100))))
    assert ordered[0] - 1e-6 <= value <= ordered[-1] + 1e-6
    assert percentile(ordered, 0.0) == ordered[0]
    assert percentile(ordered, 1.0) == ordered[-1]


@settings(max_examples=200)
@given(data=st.lists(seconds, min_size=1, max_size=40))
def test_percentile_grows_with_the_fraction(data: list[float]) -> None:
    ordered = sorted(data)
    values = [percentile(ordered, p / 20) for p in range(21)]

    assert all(a <= b + 1e-6 for a, b in itertools.pairwise(values))


@settings(max_examples=300)
@given(data=st.lists(seconds, min_size=1, max_size=60))
def test_durations_of_unsorted_times(data: list[float]) -> None:
    durations = durations_of(JobSource.AWX, data)
    ordered = sorted(data)

    assert durations.source is JobSource.AWX
    assert durations.count == len(data)
    assert durations.mean is not None
    assert _close(durations.mean, statistics.fmean(data))
    assert durations.p50 == percentile(ordered, 0.5)
    assert durations.p95 == percentile(ordered, 0.95)


@given(value=seconds)
def test_one_time_is_every_figure(value: float) -> None:
    assert percentile([value], 0.5) == value
    assert percentile([value], 0.95) == value
    assert durations_of(JobSource.JOB_STORE, [value]) == Durations(
        JobSource.JOB_STORE, count=1, mean=value, p50=value, p95=value
    )


def test_no_times_have_no_figures() -> None:
    assert durations_of(JobSource.OPERATIONS_MANAGER, []) == Durations(
        JobSource.OPERATIONS_MANAGER, count=0, mean=None, p50=None, p95=None
    )


def test_known_percentiles() -> None:
    ordered = [10.0, 20.0, 30.0, 40.0]

    assert percentile(ordered, 0.5) == 25.0
    assert math.isclose(percentile(ordered, 0.95), 38.5)
    assert durations_of(JobSource.AWX, [40.0, 10.0, 30.0, 20.0]).mean == 25.0
