"""The fast path (:mod:`schema.core.fast_path`) answers exactly as the full pipeline does.

Each case is answered once with the fast path turned off (strawberry's whole
pipeline, the reference), then twice with it on: the first of those checks
the text and fills the cache, the second must come from the fast path and be
the same answer, byte for byte once parsed: data, errors (codes, paths,
messages) and ``extensions.cost``.
"""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.server import SandboxThread
from schema.core.fast_path import FastPath
from schema.core.ids import to_global_id
from tests.e2e.conftest import CSRF, GatewayClient, GatewayFactory, set_faults


def without_request_ids(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` without each error's ``requestId`` (new for every request)."""
    for error in body.get("errors", ()):
        error.get("extensions", {}).pop("requestId", None)
    return body


class FastPathSpy:
    """Records whether each request was answered by the fast path; can turn it off."""

    def __init__(self) -> None:
        self.answered: list[bool] = []
        self.enabled = True


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> FastPathSpy:
    spy = FastPathSpy()
    original = FastPath.execute

    async def execute(self: FastPath, *args: Any) -> Any:
        result = await original(self, *args) if spy.enabled else None
        spy.answered.append(result is not None)
        return result

    monkeypatch.setattr(FastPath, "execute", execute)
    return spy


def _reference_then_fast(
    gateway: GatewayClient, spy: FastPathSpy, query: str, variables: dict[str, Any] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    spy.enabled = False
    reference = without_request_ids(gateway.execute(query, variables))
    spy.enabled = True
    gateway.execute(query, variables)  # checked and cached (or already cached)
    spy.answered.clear()
    fast = without_request_ids(gateway.execute(query, variables))
    assert spy.answered == [True], "the repeated text must be answered by the fast path"
    return reference, fast


WORKFLOW_JOB = """
query($id: Int!) {
  workflowJob(id: $id) { id name state upstreamStatus createdAt jobTemplate { name } }
}"""

CASES = {
    "data with variables": (WORKFLOW_JOB, {"id": 7}),
    "a missing object": (WORKFLOW_JOB, {"id": 999_999}),
    "a list and its cost": (
        "query($n: Int) { workflowJobs(first: $n) { totalCount edges { node { id name } } } }",
        {"n": 4},
    ),
    "a bad argument": ("{ workflowJobs(first: 100000) { totalCount } }", None),
    "a bad variable": (WORKFLOW_JOB, {"id": "seven"}),
    "a node by global id": (
        '{ node(id: "' + to_global_id("WorkflowJob", 7) + '") { id ... on Job { name } } }',
        None,
    ),
    "named operations": (
        "query A { workflowJob(id: 7) { name } } query B { workflowJob(id: 8) { name } }",
        None,
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_fast_path_answers_as_the_pipeline_does(
    gateway: GatewayClient, spy: FastPathSpy, case: str
) -> None:
    query, variables = CASES[case]
    if case == "named operations":
        body = {"query": query, "operationName": "B"}
        spy.enabled = False
        reference = without_request_ids(gateway.http.post("/graphql", json=body).json())
        spy.enabled = True
        gateway.http.post("/graphql", json=body)
        spy.answered.clear()
        fast = without_request_ids(gateway.http.post("/graphql", json=body).json())
        assert spy.answered == [True]
        assert fast["data"]["workflowJob"]["name"]
    else:
        reference, fast = _reference_then_fast(gateway, spy, query, variables)

    assert fast == reference
    assert fast["extensions"]["cost"]["estimated"] > 0


def test_upstream_errors_and_partial_errors_are_the_same(
    gateway: GatewayClient, spy: FastPathSpy, sandbox: SandboxThread
) -> None:
    set_faults(sandbox, "awx", mode="500", error_rate=1.0)
    query = "{ workflowJob(id: 7) { name } jobs(first: 3) { edges { node { id } } } }"

    reference, fast = _reference_then_fast(gateway, spy, query)

    assert fast == reference
    assert [(e["path"], e["extensions"]["upstream"]) for e in fast["errors"]] == [
        (["workflowJob"], "awx"),  # the field that failed
        (["jobs"], "awx"),  # the view's missing part, a partial error
    ]
    assert fast["data"]["jobs"] is not None


def test_a_new_cost_per_variables_and_the_limit_still_holds(
    start_gateway: GatewayFactory, spy: FastPathSpy
) -> None:
    gateway = start_gateway(GATEWAY_MAX_COST="200")
    query = "query($n: Int) { workflowJobs(first: $n) { edges { node { id } } } }"
    small = gateway.execute(query, {"n": 2})
    gateway.execute(query, {"n": 2})
    spy.answered.clear()

    other = gateway.execute(query, {"n": 3})
    over = gateway.execute(query, {"n": 150})

    # over the limit: declined (by the POST lane, then by the view's schema call) and refused
    assert spy.answered[0] is True
    assert spy.answered[1:] == [False, False]
    assert other["extensions"]["cost"]["estimated"] > small["extensions"]["cost"]["estimated"]
    assert over["errors"][0]["extensions"]["code"] == "COST_LIMIT_EXCEEDED"
    assert over.get("data") is None


def test_dry_runs_and_mutations_over_get_still_go_the_long_way(
    gateway: GatewayClient, spy: FastPathSpy
) -> None:
    query = "{ workflowJob(id: 7) { name } }"
    gateway.execute(query)
    gateway.execute(query)
    spy.answered.clear()

    dry = gateway.post(query, headers={"X-Cost-Dry-Run": "true"}).json()
    mutation = "mutation { launchJobTemplate(jobTemplateId: 0) { userErrors { field } } }"
    launched = gateway.execute(mutation)  # checked and cached by a POST; refused before any call
    assert launched["data"]["launchJobTemplate"]["userErrors"] == [{"field": "jobTemplateId"}]
    over_get = gateway.http.get("/graphql", params={"query": mutation}, headers=CSRF)

    assert "data" not in dry or dry["data"] is None
    assert dry["extensions"]["cost"]["estimated"] > 0
    assert over_get.status_code == 405
    assert spy.answered[0] is False  # the dry run
    assert spy.answered[-1] is False  # the mutation over GET
