"""Persisted operations over real sockets: APQ over POST and GET, trusted documents, GET caching."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from gateway.trusted_documents import sha256_hex
from tests.e2e.conftest import CSRF, GatewayClient, GatewayFactory
from tests.e2e.test_post_lane import lane_answers  # noqa: F401  (a fixture)

QUERY = "query Seven { workflowJob(id: 7) { id name } }"
TRUSTED = "query Trusted { workflowJob(id: 7) { name } }"


def persisted(query: str, version: int = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": sha256_hex(query)}}


def get(gateway: GatewayClient, **params: Any) -> httpx.Response:
    encoded = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in params.items()}
    return gateway.http.get(
        "/graphql", params=encoded, headers={"accept": "application/json", **CSRF}
    )


def only_error(response: httpx.Response) -> dict[str, Any]:
    [error] = response.json()["errors"]
    assert error["extensions"]["requestId"] == response.headers["x-request-id"]
    result: dict[str, Any] = error
    return result


def test_apq_over_post_miss_then_register_then_hit(gateway: GatewayClient) -> None:
    miss = gateway.http.post("/graphql", json={"extensions": persisted(QUERY)})
    assert miss.status_code == 200
    error = only_error(miss)
    assert error["message"] == "PersistedQueryNotFound"
    assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert miss.json().get("data") is None

    registered = gateway.http.post(
        "/graphql", json={"query": QUERY, "extensions": persisted(QUERY)}
    )
    assert registered.status_code == 200
    assert registered.json()["data"]["workflowJob"]["id"]

    hit = gateway.http.post("/graphql", json={"extensions": persisted(QUERY)})
    assert hit.status_code == 200
    assert hit.json()["data"] == registered.json()["data"]


def test_apq_over_get_miss_then_register_then_hit(gateway: GatewayClient) -> None:
    miss = get(gateway, extensions=persisted(QUERY))
    assert miss.status_code == 200
    assert only_error(miss)["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert miss.headers["cache-control"] == "private, max-age=0"

    registered = get(gateway, query=QUERY, extensions=persisted(QUERY))
    assert registered.status_code == 200
    assert registered.json()["data"]["workflowJob"]["name"]

    hit = get(gateway, extensions=persisted(QUERY))
    assert hit.status_code == 200
    assert hit.json()["data"] == registered.json()["data"]


def test_a_hash_only_post_of_a_known_query_takes_the_lane(
    gateway: GatewayClient,
    lane_answers: list[bool],  # noqa: F811
) -> None:
    gateway.http.post("/graphql", json={"query": QUERY, "extensions": persisted(QUERY)})
    hit = gateway.http.post("/graphql", json={"extensions": persisted(QUERY)})

    assert hit.json()["data"]["workflowJob"]["name"]
    assert lane_answers == [False, True]  # registered by the view, then answered by the lane


def test_a_miss_is_not_answered_by_the_lane(
    gateway: GatewayClient,
    lane_answers: list[bool],  # noqa: F811
) -> None:
    miss = gateway.http.post("/graphql", json={"extensions": persisted(QUERY)})
    assert only_error(miss)["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert True not in lane_answers


@pytest.mark.parametrize(
    "body",
    [
        {"query": QUERY, "extensions": persisted("{ __typename }")},  # hash of another text
        {"extensions": persisted(QUERY, version=2)},
        {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "abc"}}},
        {"documentId": "md5:abc"},
    ],
)
def test_bad_persisted_requests_are_a_coded_400(
    gateway: GatewayClient, body: dict[str, Any]
) -> None:
    response = gateway.http.post("/graphql", json=body)
    assert response.status_code == 400
    assert only_error(response)["extensions"]["code"] == "BAD_REQUEST"

    follow_up = gateway.http.post("/graphql", json={"extensions": persisted(QUERY)})
    assert only_error(follow_up)["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


def test_with_apq_off_a_hash_is_not_supported(start_gateway: GatewayFactory) -> None:
    gateway = start_gateway(GATEWAY_APQ="false")
    gateway.http.post("/graphql", json={"query": QUERY, "extensions": persisted(QUERY)})
    response = gateway.http.post("/graphql", json={"extensions": persisted(QUERY)})
    assert response.status_code == 200
    assert only_error(response)["extensions"]["code"] == "PERSISTED_QUERY_NOT_SUPPORTED"


@pytest.fixture
def trusted_gateway(start_gateway: GatewayFactory, tmp_path: Path) -> GatewayClient:
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({sha256_hex(TRUSTED): TRUSTED}))
    return start_gateway(
        GATEWAY_TRUSTED_DOCUMENTS=str(manifest), GATEWAY_TRUSTED_DOCUMENTS_ONLY="true"
    )


def test_trusted_only_accepts_the_manifest_by_hash_by_id_and_by_text(
    trusted_gateway: GatewayClient,
) -> None:
    by_text = trusted_gateway.http.post("/graphql", json={"query": TRUSTED})
    by_hash = trusted_gateway.http.post("/graphql", json={"extensions": persisted(TRUSTED)})
    by_id = trusted_gateway.http.post(
        "/graphql", json={"documentId": f"sha256:{sha256_hex(TRUSTED)}"}
    )
    by_get = get(trusted_gateway, documentId=f"sha256:{sha256_hex(TRUSTED)}")

    for response in (by_text, by_hash, by_id, by_get):
        assert response.status_code == 200, response.text
        assert response.json()["data"]["workflowJob"]["name"]
        assert "errors" not in response.json()


@pytest.mark.parametrize(
    "body",
    [
        {"query": QUERY},
        {"query": QUERY, "extensions": persisted(QUERY)},  # an APQ registration
    ],
)
def test_trusted_only_refuses_any_other_document(
    trusted_gateway: GatewayClient, body: dict[str, Any]
) -> None:
    response = trusted_gateway.http.post("/graphql", json=body)
    assert response.status_code == 403
    assert only_error(response)["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"

    over_get = get(trusted_gateway, **body)
    assert over_get.status_code == 403
    assert only_error(over_get)["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"

    afterwards = trusted_gateway.http.post("/graphql", json={"extensions": persisted(QUERY)})
    assert only_error(afterwards)["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


def test_trusted_only_refuses_the_websocket(trusted_gateway: GatewayClient) -> None:
    url = trusted_gateway.url.replace("http://", "ws://") + "/graphql"
    with pytest.raises(InvalidStatus) as excinfo:
        connect(url, subprotocols=["graphql-transport-ws"], open_timeout=10)
    assert excinfo.value.response.status_code == 403


def test_get_query_answers_carry_cache_headers(start_gateway: GatewayFactory) -> None:
    default = start_gateway()
    cached = start_gateway(GATEWAY_GET_CACHE_SECONDS="60")

    plain = get(default, query=QUERY)
    assert plain.status_code == 200
    assert plain.headers["cache-control"] == "private, max-age=0"
    assert plain.headers["vary"] == "Authorization"

    kept = get(cached, query=QUERY)
    assert kept.json()["data"]["workflowJob"]["name"]
    assert kept.headers["cache-control"] == "private, max-age=60"
    assert kept.headers["vary"] == "Authorization"

    failed = get(cached, query="{ nope }")
    assert failed.json()["errors"]
    assert failed.headers["cache-control"] == "private, max-age=0"

    posted = cached.http.post("/graphql", json={"query": QUERY})
    assert "cache-control" not in posted.headers


def test_a_mutation_over_get_stays_refused(gateway: GatewayClient) -> None:
    mutation = "mutation { createFlowJob(input: {}) { userErrors { message } } }"
    response = get(gateway, query=mutation)
    assert response.status_code == 405
    assert only_error(response)["extensions"]["code"] == "METHOD_NOT_ALLOWED"

    gateway.http.post("/graphql", json={"query": mutation, "extensions": persisted(mutation)})
    by_hash = get(gateway, extensions=persisted(mutation))
    assert by_hash.status_code == 405
    assert only_error(by_hash)["extensions"]["code"] == "METHOD_NOT_ALLOWED"
