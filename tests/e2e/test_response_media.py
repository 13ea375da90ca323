"""GraphQL over HTTP: application/graphql-response+json and its status codes, legacy JSON kept."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.response_media import accepts_graphql_response, is_request_error
from tests.e2e.conftest import GatewayClient

NEW = {"accept": "application/graphql-response+json, application/json;q=0.9"}
QUERY = "query($id: Int!) { workflowJob(id: $id) { name } }"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("application/graphql-response+json", True),
        ("application/json, application/graphql-response+json;q=0.5", True),
        ("application/graphql-response+json;q=0", False),
        ("application/json", False),
        ("", False),
        ("*/*", False),
    ],
)
def test_accept_header_reading(accept: str, expected: bool) -> None:
    assert accepts_graphql_response(accept) is expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ({"data": None, "errors": [{"message": "x"}]}, True),
        ({"data": None, "errors": [{"message": "x", "path": ["a"]}]}, False),
        ({"data": {"a": 1}, "errors": [{"message": "x"}]}, False),
        ({"data": None}, False),
    ],
)
def test_a_request_error_has_no_data_and_no_located_error(
    answer: dict[str, Any], expected: bool
) -> None:
    assert is_request_error(answer) is expected


def test_a_validation_error_is_400_without_data_for_new_clients(gateway: GatewayClient) -> None:
    response = gateway.http.post("/graphql", json={"query": "{ nope }"}, headers=NEW)

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/graphql-response+json")
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_a_validation_error_stays_200_with_null_data_for_legacy_clients(
    gateway: GatewayClient,
) -> None:
    response = gateway.http.post("/graphql", json={"query": "{ nope }"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["data"] is None


def test_a_bad_variable_of_a_checked_query_is_400_on_the_lane_too(gateway: GatewayClient) -> None:
    ok = gateway.http.post("/graphql", json={"query": QUERY, "variables": {"id": 7}}, headers=NEW)
    again = gateway.http.post(
        "/graphql", json={"query": QUERY, "variables": {"id": 7}}, headers=NEW
    )
    bad = gateway.http.post(
        "/graphql", json={"query": QUERY, "variables": {"id": "seven"}}, headers=NEW
    )

    assert ok.status_code == again.status_code == 200
    assert again.headers["content-type"].startswith("application/graphql-response+json")
    assert again.json()["data"]["workflowJob"]["name"]
    assert bad.status_code == 400
    assert "data" not in bad.json()


def test_an_executed_operation_with_field_errors_is_200(gateway: GatewayClient) -> None:
    response = gateway.http.post(
        "/graphql", json={"query": "{ workflowJobs(first: 100000) { totalCount } }"}, headers=NEW
    )

    assert response.status_code == 200
    body = response.json()
    assert "data" in body
    assert body["errors"][0]["path"] == ["workflowJobs"]
