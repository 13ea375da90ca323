"""Queries over the GraphQL WebSocket (graphql-transport-ws) on /graphql."""

from __future__ import annotations

import json

from websockets.sync.client import connect

from tests.e2e.conftest import GatewayClient


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
