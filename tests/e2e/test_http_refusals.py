"""Requests refused before GraphQL runs: GraphQL-shaped JSON, a code, a 4xx, no traceback."""

from __future__ import annotations

import logging

import httpx
import pytest

from tests.e2e.conftest import CSRF, GatewayClient

JSON = {"content-type": "application/json"}


@pytest.mark.parametrize(
    ("content", "headers", "status", "code"),
    [
        (b"null", JSON, 400, "BAD_REQUEST"),
        (b"42", JSON, 400, "BAD_REQUEST"),
        (b'"x"', JSON, 400, "BAD_REQUEST"),
        (b"[]", JSON, 400, "BAD_REQUEST"),
        (b'[{"query": "{ __typename }"}]', JSON, 400, "BAD_REQUEST"),
        (b"{not json", JSON, 400, "BAD_REQUEST"),
        (b"\xff\xfe", JSON, 400, "BAD_REQUEST"),
        (b'{"query": 1}', JSON, 400, "BAD_REQUEST"),
        (b'{"query": "{ __typename }", "variables": [1]}', JSON, 400, "BAD_REQUEST"),
        (b'{"query": "{ __typename }", "operationName": 3}', JSON, 400, "BAD_REQUEST"),
        (b'{"variables": {}}', JSON, 400, "BAD_REQUEST"),
        (b"{ __typename }", {"content-type": "text/plain", **CSRF}, 415, "UNSUPPORTED_MEDIA_TYPE"),
        (b'{"query": "{ __typename }"}', CSRF, 415, "UNSUPPORTED_MEDIA_TYPE"),
        # a body a page could post cross-site without a preflight: CSRF prevention refuses it
        (b"{ __typename }", {"content-type": "text/plain"}, 400, "CSRF_PREVENTED"),
        (b'{"query": "{ __typename }"}', {}, 400, "CSRF_PREVENTED"),
    ],
)
def test_bad_posts_get_a_coded_4xx(
    gateway: GatewayClient,
    caplog: pytest.LogCaptureFixture,
    content: bytes,
    headers: dict[str, str],
    status: int,
    code: str,
) -> None:
    with caplog.at_level(logging.INFO):
        response = gateway.http.post("/graphql", content=content, headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    [error] = response.json()["errors"]
    request_id = response.headers["x-request-id"]
    assert error["extensions"] == {"code": code, "requestId": request_id}
    assert error["message"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def test_other_methods_and_get_mutations_are_405(gateway: GatewayClient) -> None:
    put = gateway.http.put("/graphql", json={"query": "{ __typename }"})
    assert put.status_code == 405
    assert put.headers["allow"] == "GET, POST"
    assert put.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    mutation = "mutation { createFlowJob(input: {}) { userErrors { message } } }"
    get = gateway.http.get("/graphql", params={"query": mutation}, headers=CSRF)
    assert get.status_code == 405
    assert get.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


def test_refusals_follow_the_accepted_graphql_media_type(gateway: GatewayClient) -> None:
    response = gateway.http.post(
        "/graphql",
        content=b"null",
        headers={**JSON, "accept": "application/graphql-response+json, application/json"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/graphql-response+json"
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def test_bad_get_variables_are_a_coded_400(gateway: GatewayClient) -> None:
    response = httpx.get(
        f"{gateway.url}/graphql",
        params={"query": "{ __typename }", "variables": "{nope"},
        headers=CSRF,
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
