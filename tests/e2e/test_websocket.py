"""Queries over the GraphQL WebSocket (graphql-transport-ws) on /graphql."""

from __future__ import annotations

import json

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from sandbox.server import SandboxThread
from tests.e2e.conftest import GatewayClient, set_faults


def test_query_over_websocket(gateway: GatewayClient) -> None:
    url = gateway.url.replace("http://", "ws://") + "/graphql"
    with connect(url, subprotocols=["graphql-transport-ws"], open_timeout=10) as ws:
        ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(ws.recv(timeout=10))["type"] == "connection_ack"
        ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": "{ workflowJobs(first: 2) { edges { node { awxId } } } }"},
                }
            )
        )
        message = json.loads(ws.recv(timeout=10))
        assert message["type"] == "next"
        assert message["id"] == "1"
        assert len(message["payload"]["data"]["workflowJobs"]["edges"]) == 2
        assert json.loads(ws.recv(timeout=10)) == {"id": "1", "type": "complete"}


def test_every_websocket_frame_is_text(gateway: GatewayClient) -> None:
    """graphql-transport-ws is a text protocol: every message comes as a text frame."""
    url = gateway.url.replace("http://", "ws://") + "/graphql"
    with connect(url, subprotocols=["graphql-transport-ws"], open_timeout=10) as ws:
        ws.send(json.dumps({"type": "connection_init"}))
        frames = [ws.recv(timeout=10)]
        ok = {"id": "ok", "type": "subscribe", "payload": {"query": "{ __typename }"}}
        ws.send(json.dumps(ok))
        frames += [ws.recv(timeout=10), ws.recv(timeout=10)]
        ws.send(json.dumps({"id": "bad", "type": "subscribe", "payload": {"query": "{ nope }"}}))
        frames.append(ws.recv(timeout=10))
        ws.send(json.dumps({"type": "ping"}))
        frames.append(ws.recv(timeout=10))
    assert [type(frame) for frame in frames] == [str] * 5
    types = [json.loads(frame)["type"] for frame in frames]
    assert types == ["connection_ack", "next", "complete", "error", "pong"]
    error = json.loads(frames[3])
    assert error["payload"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_the_legacy_graphql_ws_protocol_is_refused(gateway: GatewayClient) -> None:
    """Legacy graphql-ws is not spoken (graphql-transport-ws is): its clients get 4406."""
    url = gateway.url.replace("http://", "ws://") + "/graphql"
    with (
        connect(url, subprotocols=["graphql-ws"], open_timeout=10) as ws,
        pytest.raises(ConnectionClosed) as closed,
    ):
        ws.recv(timeout=10)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4406


def test_past_100_operations_in_flight_the_error_is_coded(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    """strawberry's own refusal past 100 operations on one connection gets a code too."""
    set_faults(sandbox, "awx", latency_ms=5000)  # none answers before the refusal
    url = gateway.url.replace("http://", "ws://") + "/graphql"
    query = {"query": "{ workflowJobs(first: 1) { totalCount } }"}
    with connect(url, subprotocols=["graphql-transport-ws"], open_timeout=10) as ws:
        ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(ws.recv(timeout=10))["type"] == "connection_ack"
        for n in range(101):
            ws.send(json.dumps({"id": str(n), "type": "subscribe", "payload": query}))
        refused = json.loads(ws.recv(timeout=10))
    assert refused["type"] == "error"
    assert refused["id"] == "100"
    assert [e["extensions"]["code"] for e in refused["payload"]] == ["TOO_MANY_OPERATIONS"]
