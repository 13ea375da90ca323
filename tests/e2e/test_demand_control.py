"""Demand control over real sockets: costs are reported, refused over the limit, dry-run."""

from __future__ import annotations

import uuid

from sandbox.server import SandboxThread
from tests.e2e.conftest import GatewayClient, GatewayFactory, reset_counts, upstream_total

UPSTREAMS = ("jobstore", "opsmanager", "awx")


def total_calls(sandbox: SandboxThread) -> int:
    return sum(upstream_total(sandbox, name) for name in UPSTREAMS)


def test_every_answer_carries_its_cost(sandbox: SandboxThread, gateway: GatewayClient) -> None:
    small = gateway.execute("{ workflowJobs(first: 2) { edges { node { name } } } }")
    large = gateway.execute("{ workflowJobs(first: 20) { edges { node { name } } } }")
    assert "errors" not in small
    assert small["extensions"]["cost"]["maximum"] == 20_000
    assert large["extensions"]["cost"]["estimated"] > small["extensions"]["cost"]["estimated"]


def test_an_operation_over_the_limit_is_refused_before_any_call(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = start_gateway(GATEWAY_MAX_COST="500")
    aliases = " ".join(f"a{i}: jobCounts {{ complete }}" for i in range(20))
    reset_counts(sandbox)
    body = gateway.execute(f"{{ {aliases} }}")
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "COST_LIMIT_EXCEEDED"
    assert error["extensions"]["limit"] == 500
    assert error["extensions"]["cost"] > 500
    assert str(error["extensions"]["cost"]) in error["message"]
    assert total_calls(sandbox) == 0


def test_a_dry_run_costs_a_mutation_without_running_it(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    reset_counts(sandbox)
    cid = str(uuid.uuid4())
    response = gateway.post(
        "mutation($input: CreateFlowJobInput!) { createFlowJob(input: $input) { created } }",
        {"input": {"clientJobId": cid, "jobTitle": "Dry"}},
        headers={"X-Cost-Dry-Run": "true"},
    )
    body = response.json()
    assert body["data"] is None
    assert "errors" not in body
    assert body["extensions"]["cost"]["estimated"] > 0
    assert total_calls(sandbox) == 0
