"""``gateway.job_actions`` over in-process upstreams: the edge cases the sandbox does not make."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from gateway.config import load_settings
from gateway.context import Context
from gateway.errors import UpstreamUnauthenticated
from gateway.job_actions import JobAction, JobActionOutcome, Problem, act
from gateway.states import JobSource
from gateway.upstream_names import Upstream
from gateway.upstreams.client import UpstreamClient
from tests.conftest import complete_env

Handler = Callable[[httpx.Request], httpx.Response]
OPS_JOB = {"_id": "a" * 24, "name": "w", "status": "running", "tasks": {}}
AWX_JOB = {"id": 7, "name": "wj", "status": "running"}


def context(handler: Handler) -> tuple[Context, list[str]]:
    seen: list[str] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        return handler(request)

    settings = load_settings(complete_env())
    clients = {
        name: UpstreamClient(
            settings.upstream(name),
            httpx.AsyncClient(
                base_url=settings.upstream(name).url, transport=httpx.MockTransport(record)
            ),
            backoff=0.001,
        )
        for name in Upstream
    }
    return Context.create(settings=settings, clients=clients, authorization=None), seen


def ops_list(*jobs: dict[str, object]) -> httpx.Response:
    return httpx.Response(
        200, json={"message": "ok", "data": list(jobs), "metadata": {"total": len(jobs)}}
    )


async def test_a_refusal_of_a_job_in_an_allowed_state_is_upstream_rejected() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(400, json={"message": "workflow engine busy", "data": None})
        return ops_list(OPS_JOB)

    ctx, seen = context(answer)
    result = await act(ctx, JobAction.PAUSE, JobSource.OPERATIONS_MANAGER, OPS_JOB["_id"])
    assert result.outcome is JobActionOutcome.REFUSED
    [problem] = result.problems
    assert problem.code == Problem.UPSTREAM_REJECTED
    assert "workflow engine busy" in problem.message
    assert seen == ["POST /operations-manager/jobs/pause", "GET /operations-manager/jobs"]


async def test_a_refusal_whose_reread_fails_is_upstream_rejected_without_a_job() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(405, json={"detail": 'Method "POST" not allowed.'})
        return httpx.Response(403, json={"detail": "no"})

    ctx, seen = context(answer)
    result = await act(ctx, JobAction.CANCEL, JobSource.AWX, 7)
    assert (result.outcome, result.doc) == (JobActionOutcome.REFUSED, None)
    assert [p.code for p in result.problems] == [Problem.UPSTREAM_REJECTED]
    assert seen == ["POST /api/v2/workflow_jobs/7/cancel/", "GET /api/v2/workflow_jobs/"]


async def test_a_refused_credential_is_raised_and_nothing_is_reread() -> None:
    ctx, seen = context(lambda r: httpx.Response(401, json={"detail": "bad token"}))
    with pytest.raises(UpstreamUnauthenticated):
        await act(ctx, JobAction.CANCEL, JobSource.AWX, 7)
    assert seen == ["POST /api/v2/workflow_jobs/7/cancel/"]


async def test_a_relaunch_answered_in_broken_json_is_outcome_unknown() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(201, content=b'{"id": 8, "na')
        return httpx.Response(200, json={"count": 1, "results": [AWX_JOB]})

    ctx, seen = context(answer)
    result = await act(ctx, JobAction.RELAUNCH, JobSource.AWX, 7)
    assert result.outcome is JobActionOutcome.UNKNOWN
    assert result.new_doc is None
    assert result.doc == AWX_JOB
    [problem] = result.problems
    assert problem.code == Problem.OUTCOME_UNKNOWN
    assert "RUNNING (upstream status 'running')" in problem.message
    assert seen == ["POST /api/v2/workflow_jobs/7/relaunch/", "GET /api/v2/workflow_jobs/"]


async def test_the_reread_is_not_the_answer_cached_earlier_in_the_request() -> None:
    status = {"now": "running"}

    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            status["now"] = "canceled"
            return httpx.Response(202)
        return httpx.Response(
            200, json={"count": 1, "results": [{**AWX_JOB, **{"status": status["now"]}}]}
        )

    ctx, seen = context(answer)
    before = await ctx.loaders.workflow_job_by_id.load(7)
    assert before is not None
    assert before["status"] == "running"
    result = await act(ctx, JobAction.CANCEL, JobSource.AWX, 7)
    assert result.outcome is JobActionOutcome.APPLIED
    assert result.doc is not None
    assert result.doc["status"] == "canceled"
    assert seen.count("GET /api/v2/workflow_jobs/") == 2


@pytest.mark.parametrize(
    ("source", "action"),
    [
        (JobSource.JOB_STORE, JobAction.CANCEL),
        (JobSource.JOB_STORE, JobAction.RETRY_TASK),
        (JobSource.AWX, JobAction.PAUSE),
        (JobSource.AWX, JobAction.RETRY_TASK),
        (JobSource.OPERATIONS_MANAGER, JobAction.RELAUNCH),
    ],
)
async def test_unsupported_actions_send_nothing(source: JobSource, action: JobAction) -> None:
    ctx, seen = context(lambda r: httpx.Response(500))
    key: str | int = 7 if source is JobSource.AWX else "a" * 24
    result = await act(ctx, action, source, key)
    assert result.outcome is JobActionOutcome.REFUSED
    assert [p.code for p in result.problems] == [Problem.UNSUPPORTED]
    assert seen == []


async def test_a_relaunch_refused_with_a_400_is_upstream_rejected_with_its_reason() -> None:
    reason = "Cannot relaunch slice workflow job orphaned from job template."

    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(400, json={"detail": reason})
        return httpx.Response(200, json={"count": 1, "results": [AWX_JOB]})

    ctx, _ = context(answer)
    result = await act(ctx, JobAction.RELAUNCH, JobSource.AWX, 7)
    assert result.outcome is JobActionOutcome.REFUSED
    [problem] = result.problems
    assert problem.code == Problem.UPSTREAM_REJECTED
    assert reason in problem.message
