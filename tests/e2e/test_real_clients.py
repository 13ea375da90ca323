"""A real GraphQL client, Python's ``gql``, against the gateway over HTTP and the WebSocket.

``gql`` validates its documents against the schema it fetches by
introspection, then runs a query and a mutation over HTTP (its httpx
transport) and a query and a subscription over graphql-transport-ws (its
websockets transport).
"""

from __future__ import annotations

import uuid

from gql import Client, GraphQLRequest
from gql.transport.httpx import HTTPXAsyncTransport
from gql.transport.websockets import WebsocketsTransport

from sandbox.server import SandboxThread
from tests.conftest import sandbox_reset
from tests.e2e.conftest import GatewayClient, GatewayFactory
from tests.e2e.live_clients import (
    JOB_UPDATED,
    create_flow_job,
    flow_job_id,
    set_flow_job_status,
)

QUERY = "query One($id: Int!) { workflowJob(id: $id) { awxId name state } }"
CREATE = """
    mutation Create($input: CreateFlowJobInput!) {
      createFlowJob(input: $input) { created job { jobId jobTitle } userErrors { field message } }
    }
    """


async def test_gql_over_http_fetches_the_schema_and_runs_a_query_and_a_mutation(
    gateway: GatewayClient,
) -> None:
    transport = HTTPXAsyncTransport(url=f"{gateway.url}/graphql")
    client_job_id = str(uuid.uuid4())
    async with Client(transport=transport, fetch_schema_from_transport=True) as session:
        job = await session.execute(GraphQLRequest(QUERY, variable_values={"id": 7}))
        created = await session.execute(
            GraphQLRequest(
                CREATE,
                variable_values={"input": {"jobTitle": "gql client", "clientJobId": client_job_id}},
            )
        )

    assert job["workflowJob"]["awxId"] == 7
    assert job["workflowJob"]["state"] in {"QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELED"}
    payload = created["createFlowJob"]
    assert payload["userErrors"] == []
    assert payload["created"] is True
    assert payload["job"]["jobTitle"] == "gql client"


async def test_gql_over_graphql_transport_ws_runs_a_query(gateway: GatewayClient) -> None:
    url = gateway.url.replace("http://", "ws://") + "/graphql"
    transport = WebsocketsTransport(
        url=url, subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL]
    )
    async with Client(transport=transport) as session:
        job = await session.execute(GraphQLRequest(QUERY, variable_values={"id": 7}))

    assert job["workflowJob"]["awxId"] == 7
    assert job["workflowJob"]["name"]


async def test_gql_over_graphql_transport_ws_runs_a_subscription_to_its_end(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = start_gateway(GATEWAY_SUBSCRIPTION_POLL_SECONDS="0.2")
    job_id = create_flow_job(sandbox, "followed by gql")
    url = gateway.url.replace("http://", "ws://") + "/graphql"
    transport = WebsocketsTransport(
        url=url, subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL]
    )
    request = GraphQLRequest(JOB_UPDATED, variable_values={"id": flow_job_id(job_id)})
    seen: list[str] = []
    try:
        async with Client(transport=transport, fetch_schema_from_transport=True) as session:
            async for result in session.subscribe(request):  # ends when the stream completes
                seen.append(result["jobUpdated"]["state"])
                if len(seen) == 1:
                    set_flow_job_status(sandbox, job_id, "Completed")
    finally:
        sandbox_reset(sandbox, data=True)  # other tests read the newest jobs
    assert seen == ["RUNNING", "SUCCEEDED"]
