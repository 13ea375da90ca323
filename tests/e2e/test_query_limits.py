"""Query limits over a real server: refused with codes on POST, GET and the WebSocket."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from gateway.app import create_app
from gateway.background import BackgroundServer
from sandbox.server import SandboxThread
from tests.e2e.conftest import CSRF, GatewayClient, GatewayFactory, gateway_settings
from tests.schema.test_limits import chain, fan_out

BOMB = "query Bomb { ...F0 }\n" + fan_out(30)


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body["errors"]]


def test_a_fragment_bomb_is_refused_over_post_and_get(gateway: GatewayClient) -> None:
    posted = gateway.execute(BOMB)
    got = gateway.http.get("/graphql", params={"query": BOMB}, headers=CSRF)
    assert got.status_code == 200, got.text
    for body in (posted, got.json()):
        assert codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
        assert body["errors"][0]["extensions"]["limit"] == "GATEWAY_MAX_ROOT_FIELDS"
        assert body.get("data") is None


def test_a_long_fragment_chain_is_refused_with_a_code(start_gateway: GatewayFactory) -> None:
    default = start_gateway()
    assert codes(default.execute(chain(5000))) == ["GRAPHQL_PARSE_FAILED"]
    roomy = start_gateway(GATEWAY_MAX_QUERY_TOKENS="10000000", GATEWAY_MAX_QUERY_LENGTH="10000000")
    assert codes(roomy.execute(chain(5000))) == ["QUERY_TOO_COMPLEX"]


def test_too_many_aliases_or_tokens_are_refused(start_gateway: GatewayFactory) -> None:
    gateway = start_gateway(GATEWAY_MAX_ALIASES="3", GATEWAY_MAX_QUERY_TOKENS="200")
    aliases = gateway.execute("{ a: __typename b: __typename c: __typename d: __typename }")
    assert codes(aliases) == ["GRAPHQL_VALIDATION_FAILED"]
    assert aliases["errors"][0]["extensions"]["limit"] == "GATEWAY_MAX_ALIASES"
    tokens = gateway.execute("{ " + "__typename " * 201 + "}")
    assert codes(tokens) == ["GRAPHQL_PARSE_FAILED"]


def test_an_unknown_fragment_is_a_coded_validation_error(gateway: GatewayClient) -> None:
    body = gateway.execute("query { ...Nope }", headers={"X-Request-ID": "r-1"})
    assert body["errors"] == [
        {
            "message": "Unknown fragment 'Nope'.",
            "locations": [{"line": 1, "column": 12}],
            "extensions": {"code": "GRAPHQL_VALIDATION_FAILED", "requestId": "r-1"},
        }
    ]


def test_no_suggestions_when_introspection_is_off(start_gateway: GatewayFactory) -> None:
    gateway = start_gateway(GATEWAY_INTROSPECTION="false")
    body = gateway.execute("{ flowJobz { name } }")
    messages = [e["message"] for e in body["errors"]]
    assert messages == ["Cannot query field 'flowJobz' on type 'Query'."]


@contextmanager
def ws_session(gateway: GatewayClient) -> Iterator[ClientConnection]:
    """A graphql-transport-ws connection, acknowledged."""
    url = gateway.url.replace("http://", "ws://") + "/graphql"
    with connect(url, subprotocols=["graphql-transport-ws"], open_timeout=10, max_size=None) as ws:
        ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(ws.recv(timeout=10))["type"] == "connection_ack"
        yield ws


def subscribe(ws: ClientConnection, op_id: str, query: str) -> None:
    ws.send(json.dumps({"id": op_id, "type": "subscribe", "payload": {"query": query}}))


def test_websocket_limits_answer_coded_errors_and_the_connection_stays(
    start_gateway: GatewayFactory,
) -> None:
    gateway = start_gateway(GATEWAY_MAX_QUERY_LENGTH=str(len(BOMB)))
    with ws_session(gateway) as ws:
        subscribe(ws, "long", "{ __typename }" + " " * len(BOMB))
        refused = json.loads(ws.recv(timeout=10))
        assert refused["type"] == "error"
        assert refused["id"] == "long"
        assert [e["extensions"]["code"] for e in refused["payload"]] == ["GRAPHQL_PARSE_FAILED"]
        subscribe(ws, "bomb", BOMB)
        bomb = json.loads(ws.recv(timeout=10))
        assert bomb["type"] == "error"
        assert bomb["payload"][0]["extensions"]["limit"] == "GATEWAY_MAX_ROOT_FIELDS"
        subscribe(ws, "ok", "{ __typename }")
        assert json.loads(ws.recv(timeout=10)) == {
            "id": "ok",
            "type": "next",
            "payload": {
                "data": {"__typename": "Query"},
                "extensions": {"cost": {"estimated": 0, "maximum": 20000}},
            },
        }


def test_a_websocket_message_over_the_body_limit_closes_with_1009(
    gateway: GatewayClient,
) -> None:
    """uvicorn refuses it from the frame header (``ws_max_size``, as ``serve`` sets it)."""
    with ws_session(gateway) as ws:
        subscribe(ws, "huge", "{ __typename }" + " " * 4_400_000)
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1009
    assert "exceeds limit of 1048576 bytes" in closed.value.rcvd.reason


def test_without_the_server_limit_the_view_closes_with_1009(sandbox: SandboxThread) -> None:
    """Under a server reading messages of any size, the view itself refuses them."""
    settings = gateway_settings(sandbox, GATEWAY_MAX_BODY_BYTES="100000")
    with (
        BackgroundServer(create_app(settings)) as server,
        ws_session(GatewayClient(server.url)) as ws,
    ):
        subscribe(ws, "huge", "{ __typename }" + " " * 200_000)
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1009
    assert closed.value.rcvd.reason == "message larger than the body limit"


def test_an_overflowing_number_in_websocket_variables_closes_with_4400(
    gateway: GatewayClient,
) -> None:
    """``1e400`` is no number a double holds: the message is invalid (the protocol's 4400)."""
    with ws_session(gateway) as ws:
        ws.send(
            '{"id": "1", "type": "subscribe", "payload": {"query": '
            '"query($n: Int) { flowJobs(first: $n) { totalCount } }", "variables": {"n": 1e400}}}'
        )
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4400
