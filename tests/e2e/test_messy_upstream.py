"""Seed 002's deliberately messy example answer, served as a real upstream answer.

Every typed field with a sensible value resolves; fields of unexpected shape
are null; the job never fails as a whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway.app import create_app
from gateway.background import BackgroundServer
from gateway.config import load_settings
from tests.conftest import complete_env
from tests.e2e.conftest import GatewayClient

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "seeds" / "002_c367ef4f925bc585.txt"


def seed_answer() -> dict[str, Any]:
    """The example answer of seed 002 (the line that starts the response envelope)."""
    for line in SEED.read_text().splitlines():
        if line.startswith('{ "message"'):
            answer: dict[str, Any] = json.loads(line)
            return answer
    raise AssertionError("seed 002 has no example answer")


@pytest.fixture
def messy_gateway() -> Iterator[GatewayClient]:
    answer = seed_answer()

    async def one(request: Request) -> JSONResponse:
        return JSONResponse(answer)

    async def search(request: Request) -> JSONResponse:
        ids = request.query_params.get("in[_id]", "").split(",")
        data = [answer["data"]] if answer["data"]["_id"] in ids or not ids[0] else []
        return JSONResponse(
            {
                "message": "ok",
                "data": data,
                "metadata": {"total": len(data), "skip": 0, "limit": 25},
            }
        )

    upstream = Starlette(
        routes=[
            Route("/operations-manager/jobs", search),
            Route("/operations-manager/jobs/{job_id}", one),
        ]
    )
    with BackgroundServer(upstream) as fake:
        settings = load_settings(complete_env(GATEWAY_OPSMANAGER_URL=fake.url))
        with BackgroundServer(create_app(settings)) as gateway:
            client = GatewayClient(gateway.url)
            yield client
            client.http.close()


QUERY = """{
  operationsJob(id: "e367395027ca38f90e4ffb15") {
    id source name state upstreamStatus createdAt updatedAt startedAt finishedAt
    elapsedSeconds owner opsId description type createdBy lastUpdatedBy progress
    ancestorIds groupIds
    parentReference { jobId task iteration element }
    parent { opsId }
    ancestors { opsId }
    errors { task message detail timestamp }
    warnings metrics tags decorators validationErrors variables transitions errorHandler
    groups watchers upstream
    tasks {
      taskId name summary description location app type actor status finishState
      startedAt finishedAt runTime variables iterations groups retrySettings x y upstream
      transitions { on taskId type }
      next { taskId }
    }
  }
}"""


def test_messy_answer_resolves_without_failing_the_job(messy_gateway: GatewayClient) -> None:
    body = messy_gateway.execute(QUERY)
    assert "errors" not in body, body.get("errors")
    job = body["data"]["operationsJob"]
    assert job["opsId"] == "e367395027ca38f90e4ffb15"
    assert job["source"] == "OPERATIONS_MANAGER"
    assert job["name"] == "myCoolDocumentName"
    assert (job["state"], job["upstreamStatus"]) == ("PAUSED", "paused")
    assert job["type"] == "resource:action"
    assert job["createdAt"] == "1998-04-24T08:08:09.588000+00:00"
    assert job["updatedAt"] == "2000-01-02T21:52:44.377000+00:00"
    # metrics.start_time/end_time are negative numbers: null, not an error.
    assert (job["startedAt"], job["finishedAt"], job["elapsedSeconds"]) == (None, None, None)
    assert job["progress"] == pytest.approx(0.8734826158576745)
    assert job["owner"] == "Pronghorn"
    assert job["createdBy"] == "fc3ea2855f59baae80d19164"
    assert job["lastUpdatedBy"] is None
    assert len(job["ancestorIds"]) == 5
    # groups mix ids and group objects: the ids of both.
    assert job["groupIds"] == [
        "1203e88723b7e8c736470f4f",
        "79676f8f3c41cf3c9199542f",
        "default",
        "c9c78a828391d5ba010887c8",
    ]
    # parent.iteration and parent.element are non-integral numbers: null.
    assert job["parentReference"] == {
        "jobId": "in ex",
        "task": "dolor",
        "iteration": None,
        "element": None,
    }
    assert job["parent"] is None
    assert job["ancestors"] == []
    errors = job["errors"]
    assert len(errors) == 5
    assert errors[0]["timestamp"] == "2021-07-26T18:10:02.574000+00:00"
    assert errors[0]["message"].startswith("Job has no available transitions")
    structured = errors[4]
    assert isinstance(structured["detail"], dict)
    assert "Missing one of the following required instances" in structured["message"]
    tasks = {t["taskId"]: t for t in job["tasks"]}
    assert set(tasks) == {"workflow_start", "workflow_end", "error_handler", "1a1"}
    handler = tasks["error_handler"]
    assert handler["name"] == "childJob"
    assert handler["startedAt"] == "2014-03-08T20:36:56.848000+00:00"
    assert handler["finishedAt"] is None
    assert handler["finishState"] == "failure"
    assert handler["type"] == "operation"
    assert [t["taskId"] for t in handler["next"]] == [
        "error_handler",
        "workflow_start",
        "workflow_end",
    ]
    start = tasks["workflow_start"]
    assert start["startedAt"] is None
    assert start["finishState"] == "error"
    assert start["transitions"] == []
    assert tasks["workflow_end"]["runTime"] is None
    assert job["upstream"]["font_size"] == 93948224
