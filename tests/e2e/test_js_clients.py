"""Real npm clients against the gateway: graphql-request, graphql-ws and graphql-js.

The Node scripts of ``tests/js/`` (their packages pinned by its
``package-lock.json``, installed by ``make``: ``npm ci --prefix tests/js``)
run against the gateway and the sandbox as real servers on 127.0.0.1 and
print their answers as JSON, which these tests check against the sandbox's
own data. graphql-js's ``buildSchema`` and ``validate`` must accept the
committed ``schema.graphql`` and the documents of ``tests/js/documents/``,
and GraphQL Code Generator's core, with its typescript plugins, must generate
their types offline. Skipped only where node or the installed packages are
missing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.server import SandboxThread
from tests.conftest import TOKEN
from tests.e2e.conftest import GatewayClient, reset_counts, upstream_requests

ROOT = Path(__file__).resolve().parents[2]
JS = ROOT / "tests" / "js"
PACKAGES = (
    "graphql",
    "graphql-request",
    "graphql-ws",
    "ws",
    "@graphql-codegen/core",
    "@graphql-codegen/typescript",
    "@graphql-codegen/typescript-operations",
)
NODE = shutil.which("node")
MISSING = [name for name in PACKAGES if not (JS / "node_modules" / name / "package.json").exists()]
AUTH = {"Authorization": f"Bearer {TOKEN}"}

pytestmark = [
    pytest.mark.skipif(NODE is None, reason="node (Node.js 20+) is not installed"),
    pytest.mark.skipif(
        NODE is not None and bool(MISSING),
        reason=f"tests/js packages not installed ({', '.join(MISSING)}):"
        " run `npm ci --prefix tests/js` (make does it where npm exists)",
    ),
]


def node(script: str, *args: str) -> Any:
    """Run one script of ``tests/js`` and parse the JSON it prints."""
    assert NODE is not None
    done = subprocess.run(  # noqa: S603 - our own scripts, fixed arguments
        [NODE, script, *args], cwd=JS, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def awx_workflow_job(sandbox: SandboxThread, awx_id: int) -> dict[str, Any]:
    answer = httpx.get(f"{sandbox.url('awx')}/api/v2/workflow_jobs/{awx_id}/", headers=AUTH)
    answer.raise_for_status()
    job: dict[str, Any] = answer.json()
    return job


def test_graphql_request_runs_a_query_and_a_mutation(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    client_job_id = str(uuid.uuid4())
    reset_counts(sandbox)

    answers = node("http_client.mjs", f"{gateway.url}/graphql", client_job_id)

    # one lookup by clientJobId and one POST: the create ran once
    assert upstream_requests(sandbox, "jobstore") == {
        "GET /jobs/v1/{client_job_id}": 1,
        "POST /jobs/v1": 1,
    }
    expected = awx_workflow_job(sandbox, 7)
    for query in (answers["query"], answers["getQuery"]):
        assert query["workflowJob"]["awxId"] == expected["id"] == 7
        assert query["workflowJob"]["name"] == expected["name"]
    assert answers["getWithoutHeader"] == {"status": 400, "codes": ["CSRF_PREVENTED"]}

    payload = answers["mutation"]["createFlowJob"]
    assert payload["userErrors"] == []
    assert payload["created"] is True
    stored = httpx.get(f"{sandbox.url('jobstore')}/jobs/v1/{client_job_id}", headers=AUTH).json()
    assert [job["jobId"] for job in stored] == [payload["job"]["jobId"]]
    assert payload["job"]["clientJobId"] == client_job_id
    assert payload["job"]["jobTitle"] == "graphql-request client"


def test_graphql_ws_runs_a_query_and_a_subscription_over_graphql_transport_ws(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    url = gateway.url.replace("http://", "ws://") + "/graphql"
    answers = node("ws_client.mjs", url)

    expected = awx_workflow_job(sandbox, 7)
    [result] = answers["workflowJob"]
    assert "errors" not in result
    assert result["data"]["workflowJob"]["awxId"] == 7
    assert result["data"]["workflowJob"]["name"] == expected["name"]

    # the job has finished: one event (of up to 5 taken), then the server completed it
    assert expected["status"] == "successful"
    [event] = answers["jobStatus"]
    assert event["data"]["jobUpdated"] == {
        "id": "V29ya2Zsb3dKb2I6Nw==",
        "source": "AWX",
        "state": "SUCCEEDED",
        "upstreamStatus": expected["status"],
    }


def test_graphql_js_accepts_the_schema_and_documents_and_codegen_types_them(
    tmp_path: Path,
) -> None:
    types = tmp_path / "types.ts"
    report = node("validate.mjs", str(ROOT / "schema.graphql"), str(types))

    documents = sorted(p.stem for p in (JS / "documents").glob("*.graphql"))
    assert report["errors"] == {name: [] for name in documents}
    assert report["schemaTypes"] > 20
    for name in ("Query", "Mutation", "Subscription", "WorkflowJob", "CreateFlowJobInput"):
        assert name in report["exported"]
    for name in documents:  # one result type and one variables type per operation
        kind = (
            "Mutation"
            if name.startswith("Create")
            else "Subscription"
            if name == "JobStatus"
            else "Query"
        )
        assert f"{name}{kind}" in report["exported"]
        assert f"{name}{kind}Variables" in report["exported"]
    assert "export type WorkflowJobQuery = " in types.read_text()
