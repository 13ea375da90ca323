"""Mutations over real sockets: what they create, and that nothing is lost or made twice."""

from __future__ import annotations

import socket
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from sandbox.server import SandboxThread
from tests.conftest import TOKEN
from tests.e2e.conftest import (
    GatewayClient,
    GatewayFactory,
    reset_counts,
    set_faults,
    upstream_requests,
)

AUTH = {"Authorization": f"Bearer {TOKEN}"}

CREATE_FLOW_JOB = """
mutation Create($input: CreateFlowJobInput!) {
  createFlowJob(input: $input) {
    created
    job {
      jobId clientJobId jobTitle team workflowId username metadata upstreamStatus
      steps { uniqueStepId previousUniqueStepId stepNumber title type tags }
    }
    userErrors { field message code }
  }
}"""

START_OPERATIONS_JOB = """
mutation Start($input: StartOperationsJobInput!) {
  startOperationsJob(input: $input) {
    message
    job { opsId name description groupIds variables upstreamStatus }
    userErrors { field message code }
  }
}"""

CREATE_SLICE = """
mutation Slice($id: Int!, $input: SliceWorkflowJobInput!) {
  createSliceWorkflowJob(jobTemplateId: $id, input: $input) {
    workflowJob {
      awxId name description extraVars webhookService webhookGuid webhookCredentialId
      jobTemplateId isSlicedJob
    }
    userErrors { field message code }
  }
}"""

LAUNCH = """
mutation Launch($id: Int!, $input: LaunchJobTemplateInput) {
  launchJobTemplate(jobTemplateId: $id, input: $input) {
    workflowJob { awxId isSlicedJob jobTemplateId nodes { awxId workflowJobId } }
    job { awxId name status type }
    ignoredFields
    userErrors { field message code }
  }
}"""


def stored_jobs(sandbox: SandboxThread, client_job_id: str) -> list[dict[str, Any]]:
    """What the sandbox jobs store itself holds under a clientJobId."""
    response = httpx.get(f"{sandbox.url('jobstore')}/jobs/v1/{client_job_id}", headers=AUTH)
    response.raise_for_status()
    jobs: list[dict[str, Any]] = response.json()
    return jobs


def job_templates(sandbox: SandboxThread) -> list[dict[str, Any]]:
    """Every AWX sandbox job template."""
    response = httpx.get(
        f"{sandbox.url('awx')}/api/v2/job_templates/", params={"page_size": 200}, headers=AUTH
    )
    response.raise_for_status()
    results: list[dict[str, Any]] = response.json()["results"]
    return results


def template_id(sandbox: SandboxThread, *, sliced: bool, startable: bool = True) -> int:
    """A job template with the asked shape (the look-up is not counted)."""
    templates = job_templates(sandbox)
    reset_counts(sandbox)
    for t in templates:
        can_start = t["summary_fields"]["user_capabilities"]["start"]
        if (t["job_slice_count"] > 1) == sliced and can_start == startable:
            found: int = t["id"]
            return found
    raise AssertionError("no such job template in the sandbox")


def one_field(body: dict[str, Any], name: str) -> dict[str, Any]:
    """``data[name]`` of a response that must have no errors."""
    assert "errors" not in body, body.get("errors")
    result: dict[str, Any] = body["data"][name]
    return result


# --- createFlowJob ---------------------------------------------------------------------------


def test_create_flow_job_stores_the_job_and_reads_it_back(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    cid = str(uuid.uuid4())
    first_step = str(uuid.uuid4())
    payload = one_field(
        gateway.execute(
            CREATE_FLOW_JOB,
            {
                "input": {
                    "clientJobId": cid,
                    "jobTitle": "Pump inspection",
                    "workflowId": "b62f2507-b4e7-4248-83d3-29c03a158fbe",
                    "team": "apiteam",
                    "username": "api.user1@example.com",
                    "metadataEntries": [{"key": "Site", "value": "North"}],
                    "completedSteps": [
                        {
                            "uniqueStepId": first_step,
                            "stepTitle": "Instruction",
                            "stepType": "ConfirmStep",
                            "started": "2021-10-01T12:48:12.265Z",
                            "completed": "2021-10-01T12:48:13.8Z",
                        },
                        {"stepTitle": "Note", "stepType": "Text", "tags": "safety"},
                    ],
                }
            },
        ),
        "createFlowJob",
    )
    assert payload["userErrors"] == []
    assert payload["created"] is True
    job = payload["job"]
    assert job["clientJobId"] == cid
    assert job["jobTitle"] == "Pump inspection"
    assert job["metadata"] == {"Site": "North"}
    steps = job["steps"]
    assert [s["stepNumber"] for s in steps] == [1, 2]
    assert steps[0]["previousUniqueStepId"] is None  # "" upstream: the first step
    assert steps[1]["previousUniqueStepId"] == first_step
    assert steps[1]["tags"] == "safety"
    # one lookup by clientJobId, then one POST
    assert upstream_requests(sandbox, "jobstore") == {
        "GET /jobs/v1/{client_job_id}": 1,
        "POST /jobs/v1": 1,
    }

    read = gateway.data(
        "query($id: String!) { flowJob(jobId: $id) { clientJobId jobTitle team steps { title } } }",
        {"id": job["jobId"]},
    )["flowJob"]
    assert read["clientJobId"] == cid
    assert read["team"] == "apiteam"
    assert [s["title"] for s in read["steps"]] == ["Instruction", "Note"]
    [stored] = stored_jobs(sandbox, cid)
    assert set(stored["metadata"]) >= {
        "clientJobId", "workflowId", "workflowVersionId", "jobTitle", "metadata", "created",
        "status", "userId", "currentStep", "abandonReason", "username", "workflowName",
    }  # fmt: skip
    single = stored["completedSteps"][0]["singleStep"]
    assert single["previousUniqueStepId"] == ""
    assert single["metadata"] == {"tags": ""}


def test_create_flow_job_generates_a_client_job_id(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    payload = one_field(
        gateway.execute(CREATE_FLOW_JOB, {"input": {"jobTitle": "No id given"}}), "createFlowJob"
    )
    cid = payload["job"]["clientJobId"]
    assert uuid.UUID(cid).version == 4
    assert len(stored_jobs(sandbox, cid)) == 1


def test_create_retried_with_the_same_client_job_id_answers_the_same_job(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    variables = {"input": {"clientJobId": str(uuid.uuid4()), "jobTitle": "Retried"}}
    first = one_field(gateway.execute(CREATE_FLOW_JOB, variables), "createFlowJob")
    reset_counts(sandbox)
    second = one_field(gateway.execute(CREATE_FLOW_JOB, variables), "createFlowJob")
    assert first["created"] is True
    assert second["created"] is False
    assert second["job"]["jobId"] == first["job"]["jobId"]
    assert upstream_requests(sandbox, "jobstore") == {"GET /jobs/v1/{client_job_id}": 1}
    assert len(stored_jobs(sandbox, variables["input"]["clientJobId"])) == 1


def test_concurrent_identical_creates_make_one_job(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    # Latency makes both calls' lookups overlap: without the per-key lock both
    # would find nothing and both would POST.
    set_faults(sandbox, "jobstore", latency_ms=150)
    variables = {"input": {"clientJobId": str(uuid.uuid4()), "jobTitle": "Twice at once"}}

    def call() -> dict[str, Any]:
        with httpx.Client(base_url=gateway.url, timeout=30) as http:
            response = http.post(
                "/graphql", json={"query": CREATE_FLOW_JOB, "variables": variables}
            )
            return one_field(response.json(), "createFlowJob")

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: call(), range(2)))
    assert sorted(a["created"] for a in answers) == [False, True]
    assert answers[0]["job"]["jobId"] == answers[1]["job"]["jobId"]
    assert len(stored_jobs(sandbox, variables["input"]["clientJobId"])) == 1
    assert upstream_requests(sandbox, "jobstore")["POST /jobs/v1"] == 1


def test_dropped_answer_after_the_store_committed_answers_the_job(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    set_faults(sandbox, "jobstore", mode="drop", error_rate=1.0, methods=["POST"], remaining=1)
    cid = str(uuid.uuid4())
    payload = one_field(
        gateway.execute(CREATE_FLOW_JOB, {"input": {"clientJobId": cid, "jobTitle": "Dropped"}}),
        "createFlowJob",
    )
    assert payload["created"] is True
    assert payload["job"]["clientJobId"] == cid
    [stored] = stored_jobs(sandbox, cid)
    assert stored["jobId"] == payload["job"]["jobId"]
    counts = upstream_requests(sandbox, "jobstore")
    assert counts["POST /jobs/v1"] == 1  # never resent
    assert counts["GET /jobs/v1/{client_job_id}"] == 3  # before, settling, and our check


def test_hang_after_the_store_committed_answers_the_job(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = start_gateway(GATEWAY_JOBSTORE_TIMEOUT="0.5")
    set_faults(
        sandbox,
        "jobstore",
        mode="hang",
        phase="after",
        error_rate=1.0,
        methods=["POST"],
        remaining=1,
    )
    cid = str(uuid.uuid4())
    payload = one_field(
        gateway.execute(CREATE_FLOW_JOB, {"input": {"clientJobId": cid, "jobTitle": "Hung"}}),
        "createFlowJob",
    )
    assert payload["created"] is True
    [stored] = stored_jobs(sandbox, cid)
    assert stored["jobId"] == payload["job"]["jobId"]
    assert upstream_requests(sandbox, "jobstore")["POST /jobs/v1"] == 1


def test_malformed_answer_to_a_create_is_settled_by_lookup(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    set_faults(sandbox, "jobstore", mode="malformed", error_rate=1.0, methods=["POST"])
    cid = str(uuid.uuid4())
    payload = one_field(
        gateway.execute(CREATE_FLOW_JOB, {"input": {"clientJobId": cid, "jobTitle": "Cut"}}),
        "createFlowJob",
    )
    assert payload["created"] is True
    assert [j["jobId"] for j in stored_jobs(sandbox, cid)] == [payload["job"]["jobId"]]


def test_lost_create_that_did_not_happen_says_it_is_safe_to_retry(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    set_faults(
        sandbox,
        "jobstore",
        mode="500",
        phase="before",
        error_rate=1.0,
        methods=["POST"],
        remaining=1,
    )
    cid = str(uuid.uuid4())
    variables = {"input": {"clientJobId": cid, "jobTitle": "Not made"}}
    body = gateway.execute(CREATE_FLOW_JOB, variables)
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert error["extensions"]["clientJobId"] == cid
    assert error["extensions"]["request"] == {"method": "POST", "path": "/jobs/v1"}
    assert "not created" in error["message"]
    assert "safe to retry" in error["message"]
    assert stored_jobs(sandbox, cid) == []

    again = one_field(gateway.execute(CREATE_FLOW_JOB, variables), "createFlowJob")
    assert again["created"] is True
    assert len(stored_jobs(sandbox, cid)) == 1


FLOW_JOB_INPUT_PROBLEMS: list[tuple[str, dict[str, Any], list[tuple[str | None, str]]]] = [
    ("blank title", {"jobTitle": "  "}, [("jobTitle", "REQUIRED")]),
    ("long title", {"jobTitle": "x" * 257}, [("jobTitle", "TOO_LONG")]),
    ("bad uuid", {"clientJobId": "job-1"}, [("clientJobId", "INVALID_FORMAT")]),
    ("id with space", {"workflowId": "a b"}, [("workflowId", "INVALID_FORMAT")]),
    ("long user id", {"userId": "u" * 201}, [("userId", "TOO_LONG")]),
    ("blank status", {"status": ""}, [("status", "REQUIRED")]),
    ("metadata list", {"metadata": ["a"]}, [("metadata", "INVALID_TYPE")]),
    ("metadata number", {"metadata": {"k": 1}}, [("metadata.k", "INVALID_TYPE")]),
    ("metadata blank key", {"metadata": {" ": "v"}}, [("metadata. ", "INVALID_VALUE")]),
    (
        "metadata twice",
        {"metadata": {"a": "1"}, "metadataEntries": [{"key": "a", "value": "1"}]},
        [("metadataEntries", "CONFLICT")],
    ),
    (
        "duplicate entry",
        {"metadataEntries": [{"key": "a", "value": "1"}, {"key": "a", "value": "2"}]},
        [("metadataEntries.1.key", "DUPLICATE")],
    ),
    (
        "step number",
        {"completedSteps": [{"stepNumber": 0}]},
        [("completedSteps.0.stepNumber", "INVALID_VALUE")],
    ),
    (
        "repeated step",
        {"completedSteps": [{"uniqueStepId": "s1"}, {"uniqueStepId": "s1"}]},
        [("completedSteps.1.uniqueStepId", "DUPLICATE")],
    ),
    (
        "completed before started",
        {
            "completedSteps": [
                {"started": "2021-10-01T12:00:00Z", "completed": "2021-10-01T11:00:00Z"}
            ]
        },
        [("completedSteps.0.completed", "INVALID_VALUE")],
    ),
    (
        "values not a list",
        {"completedSteps": [{"values": {"a": 1}}]},
        [("completedSteps.0.values", "INVALID_TYPE")],
    ),
    (
        "time events",
        {"currentStep": {"timeEvents": {"2021-10-01T12:00:00Z": "soon"}}},
        [("currentStep.timeEvents", "INVALID_TYPE")],
    ),
    (
        "several at once",
        {"jobTitle": "", "clientJobId": "nope", "team": "t" * 300},
        [("clientJobId", "INVALID_FORMAT"), ("jobTitle", "REQUIRED"), ("team", "TOO_LONG")],
    ),
]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [case[1:] for case in FLOW_JOB_INPUT_PROBLEMS],
    ids=[case[0] for case in FLOW_JOB_INPUT_PROBLEMS],
)
def test_create_flow_job_rejects_bad_input_before_any_request(
    sandbox: SandboxThread,
    gateway: GatewayClient,
    fields: dict[str, Any],
    expected: list[tuple[str | None, str]],
) -> None:
    payload = one_field(
        gateway.execute(CREATE_FLOW_JOB, {"input": {"jobTitle": "Valid", **fields}}),
        "createFlowJob",
    )
    assert payload["job"] is None
    assert payload["created"] is False
    assert sorted((e["field"], e["code"]) for e in payload["userErrors"]) == sorted(expected)
    assert all(e["message"] for e in payload["userErrors"])
    assert upstream_requests(sandbox, "jobstore") == {}


# --- startOperationsJob ----------------------------------------------------------------------


def test_start_operations_job_starts_it_and_reads_it_back(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    group = "92a8f1d984da93b46eb1f0ec"
    payload = one_field(
        gateway.execute(
            START_OPERATIONS_JOB,
            {
                "input": {
                    "workflow": "Port turn-up",
                    "options": {
                        "description": "turn up port 7",
                        "type": "automation",
                        "variables": {"port": 7},
                        "groups": [group],
                    },
                }
            },
        ),
        "startOperationsJob",
    )
    assert payload["userErrors"] == []
    assert payload["message"] == "Successfully started job"
    job = payload["job"]
    assert job["name"] == "Port turn-up"
    assert job["description"] == "turn up port 7"
    assert job["groupIds"] == [group]
    assert job["variables"]["port"] == 7
    assert upstream_requests(sandbox, "opsmanager") == {"POST /operations-manager/jobs/start": 1}

    read = gateway.data(
        "query($id: String!) { operationsJob(id: $id) { opsId name description } }",
        {"id": job["opsId"]},
    )["operationsJob"]
    assert read == {"opsId": job["opsId"], "name": "Port turn-up", "description": "turn up port 7"}


def test_start_operations_job_without_options_sends_an_empty_options_object(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    payload = one_field(
        gateway.execute(START_OPERATIONS_JOB, {"input": {"workflow": "Bare start"}}),
        "startOperationsJob",
    )
    assert payload["userErrors"] == []
    assert payload["job"]["name"] == "Bare start"


OPS_INPUT_PROBLEMS: list[tuple[str, dict[str, Any], list[tuple[str | None, str]]]] = [
    ("empty workflow", {"workflow": ""}, [("workflow", "REQUIRED")]),
    ("blank workflow", {"workflow": "   "}, [("workflow", "REQUIRED")]),
    ("long workflow", {"workflow": "w" * 513}, [("workflow", "TOO_LONG")]),
    (
        "group not an ObjectId",
        {"options": {"groups": ["92a8f1d984da93b46eb1f0ec", "abc"]}},
        [("options.groups.1", "INVALID_FORMAT")],
    ),
    (
        "variables a list",
        {"options": {"variables": [1, 2]}},
        [("options.variables", "INVALID_TYPE")],
    ),
    (
        "variables a string",
        {"options": {"variables": "port=7"}},
        [("options.variables", "INVALID_TYPE")],
    ),
    ("blank type", {"options": {"type": ""}}, [("options.type", "REQUIRED")]),
    (
        "long description",
        {"options": {"description": "d" * 4097}},
        [("options.description", "TOO_LONG")],
    ),
    (
        "several at once",
        {"workflow": "", "options": {"groups": ["x", "y"]}},
        [
            ("workflow", "REQUIRED"),
            ("options.groups.0", "INVALID_FORMAT"),
            ("options.groups.1", "INVALID_FORMAT"),
        ],
    ),
]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [case[1:] for case in OPS_INPUT_PROBLEMS],
    ids=[case[0] for case in OPS_INPUT_PROBLEMS],
)
def test_start_operations_job_rejects_bad_input_before_any_request(
    sandbox: SandboxThread,
    gateway: GatewayClient,
    fields: dict[str, Any],
    expected: list[tuple[str | None, str]],
) -> None:
    payload = one_field(
        gateway.execute(START_OPERATIONS_JOB, {"input": {"workflow": "Valid", **fields}}),
        "startOperationsJob",
    )
    assert payload["job"] is None
    assert sorted((e["field"], e["code"]) for e in payload["userErrors"]) == sorted(expected)
    assert upstream_requests(sandbox, "opsmanager") == {}


def test_start_with_a_dropped_answer_is_outcome_unknown_with_its_identity(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    set_faults(sandbox, "opsmanager", mode="drop", error_rate=1.0, methods=["POST"], remaining=1)
    workflow = f"Lost start {uuid.uuid4().hex[:8]}"
    body = gateway.execute(
        START_OPERATIONS_JOB,
        {"input": {"workflow": workflow, "options": {"description": "who knows"}}},
    )
    assert body["data"] is None
    [error] = body["errors"]
    ext = error["extensions"]
    assert ext["code"] == "OUTCOME_UNKNOWN"
    assert ext["upstream"] == "opsmanager"
    assert ext["request"] == {"method": "POST", "path": "/operations-manager/jobs/start"}
    assert ext["identity"]["workflow"] == workflow
    assert ext["identity"]["description"] == "who knows"
    assert ext["identity"]["sentAt"].endswith("Z")
    assert upstream_requests(sandbox, "opsmanager") == {"POST /operations-manager/jobs/start": 1}
    # The identity is enough to find what happened: the job was started once.
    found = gateway.data(
        "query($n: String!) { operationsJobs(filter: {nameContains: $n}) { totalCount } }",
        {"n": workflow},
    )
    assert found["operationsJobs"]["totalCount"] == 1


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_start_that_never_reached_the_upstream_is_a_plain_unavailable_error(
    start_gateway: GatewayFactory,
) -> None:
    gateway = start_gateway(GATEWAY_OPSMANAGER_URL=f"http://127.0.0.1:{_closed_port()}")
    body = gateway.execute(START_OPERATIONS_JOB, {"input": {"workflow": "Nowhere"}})
    [error] = body["errors"]
    assert error["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"


# --- createSliceWorkflowJob -------------------------------------------------------------------


def test_create_slice_workflow_job_creates_it_and_reads_it_back(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    jt = template_id(sandbox, sliced=True)
    payload = one_field(
        gateway.execute(
            CREATE_SLICE,
            {
                "id": jt,
                "input": {
                    "name": "  Nightly slice  ",
                    "description": "made by the gateway",
                    "extraVars": {"region": "eu", "count": 2},
                    "webhookService": "GITHUB",
                    "webhookCredential": 1,
                    "webhookGuid": "delivery-42",
                    "isSlicedJob": True,
                },
            },
        ),
        "createSliceWorkflowJob",
    )
    assert payload["userErrors"] == []
    wj = payload["workflowJob"]
    assert wj["name"] == "Nightly slice"
    assert wj["extraVars"] == {"region": "eu", "count": 2}
    assert wj["webhookService"] == "github"
    assert wj["webhookGuid"] == "delivery-42"
    assert wj["jobTemplateId"] == jt
    assert upstream_requests(sandbox, "awx") == {
        "POST /api/v2/job_templates/{id}/slice_workflow_jobs/": 1
    }
    read = gateway.data(
        "query($id: Int!) { workflowJob(id: $id) { awxId name description jobTemplateId } }",
        {"id": wj["awxId"]},
    )["workflowJob"]
    assert read == {
        "awxId": wj["awxId"],
        "name": "Nightly slice",
        "description": "made by the gateway",
        "jobTemplateId": jt,
    }


def test_awx_field_errors_become_user_errors_in_camel_case(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    jt = template_id(sandbox, sliced=True)
    payload = one_field(
        gateway.execute(
            CREATE_SLICE,
            {
                "id": jt,
                "input": {
                    "name": "Bad references",
                    "inventory": 999,
                    "webhookCredential": 999,
                    "workflowJobTemplate": 9999,
                },
            },
        ),
        "createSliceWorkflowJob",
    )
    assert payload["workflowJob"] is None
    errors = {e["field"]: e for e in payload["userErrors"]}
    assert set(errors) == {"inventory", "webhookCredential", "workflowJobTemplate"}
    assert {e["code"] for e in errors.values()} == {"UPSTREAM_REJECTED"}
    assert errors["inventory"]["message"] == 'Invalid pk "999" - object does not exist.'
    assert upstream_requests(sandbox, "awx") == {
        "POST /api/v2/job_templates/{id}/slice_workflow_jobs/": 1
    }


def test_slice_create_on_a_template_awx_denies_points_to_launch(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    jt = template_id(sandbox, sliced=True, startable=False)
    body = gateway.execute(CREATE_SLICE, {"id": jt, "input": {"name": "Denied"}})
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["extensions"]["upstream"] == "awx"
    assert f"job template {jt}" in error["message"]
    assert "launchJobTemplate" in error["message"]
    assert TOKEN not in str(body)


def test_slice_create_on_an_unknown_template_is_a_user_error(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    payload = one_field(
        gateway.execute(CREATE_SLICE, {"id": 9999, "input": {"name": "Nowhere"}}),
        "createSliceWorkflowJob",
    )
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        ("jobTemplateId", "NOT_FOUND")
    ]


def test_slice_create_with_a_lost_answer_is_outcome_unknown_with_its_identity(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    jt = template_id(sandbox, sliced=True)
    set_faults(sandbox, "awx", mode="drop", error_rate=1.0, methods=["POST"], remaining=1)
    body = gateway.execute(CREATE_SLICE, {"id": jt, "input": {"name": "Lost slice"}})
    [error] = body["errors"]
    ext = error["extensions"]
    assert ext["code"] == "OUTCOME_UNKNOWN"
    assert ext["upstream"] == "awx"
    assert ext["request"] == {
        "method": "POST",
        "path": f"/api/v2/job_templates/{jt}/slice_workflow_jobs/",
    }
    assert ext["identity"]["jobTemplateId"] == jt
    assert ext["identity"]["name"] == "Lost slice"
    assert "sentAt" in ext["identity"]
    assert upstream_requests(sandbox, "awx") == {
        "POST /api/v2/job_templates/{id}/slice_workflow_jobs/": 1
    }


SLICE_INPUT_PROBLEMS: list[tuple[str, int, dict[str, Any], list[tuple[str | None, str]]]] = [
    ("template id zero", 0, {}, [("jobTemplateId", "INVALID_VALUE")]),
    ("empty name", 1, {"name": ""}, [("name", "REQUIRED")]),
    ("blank name", 1, {"name": "   "}, [("name", "REQUIRED")]),
    ("long name", 1, {"name": "n" * 513}, [("name", "TOO_LONG")]),
    ("long webhook guid", 1, {"webhookGuid": "g" * 129}, [("webhookGuid", "TOO_LONG")]),
    ("extra vars a list", 1, {"extraVars": [1]}, [("extraVars", "INVALID_TYPE")]),
    ("negative inventory", 1, {"inventory": -1}, [("inventory", "INVALID_VALUE")]),
    ("zero credential", 1, {"webhookCredential": 0}, [("webhookCredential", "INVALID_VALUE")]),
    (
        "zero workflow template",
        1,
        {"workflowJobTemplate": 0},
        [("workflowJobTemplate", "INVALID_VALUE")],
    ),
    ("long tags", 1, {"jobTags": "t" * 1025}, [("jobTags", "TOO_LONG")]),
    ("long branch", 1, {"scmBranch": "b" * 1025}, [("scmBranch", "TOO_LONG")]),
]


@pytest.mark.parametrize(
    ("jt", "fields", "expected"),
    [case[1:] for case in SLICE_INPUT_PROBLEMS],
    ids=[case[0] for case in SLICE_INPUT_PROBLEMS],
)
def test_slice_create_rejects_bad_input_before_any_request(
    sandbox: SandboxThread,
    gateway: GatewayClient,
    jt: int,
    fields: dict[str, Any],
    expected: list[tuple[str | None, str]],
) -> None:
    payload = one_field(
        gateway.execute(CREATE_SLICE, {"id": jt, "input": {"name": "Valid", **fields}}),
        "createSliceWorkflowJob",
    )
    assert payload["workflowJob"] is None
    assert sorted((e["field"], e["code"]) for e in payload["userErrors"]) == sorted(expected)
    assert upstream_requests(sandbox, "awx") == {}


def test_unknown_webhook_service_is_refused_by_the_schema(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    body = gateway.execute(
        CREATE_SLICE, {"id": 1, "input": {"name": "Valid", "webhookService": "slack"}}
    )
    [error] = body["errors"]
    assert error["extensions"]["code"] in {"BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED"}
    assert "WebhookService" in error["message"]
    assert upstream_requests(sandbox, "awx") == {}


# --- launchJobTemplate -------------------------------------------------------------------------


def test_launch_of_a_sliced_template_answers_a_workflow_job_with_nodes(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    jt = template_id(sandbox, sliced=True)
    payload = one_field(gateway.execute(LAUNCH, {"id": jt}), "launchJobTemplate")
    assert payload["userErrors"] == []
    assert payload["job"] is None
    wj = payload["workflowJob"]
    assert wj["isSlicedJob"] is True
    assert wj["jobTemplateId"] == jt
    assert len(wj["nodes"]) >= 2
    assert {n["workflowJobId"] for n in wj["nodes"]} == {wj["awxId"]}

    read = gateway.data(
        "query($id: Int!) { workflowJob(id: $id) { nodes { awxId } } }", {"id": wj["awxId"]}
    )["workflowJob"]
    assert sorted(n["awxId"] for n in read["nodes"]) == sorted(n["awxId"] for n in wj["nodes"])


def test_launch_of_an_unsliced_template_answers_a_job(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    jt = template_id(sandbox, sliced=False)
    payload = one_field(
        gateway.execute(LAUNCH, {"id": jt, "input": {"limit": "web*"}}), "launchJobTemplate"
    )
    assert payload["userErrors"] == []
    assert payload["workflowJob"] is None
    assert payload["job"]["type"] == "job"
    assert payload["job"]["awxId"] > 0
    assert upstream_requests(sandbox, "awx") == {"POST /api/v2/job_templates/{id}/launch/": 1}


@pytest.mark.parametrize(
    ("jt", "fields", "expected"),
    [
        (-3, None, [("jobTemplateId", "INVALID_VALUE")]),
        (1, {"extraVars": "a: 1"}, [("extraVars", "INVALID_TYPE")]),
        (
            1,
            {"inventory": 0, "limit": "l" * 70_000},
            [("inventory", "INVALID_VALUE"), ("limit", "TOO_LONG")],
        ),
    ],
    ids=["template id", "extra vars text", "several at once"],
)
def test_launch_rejects_bad_input_before_any_request(
    sandbox: SandboxThread,
    gateway: GatewayClient,
    jt: int,
    fields: dict[str, Any] | None,
    expected: list[tuple[str | None, str]],
) -> None:
    payload = one_field(gateway.execute(LAUNCH, {"id": jt, "input": fields}), "launchJobTemplate")
    assert payload["workflowJob"] is None
    assert payload["job"] is None
    assert sorted((e["field"], e["code"]) for e in payload["userErrors"]) == sorted(expected)
    assert upstream_requests(sandbox, "awx") == {}
