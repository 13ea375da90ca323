"""A flow job's steps as ``_steps`` makes them: the values it writes ahead equal the readers'.

``_steps`` writes a step's ``_body``, ``unique_step_id`` and ``is_report``
itself (a page of jobs has thousands of steps, and a call per step shows);
each must be what the field's reader gives for the same entry, which a step
made by ``Step.of_entry`` (a parent or previous step) still reads.
"""

from __future__ import annotations

from typing import Any

import pytest

from schema.jobstore.types import Step, StepStatus, _JobSteps, _steps

BODY = {"uniqueStepId": "u1", "stepTitle": "Check", "metadata": {"tags": "red"}}
ENTRIES: list[dict[str, Any]] = [
    {"singleStep": BODY, "reportStep": None},
    {"singleStep": None, "reportStep": {"uniqueStepId": "u2", "metadata": {"tags": 7}}},
    {"singleStep": {}, "reportStep": {"uniqueStepId": "u3"}},  # body: the report; not a report
    {"singleStep": "not a step", "reportStep": {"uniqueStepId": ""}},
    {"singleStep": {"uniqueStepId": 5, "metadata": []}, "reportStep": {"x": 1}},
    {"reportStep": "not a step"},
    {},
]


@pytest.mark.parametrize("entry", ENTRIES)
def test_what_steps_writes_ahead_is_what_the_readers_give(entry: dict[str, Any]) -> None:
    [made], _ = _steps({"completedSteps": [entry]}, {})
    read = Step.of_entry(entry, StepStatus.COMPLETED, {})
    for name in ("_body", "unique_step_id", "is_report", "tags", "report", "metadata"):
        assert getattr(made, name) == getattr(read, name), name
    assert "is_report" in made.__dict__  # written ahead, not read through the descriptor
    assert "is_report" not in read.__dict__ or read.__dict__["is_report"] == made.is_report


def test_the_cases_cover_report_steps_and_tags() -> None:
    steps, _ = _steps({"completedSteps": ENTRIES}, {})
    assert [s.is_report for s in steps] == [False, True, False, True, False, False, False]
    assert [s.tags for s in steps] == ["red", None, None, None, None, None, None]
    assert [s.unique_step_id for s in steps] == ["u1", "u2", "u3", None, None, None, None]


def test_the_times_a_job_reads_are_kept_as_the_step_readers_give_them() -> None:
    entries = [
        {"singleStep": {"uniqueStepId": "a", "started": "2026-01-01T00:00:00.120Z"}},
        {
            "singleStep": {
                "uniqueStepId": "b",
                "started": "2026-01-01T00:01:00Z",
                "completed": "2026-01-01T00:02:00.5Z",
            }
        },
        {"singleStep": {"uniqueStepId": "c", "cancelled": 1767225720000, "completed": "x"}},
    ]
    job = _JobSteps({"completedSteps": entries})
    starts, ends = job.times({})
    made = job.built({})[0]
    for step, entry in zip(made, entries, strict=True):
        read = Step.of_entry(entry, StepStatus.COMPLETED, {})
        for name in ("started", "completed", "cancelled"):
            assert name in step.__dict__  # kept, for the step's own fields to answer
            assert step.__dict__[name] == getattr(read, name), name
    assert starts == [made[0].started, made[1].started]
    assert ends == [made[1].completed, made[2].cancelled]
