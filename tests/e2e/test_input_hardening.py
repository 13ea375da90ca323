"""Issue 10 over real sockets: each reported input answers a code the caller can act on."""

from __future__ import annotations

import base64
import uuid
from typing import Any

import httpx
import pytest

from sandbox.server import SandboxThread
from tests.conftest import TOKEN
from tests.e2e.conftest import CSRF, GatewayClient, upstream_requests, upstream_total

CREATE = """
mutation Create($input: CreateFlowJobInput!) {
  createFlowJob(input: $input) { created job { jobId clientJobId } userErrors { field code } }
}"""


def payload(body: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in body, body["errors"]
    result: dict[str, Any] = body["data"]["createFlowJob"]
    return result


def test_three_spellings_of_one_client_job_id_make_one_job(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    key = uuid.uuid4()
    answers = [
        payload(gateway.execute(CREATE, {"input": {"jobTitle": "Once", "clientJobId": spelling}}))
        for spelling in (str(key), str(key).upper(), f"{key}\n")
    ]
    assert [a["created"] for a in answers] == [True, False, False]
    assert len({a["job"]["jobId"] for a in answers}) == 1
    assert {a["job"]["clientJobId"] for a in answers} == {str(key)}
    assert upstream_requests(sandbox, "jobstore")["POST /jobs/v1"] == 1
    stored = httpx.get(
        f"{sandbox.url('jobstore')}/jobs/v1/{key}", headers={"Authorization": f"Bearer {TOKEN}"}
    ).json()
    assert [job["metadata"]["clientJobId"] for job in stored] == [str(key)]


@pytest.mark.parametrize(
    "query",
    [
        '{ jobCounts(filter: {createdBefore: "9999-12-31T23:59:59-14:00"}) { complete } }',
        '{ jobs(filter: {createdAfter: "0001-01-01T00:00:00+14:00"}) { edges { cursor } } }',
    ],
    ids=["jobCounts", "jobs"],
)
def test_reported_filter_bounds_are_bad_user_input(
    sandbox: SandboxThread, gateway: GatewayClient, query: str
) -> None:
    [error] = gateway.execute(query, headers={"X-Request-ID": "r-1"})["errors"]
    assert error["extensions"] == {
        "code": "BAD_USER_INPUT",
        "argument": "filter",
        "requestId": "r-1",
    }
    assert upstream_total(sandbox, "opsmanager") + upstream_total(sandbox, "awx") == 0


def test_reported_create_inputs_are_user_errors_and_nothing_is_sent(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    body = gateway.execute(
        'mutation { createFlowJob(input: {jobTitle: "x", created: "0001-01-01T00:00:00+14:00", '
        "completedSteps: [{timeEvents: {t: 100000000000000000000000}}]}) "
        "{ job { jobId } userErrors { field code } } }"
    )
    assert payload(body) == {
        "job": None,
        "userErrors": [
            {"field": "completedSteps.0.timeEvents.t", "code": "INVALID_VALUE"},
            {"field": "created", "code": "INVALID_VALUE"},
        ],
    }
    assert upstream_requests(sandbox, "jobstore") == {}


def test_an_id_in_arabic_indic_digits_is_not_job_123(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    global_id = base64.urlsafe_b64encode("WorkflowJob:\u0661\u0662\u0663".encode()).decode()
    body = gateway.execute("query($id: ID!) { node(id: $id) { id } }", {"id": global_id})
    assert body["data"] == {"node": None}
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
    assert upstream_total(sandbox, "awx") == 0


OVERFLOW_LITERALS = ["1e400", "-1e400"]
"""Numbers beyond a double: Python's ``float`` makes them infinities, which JSON cannot hold."""


@pytest.mark.parametrize("number", OVERFLOW_LITERALS)
def test_an_overflowing_number_in_a_json_body_is_bad_request(
    sandbox: SandboxThread, gateway: GatewayClient, number: str
) -> None:
    body = (
        '{"query": "query($n: Int) { flowJobs(first: $n) { totalCount } }",'
        f' "variables": {{"n": {number}}}}}'
    )
    response = gateway.http.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["BAD_REQUEST"]
    assert upstream_total(sandbox, "jobstore") == 0


def test_an_overflowing_number_in_get_variables_is_bad_request(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    response = gateway.http.get(
        "/graphql",
        params={
            "query": "query($n: Int) { flowJobs(first: $n) { totalCount } }",
            "variables": '{"n": 1e400}',
        },
        headers=CSRF,
    )
    assert response.status_code == 400
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["BAD_REQUEST"]
    assert upstream_total(sandbox, "jobstore") == 0


@pytest.mark.parametrize("number", OVERFLOW_LITERALS)
def test_an_overflowing_number_literal_is_a_validation_error(
    sandbox: SandboxThread, gateway: GatewayClient, number: str
) -> None:
    body = gateway.execute(f"{{ flowJobs(first: {number}) {{ totalCount }} }}")
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["GRAPHQL_VALIDATION_FAILED"]
    assert upstream_total(sandbox, "jobstore") == 0


@pytest.mark.parametrize(
    ("mutation", "refusal"),
    [
        (
            "launchJobTemplate(jobTemplateId: 1, input: {extraVars: {a: [1, NUMBER]}})",
            {"field": "extraVars.a.1", "code": "INVALID_VALUE"},
        ),
        (
            'startOperationsJob(input: {workflow: "w", options: {variables: {deep: {n: NUMBER}}}})',
            {"field": "options.variables.deep.n", "code": "INVALID_VALUE"},
        ),
        (
            'createFlowJob(input: {jobTitle: "x", completedSteps: [{timeEvents: {t: NUMBER}}]})',
            # time events are integers: the infinity is refused as a float first
            {"field": "completedSteps.0.timeEvents", "code": "INVALID_TYPE"},
        ),
    ],
    ids=["awx extraVars", "operations variables", "jobstore step"],
)
@pytest.mark.parametrize("number", OVERFLOW_LITERALS)
def test_an_overflowing_number_in_a_json_input_is_a_user_error_never_null(
    sandbox: SandboxThread,
    gateway: GatewayClient,
    mutation: str,
    refusal: dict[str, str],
    number: str,
) -> None:
    """A JSON literal ``1e400`` would be sent as ``null`` by orjson; it is refused instead."""
    field = mutation.replace("NUMBER", number)
    query = f"mutation {{ m: {field} {{ userErrors {{ field code }} }} }}"
    body = gateway.execute(query)
    assert "errors" not in body, body["errors"]
    errors = body["data"]["m"]["userErrors"]
    assert refusal in errors
    for name in ("jobstore", "opsmanager", "awx"):
        assert upstream_requests(sandbox, name) == {}
