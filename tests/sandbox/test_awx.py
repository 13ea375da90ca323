"""The AWX sandbox over real sockets: lists, filters, slice workflow jobs, launch, clock, auth."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sandbox.server import UPSTREAMS, SandboxSet, SandboxThread
from tests.conftest import TOKEN

API = "/api/v2"
WORKFLOW_JOB_KEYS = {
    "id",
    "type",
    "url",
    "related",
    "summary_fields",
    "created",
    "modified",
    "name",
    "description",
    "unified_job_template",
    "launch_type",
    "status",
    "failed",
    "started",
    "finished",
    "canceled_on",
    "elapsed",
    "job_explanation",
    "launched_by",
    "work_unit_id",
    "workflow_job_template",
    "extra_vars",
    "allow_simultaneous",
    "job_template",
    "is_sliced_job",
    "inventory",
    "limit",
    "scm_branch",
    "webhook_service",
    "webhook_credential",
    "webhook_guid",
    "skip_tags",
    "job_tags",
}
NODE_KEYS = {
    "id",
    "type",
    "url",
    "related",
    "summary_fields",
    "created",
    "modified",
    "workflow_job",
    "unified_job_template",
    "job",
    "identifier",
    "success_nodes",
    "failure_nodes",
    "always_nodes",
    "do_not_run",
    "all_parents_must_converge",
    "extra_data",
    "inventory",
    "limit",
    "scm_branch",
    "job_type",
    "job_tags",
    "skip_tags",
    "diff_mode",
    "verbosity",
}
TEMPLATE_KEYS = {
    "id",
    "type",
    "url",
    "related",
    "summary_fields",
    "created",
    "modified",
    "name",
    "description",
    "job_type",
    "inventory",
    "project",
    "playbook",
    "forks",
    "limit",
    "verbosity",
    "extra_vars",
    "job_tags",
    "skip_tags",
    "job_slice_count",
    "status",
    "last_job_run",
    "last_job_failed",
    "next_job_run",
    "allow_simultaneous",
    "ask_variables_on_launch",
    "ask_inventory_on_launch",
    "webhook_service",
    "webhook_credential",
}
STATUSES = {"new", "pending", "waiting", "running", "successful", "failed", "error", "canceled"}
TIMESTAMP = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$"


@pytest.fixture
def awx(sandbox: SandboxThread, auth_headers: dict[str, str]) -> Iterator[httpx.Client]:
    """A client of the shared AWX sandbox."""
    with httpx.Client(base_url=sandbox.url("awx"), headers=auth_headers, timeout=10) as client:
        yield client


@pytest.fixture
def fresh(sandbox: SandboxThread, awx: httpx.Client) -> Iterator[httpx.Client]:
    """The AWX client over freshly seeded data, seeded again afterwards for the next tests.

    Only the AWX upstream is reseeded (``sandbox_reset(data=True)`` would reseed all three).
    """
    _reseed_awx(sandbox)
    yield awx
    _reseed_awx(sandbox)


def _reseed_awx(thread: SandboxThread) -> None:
    httpx.post(f"{thread.url('awx')}/_sandbox/reset", json={"data": True}).raise_for_status()


def _get(client: httpx.Client, path: str, **params: Any) -> dict[str, Any]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _all_workflow_jobs(client: httpx.Client) -> list[dict[str, Any]]:
    first = _get(client, f"{API}/workflow_jobs/", page_size=200)
    second = _get(client, f"{API}/workflow_jobs/", page_size=200, page=2)
    results: list[dict[str, Any]] = first["results"] + second["results"]
    return results


def _templates(client: httpx.Client) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = _get(client, f"{API}/job_templates/", page_size=200)["results"]
    return results


def _template(client: httpx.Client, *, sliced: bool, startable: bool) -> dict[str, Any]:
    return next(
        t
        for t in _templates(client)
        if (t["job_slice_count"] > 1) is sliced
        and t["summary_fields"]["user_capabilities"]["start"] is startable
    )


# -- lists and paging -----------------------------------------------------------------


def test_first_and_second_page(fresh: httpx.Client) -> None:
    page1 = _get(fresh, f"{API}/workflow_jobs/")
    assert page1["count"] == 300
    assert [j["id"] for j in page1["results"]] == list(range(1, 26))
    assert page1["next"] == f"{API}/workflow_jobs/?page=2"
    assert page1["previous"] is None
    page2 = _get(fresh, f"{API}/workflow_jobs/", page=2, page_size=25)
    assert [j["id"] for j in page2["results"]] == list(range(26, 51))
    assert page2["next"] == f"{API}/workflow_jobs/?page=3&page_size=25"
    assert page2["previous"] == f"{API}/workflow_jobs/?page=1&page_size=25"
    last = _get(fresh, f"{API}/workflow_jobs/", page=12)
    assert last["next"] is None
    assert [j["id"] for j in last["results"]] == list(range(276, 301))


def test_page_size_is_capped_at_200(fresh: httpx.Client) -> None:
    page = _get(fresh, f"{API}/workflow_jobs/", page_size=500)
    assert len(page["results"]) == 200
    assert page["next"] == f"{API}/workflow_jobs/?page=2&page_size=200"
    second = _get(fresh, f"{API}/workflow_jobs/", page_size=500, page=2)
    assert len(second["results"]) == 100
    assert second["next"] is None
    assert second["previous"] == f"{API}/workflow_jobs/?page=1&page_size=200"


@pytest.mark.parametrize("page", ["0", "99", "abc", "-1"])
def test_invalid_page_is_404(awx: httpx.Client, page: str) -> None:
    response = awx.get(f"{API}/workflow_jobs/", params={"page": page})
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


def test_workflow_job_documents_carry_every_field(awx: httpx.Client) -> None:
    jobs = _all_workflow_jobs(awx)
    for job in jobs:
        assert job.keys() >= WORKFLOW_JOB_KEYS
        assert job["type"] == "workflow_job"
        assert job["url"] == f"{API}/workflow_jobs/{job['id']}/"
        assert isinstance(job["extra_vars"], str)
        assert isinstance(json.loads(job["extra_vars"]), dict)
        assert isinstance(job["elapsed"], float | int)
        assert job["failed"] is (job["status"] in ("failed", "error"))
        if job["status"] in ("successful", "failed", "error", "canceled"):
            assert job["finished"] is not None
        else:
            assert job["finished"] is None
        if job["status"] == "canceled":
            assert job["canceled_on"] is not None
        if job["is_sliced_job"]:
            assert job["job_template"] is not None
            assert job["summary_fields"]["job_template"]["id"] == job["job_template"]
        else:
            assert job["workflow_job_template"] is not None
        summary = job["summary_fields"]
        assert {"labels", "user_capabilities"} <= summary.keys()
        assert {"workflow_nodes", "labels", "activity_stream", "relaunch", "cancel"} <= (
            job["related"].keys()
        )
    assert {j["status"] for j in jobs} == STATUSES
    assert {j["launch_type"] for j in jobs} == {
        "manual",
        "relaunch",
        "callback",
        "scheduled",
        "dependency",
        "workflow",
        "webhook",
        "sync",
        "scm",
    }
    assert {j["extra_vars"] == "{}" for j in jobs} == {True, False}
    sliced = sum(1 for j in jobs if j["is_sliced_job"])
    assert 90 <= sliced <= 210
    import re

    assert all(re.match(TIMESTAMP, j["created"]) for j in jobs)


def test_detail_and_404(awx: httpx.Client) -> None:
    job = _get(awx, f"{API}/workflow_jobs/7/")
    assert job["id"] == 7
    for path in (
        f"{API}/workflow_jobs/999999/",
        f"{API}/workflow_jobs/abc/",
        f"{API}/job_templates/999/",
        f"{API}/workflow_job_nodes/999999/",
        f"{API}/no_such_thing/",
    ):
        response = awx.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not found."}


def test_method_not_allowed_has_detail(awx: httpx.Client) -> None:
    response = awx.delete(f"{API}/workflow_jobs/")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "DELETE" not allowed.'}


# -- filters and ordering -------------------------------------------------------------


def test_id_in(awx: httpx.Client) -> None:
    page = _get(awx, f"{API}/workflow_jobs/", id__in="5,3,250,9999")
    assert [j["id"] for j in page["results"]] == [3, 5, 250]
    assert page["count"] == 3
    assert _get(awx, f"{API}/workflow_jobs/", id=4)["results"][0]["id"] == 4


def test_status_filters(awx: httpx.Client) -> None:
    everything = _all_workflow_jobs(awx)
    successful = _get(awx, f"{API}/workflow_jobs/", status="successful", page_size=200)
    assert successful["count"] == sum(1 for j in everything if j["status"] == "successful")
    assert {j["status"] for j in successful["results"]} == {"successful"}
    several = _get(awx, f"{API}/workflow_jobs/", status__in="failed,error", page_size=200)
    assert {j["status"] for j in several["results"]} == {"failed", "error"}
    assert several["count"] == sum(1 for j in everything if j["status"] in ("failed", "error"))
    others = _get(awx, f"{API}/workflow_jobs/", not__status="successful", page_size=200)
    assert others["count"] == len(everything) - successful["count"]
    assert "successful" not in {j["status"] for j in others["results"]}


def test_created_range(awx: httpx.Client) -> None:
    page = _get(
        awx,
        f"{API}/workflow_jobs/",
        created__gt="2025-06-01T00:00:00Z",
        created__lt="2025-07-01",
        page_size=200,
    )
    assert page["count"] > 0
    for job in page["results"]:
        assert "2025-06-01T00:00:00" < job["created"] < "2025-07-01T00:00:00"
    everything = _all_workflow_jobs(awx)
    expected = [j for j in everything if "2025-06" <= j["created"][:7] < "2025-07"]
    assert page["count"] == len(expected)
    at_least = _get(awx, f"{API}/workflow_jobs/", created__gte=everything[10]["created"])
    assert at_least["results"][0]["id"] == everything[10]["id"]
    at_most = _get(awx, f"{API}/workflow_jobs/", created__lte=everything[10]["created"])
    assert at_most["count"] == 11


def test_name_icontains_and_search(awx: httpx.Client) -> None:
    name = _get(awx, f"{API}/workflow_jobs/")["results"][0]["name"]
    fragment = name.split()[-1].upper()
    page = _get(awx, f"{API}/workflow_jobs/", name__icontains=fragment, page_size=200)
    assert page["count"] > 0
    assert all(fragment.lower() in j["name"].lower() for j in page["results"])
    search = _get(awx, f"{API}/workflow_jobs/", search=fragment.lower(), page_size=200)
    assert search["count"] >= page["count"]


def test_order_by(awx: httpx.Client) -> None:
    ascending = _get(awx, f"{API}/workflow_jobs/", order_by="created", page_size=200)["results"]
    created = [j["created"] for j in ascending]
    assert created == sorted(created)
    descending = _get(awx, f"{API}/workflow_jobs/", order_by="-created", page_size=200)
    newest = [j["created"] for j in descending["results"]]
    assert newest == sorted(newest, reverse=True)
    assert descending["next"] == f"{API}/workflow_jobs/?order_by=-created&page=2&page_size=200"
    by_status = _get(awx, f"{API}/workflow_jobs/", order_by="status,-id", page_size=200)
    keys = [(j["status"], -j["id"]) for j in by_status["results"]]
    assert keys == sorted(keys)


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"id__in": "1,x"}, '["“x” value must be an integer."]'),
        (
            {"created__gt": "yesterday"},
            '["“yesterday” value has an invalid format. It must be in '
            'YYYY-MM-DD HH:MM[:ss[.uuuuuu]][TZ] format."]',
        ),
        ({"job_template": "abc"}, "Invalid job_template id: abc"),
        ({"failed": "maybe"}, 'Unable to convert "maybe" to boolean'),
        ({"no_such_field": "1"}, "WorkflowJob has no field named 'no_such_field'"),
        ({"order_by": "-nope"}, "WorkflowJob has no field named 'nope'"),
    ],
)
def test_malformed_filters_are_400(awx: httpx.Client, params: dict[str, str], detail: str) -> None:
    response = awx.get(f"{API}/workflow_jobs/", params=params)
    assert response.status_code == 400
    assert response.json() == {"detail": detail}


def test_nodes_by_workflow_job_in(awx: httpx.Client) -> None:
    page = _get(awx, f"{API}/workflow_job_nodes/", workflow_job__in="1,2,3,4,5", page_size=200)
    # the node-count pattern starts 0, 1, 1, 2, 0
    assert page["count"] == 4
    assert sorted({n["workflow_job"] for n in page["results"]}) == [2, 3, 4]
    for node in page["results"]:
        assert node.keys() >= NODE_KEYS
        assert node["type"] == "workflow_job_node"
        if node["job"] is not None:
            job = node["summary_fields"]["job"]
            assert job["id"] == node["job"]
            assert {"id", "name", "status", "failed", "elapsed", "type"} <= job.keys()
    one = _get(awx, f"{API}/workflow_job_nodes/", workflow_job=4)
    assert one["count"] == 2
    same = _get(awx, f"{API}/workflow_jobs/4/workflow_nodes/")
    assert [n["id"] for n in same["results"]] == [n["id"] for n in one["results"]]
    detail = _get(awx, f"{API}/workflow_job_nodes/{one['results'][0]['id']}/")
    assert detail == one["results"][0]


def test_sliced_seeded_nodes_are_slices(awx: httpx.Client) -> None:
    sliced = [j["id"] for j in _all_workflow_jobs(awx) if j["is_sliced_job"]]
    nodes = _get(
        awx,
        f"{API}/workflow_job_nodes/",
        workflow_job__in=",".join(map(str, sliced[:100])),
        page_size=200,
    )["results"]
    pairs = [n for n in nodes if n["identifier"].startswith("slice-")]
    assert pairs
    assert {n["identifier"] for n in pairs} <= {"slice-1", "slice-2"}


def test_node_count_of_the_200_newest(fresh: httpx.Client) -> None:
    newest = _get(fresh, f"{API}/workflow_jobs/", order_by="-id", page_size=200)["results"]
    ids = ",".join(str(j["id"]) for j in newest)
    nodes = _get(fresh, f"{API}/workflow_job_nodes/", workflow_job__in=ids, page_size=200)
    assert nodes["count"] == 180
    assert nodes["next"] is None
    assert len(nodes["results"]) == 180


# -- job templates ------------------------------------------------------------------


def test_job_templates(awx: httpx.Client) -> None:
    templates = _templates(awx)
    assert len(templates) == 30
    for template in templates:
        assert template.keys() >= TEMPLATE_KEYS
        assert template["type"] == "job_template"
        assert {"edit", "delete", "start", "schedule", "copy"} <= (
            template["summary_fields"]["user_capabilities"].keys()
        )
    assert any(t["job_slice_count"] > 1 for t in templates)
    denied = [t for t in templates if not t["summary_fields"]["user_capabilities"]["start"]]
    assert {t["job_slice_count"] > 1 for t in denied} == {True, False}
    detail = _get(awx, f"{API}/job_templates/3/")
    assert detail == templates[2]
    chosen = _get(awx, f"{API}/job_templates/", id__in="2,4,6")
    assert [t["id"] for t in chosen["results"]] == [2, 4, 6]


# -- creating slice workflow jobs ------------------------------------------------------


def test_create_slice_workflow_job(fresh: httpx.Client) -> None:
    template = _template(fresh, sliced=True, startable=True)
    body = {
        "name": "Nightly slice run",
        "description": "made by a test",
        "workflow_job_template": 31,
        "extra_vars": "region: eu\nbatch: 3\ndry_run: yes",
        "allow_simultaneous": True,
        "is_sliced_job": True,
        "inventory": 2,
        "limit": "webservers",
        "scm_branch": "main",
        "webhook_service": "github",
        "webhook_credential": 1,
        "webhook_guid": "abc-123",
        "skip_tags": "facts",
        "job_tags": "deploy",
    }
    response = fresh.post(f"{API}/job_templates/{template['id']}/slice_workflow_jobs/", json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created.keys() >= WORKFLOW_JOB_KEYS
    assert created["id"] == 301
    assert created["type"] == "workflow_job"
    assert created["job_template"] == template["id"]
    assert json.loads(created["extra_vars"]) == {"region": "eu", "batch": 3, "dry_run": True}
    for key in body.keys() - {"extra_vars"}:
        assert created[key] == body[key], key
    assert created["status"] in ("pending", "running", "successful")
    read = _get(fresh, f"{API}/workflow_jobs/{created['id']}/")
    assert read["name"] == "Nightly slice run"
    assert read["inventory"] == 2
    listed = _get(fresh, f"{API}/job_templates/{template['id']}/slice_workflow_jobs/")
    assert created["id"] in [j["id"] for j in listed["results"]]
    assert all(j["job_template"] == template["id"] for j in listed["results"])
    assert _get(fresh, f"{API}/workflow_jobs/")["count"] == 301


def test_extra_vars_as_object_and_defaults(fresh: httpx.Client) -> None:
    template = _template(fresh, sliced=False, startable=True)
    response = fresh.post(
        f"{API}/job_templates/{template['id']}/slice_workflow_jobs/",
        json={"name": "x", "extra_vars": {"a": [1, 2]}},
    )
    assert response.status_code == 201
    created = response.json()
    assert json.loads(created["extra_vars"]) == {"a": [1, 2]}
    assert created["webhook_service"] == ""
    assert created["is_sliced_job"] is False
    assert created["allow_simultaneous"] is False


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"name": ["This field is required."]}),
        ({"name": ""}, {"name": ["This field may not be blank."]}),
        ({"name": "x" * 513}, {"name": ["Ensure this field has no more than 512 characters."]}),
        (
            {"name": "ok", "webhook_service": "svn"},
            {"webhook_service": ['"svn" is not a valid choice.']},
        ),
        (
            {"name": "ok", "webhook_guid": "g" * 129},
            {"webhook_guid": ["Ensure this field has no more than 128 characters."]},
        ),
        (
            {"name": "ok", "inventory": 999},
            {"inventory": ['Invalid pk "999" - object does not exist.']},
        ),
        (
            {"name": "ok", "inventory": "abc"},
            {"inventory": ["Incorrect type. Expected pk value, received str."]},
        ),
        (
            {"name": "ok", "allow_simultaneous": "perhaps"},
            {"allow_simultaneous": ["Must be a valid boolean."]},
        ),
        (
            {"name": "ok", "workflow_job_template": 1},
            {"workflow_job_template": ['Invalid pk "1" - object does not exist.']},
        ),
        (
            {"name": "ok", "extra_vars": "[1, 2]"},
            {
                "extra_vars": [
                    "Cannot parse as JSON (error: Input type `list` is not a dictionary) or "
                    "YAML (error: Input type `list` is not a dictionary)."
                ]
            },
        ),
        (
            {"webhook_service": "svn", "inventory": 999, "webhook_guid": "g" * 200},
            {
                "name": ["This field is required."],
                "webhook_service": ['"svn" is not a valid choice.'],
                "inventory": ['Invalid pk "999" - object does not exist.'],
                "webhook_guid": ["Ensure this field has no more than 128 characters."],
            },
        ),
    ],
)
def test_create_validation(awx: httpx.Client, body: dict[str, Any], errors: dict[str, Any]) -> None:
    response = awx.post(f"{API}/job_templates/3/slice_workflow_jobs/", json=body)
    if response.status_code == 403:  # template 3 is denied under this seed: pick another
        template = _template(awx, sliced=True, startable=True)
        response = awx.post(f"{API}/job_templates/{template['id']}/slice_workflow_jobs/", json=body)
    assert response.status_code == 400
    assert response.json() == errors


def test_create_rejects_bad_bodies(awx: httpx.Client) -> None:
    template = _template(awx, sliced=True, startable=True)
    path = f"{API}/job_templates/{template['id']}/slice_workflow_jobs/"
    broken = awx.post(path, content=b"{not json", headers={"content-type": "application/json"})
    assert broken.status_code == 400
    assert broken.json()["detail"].startswith("JSON parse error - ")
    listed = awx.post(path, json=[1, 2])
    assert listed.status_code == 400
    assert listed.json() == {"__all__": ["Invalid data. Expected a dictionary, but got list."]}
    missing = awx.post(f"{API}/job_templates/999/slice_workflow_jobs/", json={"name": "x"})
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Not found."}


def test_denied_templates_answer_403(awx: httpx.Client) -> None:
    forbidden = {"detail": "You do not have permission to perform this action."}
    for sliced in (True, False):
        template = _template(awx, sliced=sliced, startable=False)
        base = f"{API}/job_templates/{template['id']}"
        created = awx.post(f"{base}/slice_workflow_jobs/", json={"name": "nope"})
        assert created.status_code == 403
        assert created.json() == forbidden
        launched = awx.post(f"{base}/launch/", json={})
        assert launched.status_code == 403
        assert launched.json() == forbidden
        # reading is still allowed
        assert awx.get(f"{base}/slice_workflow_jobs/").status_code == 200


# -- launching ------------------------------------------------------------------------


def test_launch_sliced_template_answers_a_workflow_job(fresh: httpx.Client) -> None:
    template = _template(fresh, sliced=True, startable=True)
    response = fresh.post(f"{API}/job_templates/{template['id']}/launch/", json={})
    assert response.status_code == 201, response.text
    launched = response.json()
    assert launched["type"] == "workflow_job"
    assert launched["workflow_job"] == launched["id"]
    assert launched["is_sliced_job"] is True
    assert launched["job_template"] == template["id"]
    assert launched["launch_type"] == "manual"
    assert response.headers["location"] == launched["url"]
    nodes = _get(fresh, f"{API}/workflow_job_nodes/", workflow_job=launched["id"])
    assert nodes["count"] == template["job_slice_count"]
    assert [n["identifier"] for n in nodes["results"]] == [
        f"slice-{k + 1}" for k in range(template["job_slice_count"])
    ]


def test_launch_single_template_answers_a_job(fresh: httpx.Client) -> None:
    template = _template(fresh, sliced=False, startable=True)
    response = fresh.post(
        f"{API}/job_templates/{template['id']}/launch/", json={"extra_vars": {"x": 1}}
    )
    assert response.status_code == 201, response.text
    job = response.json()
    assert job["type"] == "job"
    assert job["job"] == job["id"]
    assert job["job_template"] == template["id"]
    assert job["name"] == template["name"]
    assert job["status"] in ("pending", "running", "successful")
    if template["ask_variables_on_launch"]:
        assert json.loads(job["extra_vars"]) == {"x": 1}
    else:
        assert job["ignored_fields"] == {"extra_vars": {"x": 1}}
    assert _get(fresh, f"{API}/jobs/{job['id']}/")["id"] == job["id"]


def test_launch_rejects_unknown_inventory(fresh: httpx.Client) -> None:
    template = next(
        t
        for t in _templates(fresh)
        if t["ask_inventory_on_launch"] and t["summary_fields"]["user_capabilities"]["start"]
    )
    response = fresh.post(f"{API}/job_templates/{template['id']}/launch/", json={"inventory": 77})
    assert response.status_code == 400
    assert response.json() == {"inventory": ['Invalid pk "77" - object does not exist.']}


# -- the clock, cancel ------------------------------------------------------------------


@pytest.fixture(scope="module")
def fast_clock() -> Iterator[SandboxThread]:
    """Separate upstreams whose created jobs finish in 0.3 s."""
    sandboxes = SandboxSet.create(ports=dict.fromkeys(UPSTREAMS, 0), progress_seconds=0.3)
    with SandboxThread(sandboxes) as thread:
        yield thread


def test_created_job_moves_on_the_clock(fast_clock: SandboxThread) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=fast_clock.url("awx"), headers=headers) as client:
        template = _template(client, sliced=True, startable=True)
        created = client.post(f"{API}/job_templates/{template['id']}/launch/", json={}).json()
        assert created["status"] == "pending"
        assert created["started"] is None
        nodes = _get(client, f"{API}/workflow_job_nodes/", workflow_job=created["id"])
        assert all(n["job"] is None for n in nodes["results"])
        seen = {"pending"}
        deadline = time.monotonic() + 5
        job = created
        while time.monotonic() < deadline:
            job = _get(client, f"{API}/workflow_jobs/{created['id']}/")
            seen.add(job["status"])
            if job["status"] == "running":
                assert job["started"] is not None
                assert job["finished"] is None
            if job["status"] == "successful":
                break
            time.sleep(0.02)
        assert seen == {"pending", "running", "successful"}
        assert job["failed"] is False
        assert job["finished"] is not None
        assert job["elapsed"] > 0
        nodes = _get(client, f"{API}/workflow_job_nodes/", workflow_job=created["id"])
        assert all(n["summary_fields"]["job"]["status"] == "successful" for n in nodes["results"])
        assert all(n["job"] is not None for n in nodes["results"])


def test_cancel(fresh: httpx.Client) -> None:
    template = _template(fresh, sliced=True, startable=True)
    created = fresh.post(
        f"{API}/job_templates/{template['id']}/slice_workflow_jobs/", json={"name": "to cancel"}
    ).json()
    cancel = f"{API}/workflow_jobs/{created['id']}/cancel/"
    assert _get(fresh, cancel) == {"can_cancel": True}
    assert fresh.post(cancel).status_code == 202
    job = _get(fresh, f"{API}/workflow_jobs/{created['id']}/")
    assert job["status"] == "canceled"
    assert job["canceled_on"] is not None
    again = fresh.post(cancel)
    assert again.status_code == 405
    assert again.json() == {"detail": 'Method "POST" not allowed.'}


# -- determinism, auth, openapi ---------------------------------------------------------


def test_same_seed_same_data_other_seed_other_data(
    awx: httpx.Client, fast_clock: SandboxThread
) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    _reseed_awx(fast_clock)
    with httpx.Client(base_url=fast_clock.url("awx"), headers=headers) as same:
        first = _get(same, f"{API}/workflow_jobs/", page_size=50)
    assert first == _get(awx, f"{API}/workflow_jobs/", page_size=50)
    other_set = SandboxSet.create(ports=dict.fromkeys(UPSTREAMS, 0), seed=7)
    with (
        SandboxThread(other_set) as other,
        httpx.Client(base_url=other.url("awx"), headers=headers) as client,
    ):
        different = _get(client, f"{API}/workflow_jobs/", page_size=50)
    assert different["count"] == 300
    assert different["results"] != first["results"]


def test_auth(sandbox: SandboxThread) -> None:
    url = f"{sandbox.url('awx')}{API}/workflow_jobs/"
    missing = httpx.get(url)
    assert missing.status_code == 401
    assert missing.json() == {"detail": "Authentication credentials were not provided."}
    assert missing.headers["www-authenticate"] == "Bearer realm=api"
    wrong = httpx.get(url, headers={"Authorization": "Bearer wrong"})
    assert wrong.status_code == 401
    basic = base64.b64encode(f"admin:{TOKEN}".encode()).decode()
    assert httpx.get(url, headers={"Authorization": f"Basic {basic}"}).status_code == 200


def test_openapi(sandbox: SandboxThread) -> None:
    response = httpx.get(f"{sandbox.url('awx')}/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.")
    assert f"{API}/job_templates/{{id}}/slice_workflow_jobs/" in doc["paths"]
    assert {"bearerAuth", "basicAuth"} <= doc["components"]["securitySchemes"].keys()
    assert {"WorkflowJob", "WorkflowJobNode", "JobTemplate", "WorkflowJobList"} <= (
        doc["components"]["schemas"].keys()
    )
    schema = doc["components"]["schemas"]["WorkflowJob"]
    assert schema["properties"].keys() >= WORKFLOW_JOB_KEYS
