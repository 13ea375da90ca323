"""The server's GC setting: start-up objects frozen, a larger young generation."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from gateway.garbage_collection import YOUNG_THRESHOLD, tune_for_serving


@pytest.fixture
def restore_gc() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


@pytest.mark.usefixtures("restore_gc")
def test_serving_freezes_start_up_and_raises_only_the_young_threshold() -> None:
    before = gc.get_threshold()
    kept = [object() for _ in range(10)]

    tune_for_serving()

    assert gc.get_threshold() == (YOUNG_THRESHOLD, before[1], before[2])
    assert gc.get_freeze_count() >= len(kept)
