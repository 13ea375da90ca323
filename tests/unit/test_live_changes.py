"""What ``jobsChanged`` reports between two polls of the view (``SeenStates``)."""

from __future__ import annotations

from gateway.errors import UpstreamRequest, UpstreamUnavailable
from gateway.facts import flow_job_facts, workflow_job_facts
from gateway.live.jobs import JobChangeKind, SeenStates
from gateway.states import JobSource, JobState
from gateway.upstream_names import Upstream
from gateway.view.pages import ViewPage
from gateway.view.sources import ViewJob

JS, AWX = JobSource.JOB_STORE, JobSource.AWX
BOTH = {JS, AWX}


def flow(job_id: str, status: str, created: str = "2026-01-01T00:00:00Z") -> ViewJob:
    doc = {"jobId": job_id, "metadata": {"status": status, "created": created}}
    return ViewJob(flow_job_facts(doc), doc)


def awx(awx_id: int, status: str) -> ViewJob:
    doc = {"id": awx_id, "status": status, "created": "2026-01-01T00:00:00Z"}
    return ViewJob(workflow_job_facts(doc), doc)


def page(*jobs: ViewJob, failed: tuple[JobSource, ...] = ()) -> ViewPage:
    request = UpstreamRequest(Upstream.AWX, "GET", "/api/v2/workflow_jobs/")
    failures = [(s, UpstreamUnavailable("down", request=request)) for s in failed]
    return ViewPage(
        edges=[(job, f"c{i}") for i, job in enumerate(jobs)],
        has_next=False,
        end_cursor=None,
        warnings=[],
        failures=list(failures),
        selected=2,
    )


def kinds(changes: list) -> list[tuple[str, str, JobState | None, JobState]]:  # type: ignore[type-arg]
    return [(c.kind.name, c.job.facts.key, c.previous_state, c.job.facts.state) for c in changes]


def test_the_first_page_is_the_baseline_then_new_jobs_and_transitions_are_reported() -> None:
    seen = SeenStates(capacity=100)
    assert seen.changes(page(flow("a", "InProgress"), awx(7, "running")), BOTH) == []
    later = page(
        flow("b", "Paused", created="2026-01-02T00:00:00Z"),
        flow("a", "Completed"),
        awx(7, "running"),
    )
    # oldest first: the transition of `a` (listed after `b`) comes before `b`'s creation
    assert kinds(seen.changes(later, BOTH)) == [
        ("STATE_CHANGED", "a", JobState.RUNNING, JobState.SUCCEEDED),
        ("CREATED", "b", None, JobState.PAUSED),
    ]
    assert seen.changes(later, BOTH) == []  # nothing new: nothing sent


def test_a_source_failing_at_the_first_poll_gets_its_baseline_when_it_answers() -> None:
    seen = SeenStates(capacity=100)
    assert seen.changes(page(flow("a", "InProgress"), failed=(AWX,)), {JS}) == []
    # AWX answers for the first time: its jobs are its baseline, not creations
    assert seen.changes(page(flow("a", "InProgress"), awx(7, "running")), BOTH) == []
    changed = seen.changes(page(flow("a", "InProgress"), awx(7, "failed")), BOTH)
    assert kinds(changed) == [("STATE_CHANGED", "7", JobState.RUNNING, JobState.FAILED)]
    assert changed[0].kind is JobChangeKind.STATE_CHANGED


def test_a_job_that_left_the_window_and_comes_back_is_not_created_again() -> None:
    seen = SeenStates(capacity=100)
    seen.changes(page(flow("a", "InProgress")), BOTH)
    assert seen.changes(page(), BOTH) == []
    assert kinds(seen.changes(page(flow("a", "Completed")), BOTH)) == [
        ("STATE_CHANGED", "a", JobState.RUNNING, JobState.SUCCEEDED)
    ]


def test_the_memory_is_bounded_oldest_first() -> None:
    seen = SeenStates(capacity=2)
    seen.changes(page(flow("a", "InProgress")), BOTH)
    seen.changes(page(flow("b", "InProgress"), flow("c", "InProgress")), BOTH)
    assert list(seen.states) == [(JS, "c"), (JS, "b")]
