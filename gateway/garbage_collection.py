"""The cyclic garbage collector, set for a server that builds big, short-lived answers.

A big answer is hundreds of thousands of small objects (the decoded upstream
documents, the mapped objects, the result tree), nearly all freed by reference
counting as soon as the answer is sent. With Python's default thresholds
(700, 10, 10) the cyclic collector still ran hundreds of young collections
per such request and, each time the young objects outnumbered a quarter of
the old ones, a full collection over everything the process holds. In
``python -m bench.big_answer`` this setting took 1000 jobs x 10 steps from
623 to 440 ms of CPU and 1000 jobs with five fields from 233 to 83 ms
(``--gc-default`` for Python's thresholds); 200 jobs with all fields moved
little (58 → 56 ms).

:func:`tune_for_serving`, called once the app is built and before it serves:

- ``gc.freeze()``: what start-up made (modules, the schema, settings) moves to
  a permanent generation that collections never walk again;
- a young-generation threshold of :data:`YOUNG_THRESHOLD` allocations, so a
  collection walks a request's worth of objects at once rather than a few
  hundred at a time. Cycles are still collected (``python -m bench.peer``
  reports RSS before and after a load).

A request leaves no reference cycles of its own (steps, facts, the executor:
``tests/schema/test_lazy_mapping.py``), so what it made is freed by reference
counting when it is answered, and young collections come rarely: none in 20
requests of the 200-job answer, against one every fourth request before.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 50_000


def tune_for_serving() -> None:
    """Freeze what start-up made and raise the young generation's threshold."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
