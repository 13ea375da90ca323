"""The POST lane (:mod:`gateway.graphql_post_lane`) answers as the view does, or lets it answer."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.graphql_post_lane import GraphQLPostLane
from sandbox.server import SandboxThread
from tests.e2e.conftest import CSRF, GatewayClient, set_faults
from tests.e2e.metrics_reading import scrape, value
from tests.e2e.test_fast_path import without_request_ids


@pytest.fixture
def lane_answers(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether the lane answered each POST it saw (``False``: the app did)."""
    answered: list[bool] = []
    original = GraphQLPostLane._answer

    async def spy(self: GraphQLPostLane, *args: Any) -> tuple[dict[str, Any] | None, str | None]:
        answer, looked_up = await original(self, *args)
        answered.append(answer is not None)
        return answer, looked_up

    monkeypatch.setattr(GraphQLPostLane, "_answer", spy)
    return answered


QUERY = "query($id: Int!) { workflowJob(id: $id) { id name state jobTemplate { name } } }"


def test_a_checked_query_is_answered_by_the_lane_as_by_the_view(
    gateway: GatewayClient, lane_answers: list[bool]
) -> None:
    body = {"query": QUERY, "variables": {"id": 7}}
    by_view = gateway.http.post("/graphql", json=body)
    by_lane = gateway.http.post("/graphql", json=body)

    assert lane_answers == [False, True]
    assert by_lane.status_code == by_view.status_code == 200
    assert by_lane.headers["content-type"] == by_view.headers["content-type"]
    assert without_request_ids(by_lane.json()) == without_request_ids(by_view.json())
    assert by_lane.headers["x-request-id"] != by_view.headers["x-request-id"]
    assert by_lane.json()["data"]["workflowJob"]["name"]


@pytest.mark.parametrize(
    ("content", "headers", "status", "code"),
    [
        (b"{not json", {"content-type": "application/json"}, 400, "BAD_REQUEST"),
        (b"[]", {"content-type": "application/json"}, 400, "BAD_REQUEST"),
        (b'{"query": 42}', {"content-type": "application/json"}, 400, "BAD_REQUEST"),
        (b'{"query": "{ __typename }"}', {"content-type": "text/plain"}, 400, "CSRF_PREVENTED"),
        (b'{"query": "{ __typename }"}', {"content-type": "text/plain", **CSRF}, 415, None),
    ],
)
def test_what_the_lane_declines_the_view_refuses(
    gateway: GatewayClient,
    lane_answers: list[bool],
    content: bytes,
    headers: dict[str, str],
    status: int,
    code: str | None,
) -> None:
    response = gateway.http.post("/graphql", content=content, headers=headers)

    assert response.status_code == status
    assert response.json()["errors"][0]["extensions"]["code"] == (code or "UNSUPPORTED_MEDIA_TYPE")
    assert True not in lane_answers


def test_a_checked_query_with_the_dry_run_header_goes_to_the_view(
    gateway: GatewayClient, lane_answers: list[bool]
) -> None:
    body = {"query": QUERY, "variables": {"id": 7}}
    gateway.http.post("/graphql", json=body)

    dry = gateway.http.post("/graphql", json=body, headers={"X-Cost-Dry-Run": "true"})

    assert dry.json().get("data") is None
    assert dry.json()["extensions"]["cost"]["estimated"] > 0
    assert lane_answers == [False]  # the dry run never reached the lane's answer


def test_a_body_over_the_limit_is_refused_even_when_its_length_is_not_declared(
    start_gateway: Any, lane_answers: list[bool]
) -> None:
    gateway = start_gateway(GATEWAY_MAX_BODY_BYTES="2000")
    padding = " " * 4000

    def chunks() -> Any:
        yield b'{"query": "{ __typename }'
        yield padding.encode()
        yield b'"}'

    response = gateway.http.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )

    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert lane_answers == []


def test_answers_of_the_lane_are_observed_as_the_views_are(
    gateway: GatewayClient, lane_answers: list[bool], sandbox: SandboxThread
) -> None:
    query = "query Seven { workflowJob(id: 7) { name } bad: workflowJob(id: 8) { name } }"
    gateway.execute(query)  # by the view
    set_faults(sandbox, "awx", mode="malformed", error_rate=1.0)
    before = scrape(gateway)

    answer = gateway.http.post("/graphql", json={"query": query})

    after = scrape(gateway)
    assert lane_answers == [False, True]
    errors = answer.json()["errors"]
    assert [e["path"] for e in errors] == [["workflowJob"], ["bad"]]  # one batched call failed
    assert {e["extensions"]["requestId"] for e in errors} == {answer.headers["x-request-id"]}
    counted = value(after, "gateway_graphql_requests_total", operation="Seven", outcome="errors")
    assert (
        counted
        - value(before, "gateway_graphql_requests_total", operation="Seven", outcome="errors")
        == 1
    )
    assert value(after, "gateway_graphql_requests_in_flight") == 0
