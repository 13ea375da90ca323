"""An AWX that leaves fields out or sends odd shapes: the drill-down degrades field by field."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway.app import create_app
from gateway.background import BackgroundServer
from gateway.config import load_settings
from schema.core.ids import to_global_id
from tests.conftest import complete_env
from tests.e2e.conftest import GatewayClient

WORKFLOW_JOB = {"id": 1, "type": "workflow_job", "name": "wf", "status": "failed"}
NODES = [
    {"id": 10, "workflow_job": 1, "job": 100},
    {"id": 11, "workflow_job": 1, "job": 101},
    {"id": 12, "workflow_job": 1, "job": None},
    {"id": 13, "workflow_job": 1, "job": 999},
]
UNIFIED = [
    # a playbook job with almost nothing: no status, no times, a string for forks
    {"id": 100, "type": "job", "forks": "many", "failed": "yes"},
    # a type the gateway has no type of its own for
    {"id": 101, "type": "system_job", "status": "successful", "elapsed": -3},
]


def _page(results: list[dict[str, Any]]) -> JSONResponse:
    return JSONResponse({"count": len(results), "next": None, "previous": None, "results": results})


@pytest.fixture
def sparse_gateway() -> Iterator[GatewayClient]:
    async def workflow_jobs(request: Request) -> JSONResponse:
        return _page([WORKFLOW_JOB])

    async def nodes(request: Request) -> JSONResponse:
        return _page(NODES)

    async def unified(request: Request) -> JSONResponse:
        wanted = set(request.query_params.get("id__in", "").split(","))
        return _page([doc for doc in UNIFIED if str(doc["id"]) in wanted])

    async def detail(request: Request) -> JSONResponse:
        return JSONResponse({"id": 100, "type": "job", "host_status_counts": {}})

    async def stdout(request: Request) -> JSONResponse:
        return JSONResponse({"content": "no range here"})

    upstream = Starlette(
        routes=[
            Route("/api/v2/workflow_jobs/", workflow_jobs),
            Route("/api/v2/workflow_job_nodes/", nodes),
            Route("/api/v2/unified_jobs/", unified),
            Route("/api/v2/jobs/{id}/", detail),
            Route("/api/v2/jobs/{id}/stdout/", stdout),
        ]
    )
    with BackgroundServer(upstream) as fake:
        settings = load_settings(complete_env(GATEWAY_AWX_URL=fake.url))
        with BackgroundServer(create_app(settings)) as gateway:
            client = GatewayClient(gateway.url)
            yield client
            client.http.close()


QUERY = """{
  workflowJobs(first: 5) { edges { node { nodes { awxId job {
    __typename awxId type state upstreamStatus startedAt finishedAt elapsedSeconds failed
    launchType jobExplanation
    ... on PlaybookJob { forks playbook jobTemplate { name } hostStatusCounts { total } }
  } } } } }
}"""


def test_missing_and_odd_fields_are_null_and_the_jobs_still_resolve(
    sparse_gateway: GatewayClient,
) -> None:
    body = sparse_gateway.execute(QUERY)
    assert "errors" not in body, body.get("errors")
    nodes = body["data"]["workflowJobs"]["edges"][0]["node"]["nodes"]
    jobs = {node["awxId"]: node["job"] for node in nodes}
    assert jobs[12] is None, "a node that spawned nothing"
    assert jobs[13] is None, "a job AWX no longer has"
    playbook = jobs[10]
    assert playbook["__typename"] == "PlaybookJob"
    assert (playbook["state"], playbook["upstreamStatus"]) == ("UNKNOWN", None)
    assert (playbook["startedAt"], playbook["finishedAt"], playbook["elapsedSeconds"]) == (
        None,
        None,
        None,
    )
    assert (playbook["failed"], playbook["forks"], playbook["playbook"]) == (None, None, None)
    assert playbook["jobTemplate"] is None
    assert playbook["hostStatusCounts"] is None, "AWX's {} before the stats: null"
    other = jobs[11]
    assert other["__typename"] == "OtherAwxJob"
    assert (other["type"], other["state"]) == ("system_job", "SUCCEEDED")
    assert other["elapsedSeconds"] is None, "a negative elapsed is no figure"


def test_an_output_answer_without_its_range_is_a_coded_error(
    sparse_gateway: GatewayClient,
) -> None:
    body = sparse_gateway.execute(
        "query($id: ID!) { node(id: $id) { ... on PlaybookJob { awxId stdout { totalCount } } } }",
        {"id": to_global_id("PlaybookJob", 100)},
    )
    assert body["data"]["node"] is None or body["data"]["node"]["stdout"] is None
    error = body["errors"][0]
    assert error["extensions"]["code"] == "UPSTREAM_BAD_RESPONSE"
    assert error["path"][-1] == "stdout"
