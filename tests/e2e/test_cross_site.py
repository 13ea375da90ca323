"""Browsers on other sites, over real sockets: CSRF prevention, CORS and the WebSocket's Origin.

See :mod:`gateway.csrf` and :mod:`gateway.cors`.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from gateway.csrf import PREFLIGHT_HEADERS
from sandbox.server import SandboxThread
from tests.e2e.conftest import (
    CSRF,
    GatewayClient,
    GatewayFactory,
    reset_counts,
    upstream_requests,
    upstream_total,
)
from tests.e2e.test_post_lane import lane_answers  # noqa: F401 - a fixture

QUERY = "{ workflowJob(id: 7) { awxId name } }"
CREATE = (
    'mutation { createFlowJob(input: {jobTitle: "csrf", clientJobId: "%s"})'
    " { created userErrors { field } } }"
)
APP = "https://app.example.com"
EVIL = "https://evil.example.net"


def only_code(response: httpx.Response) -> str:
    [error] = response.json()["errors"]
    code: str = error["extensions"]["code"]
    return code


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain",
        "text/plain;charset=UTF-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "TEXT/PLAIN",
    ],
)
def test_a_post_a_page_could_send_cross_site_runs_nothing(
    sandbox: SandboxThread, gateway: GatewayClient, content_type: str | None
) -> None:
    client_job_id = str(uuid.uuid4())
    headers = {} if content_type is None else {"content-type": content_type}
    body = json.dumps({"query": CREATE % client_job_id}).encode()
    reset_counts(sandbox)

    response = gateway.http.post("/graphql", content=body, headers=headers)

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert only_code(response) == "CSRF_PREVENTED"
    assert "X-GraphQL-CSRF" in response.json()["errors"][0]["message"]
    assert upstream_total(sandbox, "jobstore") == 0  # no create, no look-up: nothing ran


def test_a_get_query_needs_a_preflight_header(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    reset_counts(sandbox)
    plain = gateway.http.get("/graphql", params={"query": QUERY})
    typed = gateway.http.get(
        "/graphql",
        params={"query": QUERY},
        headers={"accept": "application/graphql-response+json"},
    )
    empty = gateway.http.get("/graphql", params={"query": QUERY}, headers={"X-GraphQL-CSRF": ""})
    simple = gateway.http.get(
        "/graphql", params={"query": QUERY}, headers={"content-type": "text/plain"}
    )
    for refused in (plain, typed, empty, simple):
        assert refused.status_code == 400
        assert only_code(refused) == "CSRF_PREVENTED"
    assert typed.headers["content-type"] == "application/graphql-response+json"
    assert upstream_total(sandbox, "awx") == 0

    for name in PREFLIGHT_HEADERS:
        answer = gateway.http.get("/graphql", params={"query": QUERY}, headers={name: "1"})
        assert answer.status_code == 200, answer.text
        assert answer.json()["data"]["workflowJob"]["awxId"] == 7
    json_typed = gateway.http.get(
        "/graphql", params={"query": QUERY}, headers={"content-type": "application/json"}
    )
    assert json_typed.json()["data"]["workflowJob"]["awxId"] == 7


def test_a_get_mutation_without_the_header_is_refused_as_csrf(gateway: GatewayClient) -> None:
    mutation = CREATE % uuid.uuid4()
    assert only_code(gateway.http.get("/graphql", params={"query": mutation})) == "CSRF_PREVENTED"
    with_header = gateway.http.get("/graphql", params={"query": mutation}, headers=CSRF)
    assert with_header.status_code == 405
    assert only_code(with_header) == "METHOD_NOT_ALLOWED"


def test_the_graphiql_page_stays_open(gateway: GatewayClient) -> None:
    page = gateway.http.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")


def test_csrf_prevention_can_be_turned_off(start_gateway: GatewayFactory) -> None:
    open_gateway = start_gateway(GATEWAY_CSRF_PREVENTION="false")
    got = open_gateway.http.get("/graphql", params={"query": QUERY})
    assert got.status_code == 200
    assert got.json()["data"]["workflowJob"]["awxId"] == 7
    posted = open_gateway.http.post(
        "/graphql", content=b"{}", headers={"content-type": "text/plain"}
    )
    assert posted.status_code == 415
    assert only_code(posted) == "UNSUPPORTED_MEDIA_TYPE"


def test_without_cors_origins_no_cors_header_is_sent(gateway: GatewayClient) -> None:
    posted = gateway.http.post("/graphql", json={"query": QUERY}, headers={"origin": APP})
    preflight = gateway.http.options(
        "/graphql", headers={"origin": APP, "access-control-request-method": "POST"}
    )
    for response in (posted, preflight):
        assert not [h for h in response.headers if h.startswith("access-control-")]
    assert preflight.status_code == 405  # the view's answer: no CORS layer in front of it
    assert only_code(preflight) == "METHOD_NOT_ALLOWED"


def test_a_preflight_from_an_allowed_origin_is_answered(start_gateway: GatewayFactory) -> None:
    gateway = start_gateway(GATEWAY_CORS_ORIGINS=f"{APP}, http://localhost:5173")
    asked = "content-type, authorization, x-graphql-csrf, traceparent, x-request-id"
    preflight = gateway.http.options(
        "/graphql",
        headers={
            "origin": APP,
            "access-control-request-method": "POST",
            "access-control-request-headers": asked,
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == APP
    assert set(preflight.headers["access-control-allow-methods"].split(", ")) == {
        "GET",
        "POST",
        "OPTIONS",
    }
    allowed = {
        h.strip().lower() for h in preflight.headers["access-control-allow-headers"].split(",")
    }
    assert {h.strip() for h in asked.split(",")} <= allowed
    assert preflight.headers["access-control-max-age"] == "600"
    assert "access-control-allow-credentials" not in preflight.headers

    refused = gateway.http.options(
        "/graphql", headers={"origin": EVIL, "access-control-request-method": "POST"}
    )
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers


def test_every_answer_to_an_allowed_origin_carries_cors_headers(
    start_gateway: GatewayFactory,
    lane_answers: list[bool],  # noqa: F811
) -> None:
    gateway = start_gateway(GATEWAY_CORS_ORIGINS=APP, GATEWAY_CORS_MAX_AGE="60")
    origin = {"origin": APP}
    by_view = gateway.http.post("/graphql", json={"query": QUERY}, headers=origin)
    by_lane = gateway.http.post("/graphql", json={"query": QUERY}, headers=origin)
    assert lane_answers == [False, True]
    csrf = gateway.http.get("/graphql", params={"query": QUERY}, headers=origin)
    wrong_type = gateway.http.post(
        "/graphql", content=b"{}", headers={**origin, **CSRF, "content-type": "text/plain"}
    )
    got = gateway.http.get("/graphql", params={"query": QUERY}, headers={**origin, **CSRF})
    statuses = [r.status_code for r in (by_view, by_lane, csrf, wrong_type, got)]
    assert statuses == [200, 200, 400, 415, 200]
    for response in (by_view, by_lane, csrf, wrong_type, got):
        assert response.headers["access-control-allow-origin"] == APP
        assert "Origin" in response.headers["vary"]
        assert response.headers["access-control-expose-headers"].lower() == "x-request-id"
    assert by_lane.json()["data"]["workflowJob"]["awxId"] == 7

    elsewhere = gateway.http.post("/graphql", json={"query": QUERY}, headers={"origin": EVIL})
    assert elsewhere.status_code == 200  # CORS only tells the browser not to show it
    assert "access-control-allow-origin" not in elsewhere.headers
    max_age = gateway.http.options(
        "/graphql", headers={**origin, "access-control-request-method": "GET"}
    )
    assert max_age.headers["access-control-max-age"] == "60"


def test_any_origin_without_credentials(start_gateway: GatewayFactory) -> None:
    gateway = start_gateway(GATEWAY_CORS_ORIGINS="*")
    posted = gateway.http.post("/graphql", json={"query": QUERY}, headers={"origin": EVIL})
    assert posted.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in posted.headers


def _ws_query(url: str, **headers: str) -> dict[str, Any]:
    """One query over graphql-transport-ws with ``headers`` on the handshake; its ``next``."""
    with connect(
        url, subprotocols=["graphql-transport-ws"], open_timeout=10, additional_headers=headers
    ) as ws:
        ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(ws.recv(timeout=10))["type"] == "connection_ack"
        ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": QUERY}}))
        message: dict[str, Any] = json.loads(ws.recv(timeout=10))
        return message


def test_a_websocket_from_another_origin_is_refused(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = start_gateway(GATEWAY_CORS_ORIGINS=APP)
    url = gateway.url.replace("http://", "ws://") + "/graphql"
    reset_counts(sandbox)
    with pytest.raises(InvalidStatus) as excinfo:
        _ws_query(url, Origin=EVIL)
    assert excinfo.value.response.status_code == 403  # refused before the handshake completes
    assert upstream_requests(sandbox, "awx") == {}

    # a listed origin, a client that is no browser, a page the gateway served itself
    for headers in ({"Origin": APP}, {}, {"Origin": gateway.url}):
        message = _ws_query(url, **headers)
        assert message["type"] == "next", headers
        assert message["payload"]["data"]["workflowJob"]["awxId"] == 7


def test_without_cors_origins_only_same_origin_websockets_connect(gateway: GatewayClient) -> None:
    url = gateway.url.replace("http://", "ws://") + "/graphql"
    with pytest.raises(InvalidStatus) as excinfo:
        _ws_query(url, Origin=APP)
    assert excinfo.value.response.status_code == 403
    assert _ws_query(url, Origin=gateway.url)["type"] == "next"
    assert _ws_query(url)["type"] == "next"


def test_any_origin_may_open_the_websocket_with_a_star(start_gateway: GatewayFactory) -> None:
    gateway = start_gateway(GATEWAY_CORS_ORIGINS="*")
    url = gateway.url.replace("http://", "ws://") + "/graphql"
    assert _ws_query(url, Origin=EVIL)["type"] == "next"
