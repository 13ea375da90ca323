"""The sandbox operations manager (Itential-compatible) over real sockets."""

from __future__ import annotations

import base64
import functools
import re
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from sandbox.opsmanager_data import WORKFLOWS, generate_jobs
from sandbox.server import UPSTREAMS, SandboxSet, SandboxThread
from tests.conftest import TOKEN, sandbox_reset

AUTH = {"Authorization": f"Bearer {TOKEN}"}
JOBS = "/operations-manager/jobs"
HEX24 = re.compile(r"^[0-9a-f]{24}$")
GROUP = "5f8729e07fc44aed670ff593"
JOB_KEYS = {
    "_id",
    "name",
    "description",
    "type",
    "status",
    "tasks",
    "transitions",
    "variables",
    "created",
    "created_by",
    "last_updated",
    "last_updated_by",
    "error",
    "warnings",
    "ancestors",
    "parent",
    "errorHandler",
    "groups",
    "watchers",
    "metrics",
    "tags",
    "decorators",
    "validationErrors",
}


@pytest.fixture
def client(sandbox: SandboxThread) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.url("opsmanager"), headers=AUTH, timeout=10) as c:
        yield c


@functools.cache
def _seed_0() -> list[dict[str, Any]]:
    return generate_jobs(0)


@pytest.fixture
def seeded(sandbox: SandboxThread, client: httpx.Client) -> list[dict[str, Any]]:
    """The 250 seeded jobs only, newest first."""
    sandbox_reset(sandbox, data=True)
    jobs = sorted(_seed_0(), key=lambda j: (j["created"], j["_id"]), reverse=True)
    assert len(jobs) == 250
    return jobs


def search(client: httpx.Client, **params: Any) -> dict[str, Any]:
    response = client.get(JOBS, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"message", "data", "metadata"}
    return body


def ids(body: dict[str, Any]) -> list[str]:
    return [job["_id"] for job in body["data"]]


def start(client: httpx.Client, body: Any) -> httpx.Response:
    return client.post(f"{JOBS}/start", json=body)


# --- start -------------------------------------------------------------------


def test_start_answers_the_envelope(client: httpx.Client) -> None:
    body = {
        "workflow": WORKFLOWS[0],
        "options": {
            "description": "Example job description",
            "type": "automation",
            "variables": {"device": "rtr-1"},
            "groups": [GROUP],
        },
    }
    response = start(client, body)
    assert response.status_code == 200
    answer = response.json()
    assert answer["message"] == "Successfully started job"
    assert answer["metadata"] == {}
    job = answer["data"]
    assert set(job) == JOB_KEYS
    assert HEX24.match(job["_id"])
    assert job["name"] == WORKFLOWS[0]
    assert job["status"] == "running"
    assert job["groups"] == [GROUP]
    assert job["variables"]["device"] == "rtr-1"
    assert {"workflow_start", "workflow_end"} <= set(job["tasks"])
    assert job["parent"] is None
    assert job["ancestors"] == []
    assert isinstance(job["metrics"]["start_time"], int)
    again = client.get(f"{JOBS}/{job['_id']}").json()["data"]
    assert again["_id"] == job["_id"]


def test_start_defaults_and_unknown_workflow(client: httpx.Client) -> None:
    response = start(client, {"workflow": "Not In The Catalogue", "options": {}})
    assert response.status_code == 200
    job = response.json()["data"]
    assert job["type"] == "automation"
    assert job["groups"] == []


def test_start_is_not_idempotent(client: httpx.Client) -> None:
    body = {"workflow": WORKFLOWS[1], "options": {}}
    first = start(client, body).json()["data"]["_id"]
    second = start(client, body).json()["data"]["_id"]
    assert first != second


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"options": {}}, "'workflow' is a required property"),
        ({"workflow": "x"}, "'options' is a required property"),
        ({"workflow": "x", "options": {}, "extra": 1}, "Additional properties"),
        ({"workflow": "x", "options": {"groups": [GROUP, "abc"]}}, "options.groups[1]: 'abc'"),
        ({"workflow": 5, "options": {}}, "workflow: 5 is not of type 'string'"),
        ({"workflow": "x", "options": []}, "options: [] is not of type 'object'"),
        ({"workflow": "x", "options": {"variables": []}}, "options.variables"),
        ({"workflow": "x", "options": {"description": 1}}, "options.description"),
        ({"workflow": "x", "options": {"type": False}}, "options.type"),
        ({"workflow": "x", "options": {"groups": "abc"}}, "options.groups"),
        ({"workflow": "", "options": {}}, "workflow: must not be empty"),
        ([], "is not of type 'object'"),
    ],
)
def test_start_schema_violations(client: httpx.Client, body: Any, needle: str) -> None:
    response = start(client, body)
    assert response.status_code == 400
    answer = response.json()
    assert answer["data"] is None
    assert answer["metadata"] == {}
    assert needle in answer["message"]


def test_start_rejects_invalid_json(client: httpx.Client) -> None:
    response = client.post(
        f"{JOBS}/start", content=b"{", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["data"] is None


def test_clock_moves_started_job_to_complete() -> None:
    sandboxes = SandboxSet.create(ports=dict.fromkeys(UPSTREAMS, 0), progress_seconds=0.3)
    with (
        SandboxThread(sandboxes) as thread,
        httpx.Client(base_url=thread.url("opsmanager"), headers=AUTH) as client,
    ):
        job = start(client, {"workflow": WORKFLOWS[2], "options": {}}).json()["data"]
        assert job["status"] == "running"
        assert job["metrics"]["end_time"] is None
        assert job["metrics"]["progress"] < 1
        time.sleep(0.4)
        done = client.get(f"{JOBS}/{job['_id']}").json()["data"]
        assert done["status"] == "complete"
        assert done["metrics"]["progress"] == 1.0
        assert done["metrics"]["end_time"] >= job["metrics"]["start_time"]
        assert all(task["status"] == "complete" for task in done["tasks"].values())
        found = client.get(JOBS, params={"equals[_id]": job["_id"]}).json()["data"]
        assert found[0]["status"] == "complete"


# --- get one -----------------------------------------------------------------


def test_get_unknown_is_404_envelope(client: httpx.Client) -> None:
    response = client.get(f"{JOBS}/000000000000000000000000")
    assert response.status_code == 404
    assert response.json() == {"message": "Job not found", "data": None, "metadata": {}}


def test_get_with_projections(client: httpx.Client, seeded: list[dict[str, Any]]) -> None:
    job_id = seeded[0]["_id"]
    full = client.get(f"{JOBS}/{job_id}").json()
    assert full["data"] == seeded[0]
    included = client.get(f"{JOBS}/{job_id}", params={"include": "name,status"}).json()["data"]
    assert set(included) == {"_id", "name", "status"}
    excluded = client.get(f"{JOBS}/{job_id}", params={"exclude": "tasks,transitions"}).json()
    assert set(excluded["data"]) == JOB_KEYS - {"tasks", "transitions"}
    deref = client.get(f"{JOBS}/{job_id}", params={"dereference": "tasks"}).json()["data"]
    assert deref["tasks"] == seeded[0]["tasks"]
    both = client.get(f"{JOBS}/{job_id}", params={"include": "name", "exclude": "tasks"})
    assert both.status_code == 400


# --- search ------------------------------------------------------------------


def test_search_defaults(client: httpx.Client, seeded: list[dict[str, Any]]) -> None:
    body = search(client)
    assert body["metadata"] == {"total": 250, "skip": 0, "limit": 25}
    assert ids(body) == [j["_id"] for j in seeded[:25]]


def test_search_paging_is_stable(client: httpx.Client, seeded: list[dict[str, Any]]) -> None:
    pages = [search(client, skip=skip, limit=40) for skip in range(0, 250, 40)]
    assert [p["metadata"]["skip"] for p in pages] == list(range(0, 250, 40))
    assert all(p["metadata"]["total"] == 250 for p in pages)
    assert [i for p in pages for i in ids(p)] == [j["_id"] for j in seeded]


def test_search_limit_is_capped_at_100(client: httpx.Client, seeded: list[dict[str, Any]]) -> None:
    body = search(client, limit=500)
    assert body["metadata"]["limit"] == 100
    assert len(body["data"]) == 100


def test_search_sort_and_order(client: httpx.Client, seeded: list[dict[str, Any]]) -> None:
    ascending = search(client, order=1, limit=100)
    assert ids(ascending) == [j["_id"] for j in reversed(seeded)][:100]
    by_name = search(client, sort="name", order=1, limit=100)["data"]
    keys = [(j["name"], j["_id"]) for j in by_name]
    assert keys == sorted(keys)
    by_progress = search(client, sort="metrics.progress", order=-1, limit=100)["data"]
    keys2 = [(j["metrics"]["progress"], j["_id"]) for j in by_progress]
    assert keys2 == sorted(keys2, reverse=True)


def _expect(seeded: list[dict[str, Any]], test: Any) -> list[str]:
    return [j["_id"] for j in seeded if test(j)]


def test_search_equals(client: httpx.Client, seeded: list[dict[str, Any]]) -> None:
    body = search(client, **{"equals[status]": "error", "limit": 100})
    expected = _expect(seeded, lambda j: j["status"] == "error")
    assert ids(body) == expected
    assert body["metadata"]["total"] == len(expected) > 0


def test_search_equals_dotted_path(client: httpx.Client, seeded: list[dict[str, Any]]) -> None:
    user = seeded[0]["metrics"]["user"]
    body = search(client, **{"equals[metrics.user]": user, "limit": 100})
    assert ids(body) == _expect(seeded, lambda j: j["metrics"]["user"] == user)[:100]
    child = next(j for j in seeded if j["parent"])
    parent_id = child["parent"]["job"]
    children = search(client, **{"equals[parent.job]": parent_id})
    assert child["_id"] in ids(children)
    assert ids(children) == _expect(
        seeded, lambda j: j["parent"] is not None and j["parent"]["job"] == parent_id
    )


def test_search_in_ids(client: httpx.Client, seeded: list[dict[str, Any]]) -> None:
    wanted = [seeded[3]["_id"], seeded[77]["_id"], seeded[200]["_id"]]
    body = search(client, **{"in[_id]": ",".join(wanted)})
    assert sorted(ids(body)) == sorted(wanted)
    assert body["metadata"]["total"] == 3


def test_search_not_in(client: httpx.Client, seeded: list[dict[str, Any]]) -> None:
    body = search(client, **{"not-in[status]": "complete,error", "limit": 100})
    expected = _expect(seeded, lambda j: j["status"] not in ("complete", "error"))
    assert ids(body) == expected[:100]
    assert body["metadata"]["total"] == len(expected)


def test_search_contains_is_case_insensitive(
    client: httpx.Client, seeded: list[dict[str, Any]]
) -> None:
    body = search(client, **{"contains[name]": "vlan", "limit": 100})
    expected = _expect(seeded, lambda j: "vlan" in j["name"].lower())
    assert ids(body) == expected
    assert expected


def test_search_starts_with(client: httpx.Client, seeded: list[dict[str, Any]]) -> None:
    body = search(client, **{"starts-with[name]": "Pro", "limit": 100})
    assert ids(body) == _expect(seeded, lambda j: j["name"].startswith("Pro"))
    assert body["data"]


def test_search_gt_lt_dates(client: httpx.Client, seeded: list[dict[str, Any]]) -> None:
    body = search(
        client,
        **{"gt[created]": "2025-06-01T00:00:00Z", "lt[created]": "2025-09-01", "limit": 100},
    )

    def between(j: dict[str, Any]) -> bool:
        created = datetime.fromisoformat(j["created"])
        return "2025-06-01" <= created.date().isoformat() < "2025-09-01"

    expected = _expect(seeded, between)
    assert ids(body) == expected
    assert body["metadata"]["total"] == len(expected) > 0


def test_search_gt_lt_numbers(client: httpx.Client, seeded: list[dict[str, Any]]) -> None:
    body = search(client, **{"lt[metrics.progress]": "0.5", "limit": 100})
    expected = _expect(seeded, lambda j: j["metrics"]["progress"] < 0.5)
    assert ids(body) == expected[:100]
    assert body["metadata"]["total"] == len(expected) > 0
    # 10 > 9 as numbers (string comparison would say otherwise)
    start_ms = seeded[100]["metrics"]["start_time"]
    later = search(client, **{"gt[metrics.start_time]": str(start_ms), "limit": 100})
    assert later["metadata"]["total"] == 100


def test_search_array_fields_and_combined(
    client: httpx.Client, seeded: list[dict[str, Any]]
) -> None:
    child = next(j for j in seeded if len(j["ancestors"]) >= 2)
    root = child["ancestors"][0]
    body = search(client, **{"equals[ancestors]": root, "equals[status]": child["status"]})
    expected = _expect(seeded, lambda j: root in j["ancestors"] and j["status"] == child["status"])
    assert ids(body) == expected
    assert child["_id"] in ids(body)


def test_search_projection(client: httpx.Client, seeded: list[dict[str, Any]]) -> None:
    body = search(client, include="status,metrics", limit=5)
    assert all(set(j) == {"_id", "status", "metrics"} for j in body["data"])
    body = search(client, exclude="tasks", limit=5)
    assert all("tasks" not in j and "name" in j for j in body["data"])


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "ten"},
        {"limit": "-1"},
        {"skip": "1.5"},
        {"order": "2"},
        {"order": "asc"},
        {"equals[status": "x"},
        {"equals]status[": "x"},
        {"bogus[status]": "x"},
        {"equals[]": "x"},
        {"status": "complete"},
        {"equals[metrics..user]": "x"},
    ],
)
def test_search_rejects_bad_parameters(client: httpx.Client, params: dict[str, str]) -> None:
    response = client.get(JOBS, params=params)
    assert response.status_code == 400
    answer = response.json()
    assert answer["data"] is None
    assert answer["message"]


# --- data --------------------------------------------------------------------


def test_seeded_documents(seeded: list[dict[str, Any]]) -> None:
    statuses = {j["status"] for j in seeded}
    assert {"running", "complete", "canceled", "error", "paused", "incomplete"} <= statuses
    assert statuses - {"running", "complete", "canceled", "error", "paused", "incomplete"}
    by_id = {j["_id"]: j for j in seeded}
    children = [j for j in seeded if j["parent"]]
    assert 60 <= len(children) <= 100
    for job in seeded:
        assert set(job) == JOB_KEYS
        assert {"workflow_start", "workflow_end"} <= set(job["tasks"])
        if job["status"] == "error":
            assert job["error"]
    for child in children:
        parent = by_id[child["parent"]["job"]]
        assert parent["created"] < child["created"]
        assert child["ancestors"] == [*parent["ancestors"], parent["_id"]]
        assert 1 <= len(child["ancestors"]) <= 3
        assert child["parent"]["task"] in parent["tasks"]
    messages = [e["message"] for j in seeded for e in j["error"]]
    assert any(isinstance(m, str) for m in messages)
    assert any(isinstance(m, dict) for m in messages)


def test_out_of_page_ancestors_stay_few(seeded: list[dict[str, Any]]) -> None:
    for start_at in range(len(seeded) - 49):
        page = seeded[start_at : start_at + 50]
        inside = {j["_id"] for j in page}
        outside = {a for j in page for a in j["ancestors"] if a not in inside}
        assert len(outside) < 50


def test_data_is_deterministic() -> None:
    assert generate_jobs(3) == generate_jobs(3)
    assert generate_jobs(3) != generate_jobs(4)


def test_reset_data_forgets_started_jobs(sandbox: SandboxThread, client: httpx.Client) -> None:
    job_id = start(client, {"workflow": "x", "options": {}}).json()["data"]["_id"]
    sandbox_reset(sandbox, data=True)
    assert client.get(f"{JOBS}/{job_id}").status_code == 404
    assert search(client)["metadata"]["total"] == 250


# --- auth and openapi --------------------------------------------------------


def test_requires_credentials(sandbox: SandboxThread) -> None:
    base = sandbox.url("opsmanager")
    for response in (
        httpx.get(f"{base}{JOBS}"),
        httpx.get(f"{base}{JOBS}/000000000000000000000000"),
        httpx.post(f"{base}{JOBS}/start", json={"workflow": "x", "options": {}}),
        httpx.get(f"{base}{JOBS}", params={"token": "wrong"}),
        httpx.get(f"{base}{JOBS}", headers={"Authorization": "Bearer wrong"}),
    ):
        assert response.status_code == 401
        assert response.json()["data"] is None
        assert set(response.json()) == {"message", "data", "metadata"}


def test_accepts_every_credential_style(sandbox: SandboxThread) -> None:
    base = sandbox.url("opsmanager")
    basic = base64.b64encode(f"admin:{TOKEN}".encode()).decode()
    for kwargs in (
        {"headers": {"Authorization": f"Bearer {TOKEN}"}},
        {"headers": {"Authorization": f"Basic {basic}"}},
        {"params": {"token": TOKEN}},
        {"headers": {"Cookie": f"token={TOKEN}"}},
    ):
        response = httpx.get(f"{base}{JOBS}", **kwargs)  # type: ignore[arg-type]
        assert response.status_code == 200, kwargs
    started = httpx.post(
        f"{base}{JOBS}/start", params={"token": TOKEN}, json={"workflow": "x", "options": {}}
    )
    assert started.status_code == 200


def test_openapi_document(sandbox: SandboxThread) -> None:
    doc = httpx.get(f"{sandbox.url('opsmanager')}/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert {f"{JOBS}/start", JOBS, f"{JOBS}/{{job_id}}"} <= set(doc["paths"])
    assert {"bearer", "basic", "queryToken", "cookieToken"} <= set(
        doc["components"]["securitySchemes"]
    )
