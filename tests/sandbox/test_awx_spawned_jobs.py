"""The AWX sandbox's jobs of every type over real sockets: /unified_jobs/, details, stdout/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sandbox.awx_spawned import STDOUT_MAX_BYTES_DISPLAY
from sandbox.server import SandboxThread

API = "/api/v2"


@pytest.fixture
def awx(sandbox: SandboxThread, auth_headers: dict[str, str]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.url("awx"), headers=auth_headers, timeout=10) as client:
        yield client


@pytest.fixture
def reseeded_after(sandbox: SandboxThread, awx: httpx.Client) -> Iterator[httpx.Client]:
    """The AWX client; the AWX data is seeded again after the test (it creates jobs)."""
    yield awx
    httpx.post(f"{sandbox.url('awx')}/_sandbox/reset", json={"data": True}).raise_for_status()


def _get(client: httpx.Client, path: str, **params: Any) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _spawned(awx: httpx.Client) -> list[dict[str, Any]]:
    nodes = _get(awx, f"{API}/workflow_job_nodes/", page_size=200, job__isnull="false")
    return [n for n in nodes["results"] if n["job"] is not None]


def test_every_node_job_is_a_unified_job_matching_its_summary(awx: httpx.Client) -> None:
    nodes = _spawned(awx)
    ids = ",".join(str(n["job"]) for n in nodes)
    docs = _get(awx, f"{API}/unified_jobs/", id__in=ids, page_size=200)
    by_id = {doc["id"]: doc for doc in docs["results"]}
    assert len(by_id) == len(nodes)
    kinds = set()
    for node in nodes:
        doc = by_id[node["job"]]
        summary = node["summary_fields"]["job"]
        kinds.add(doc["type"])
        assert (doc["type"], doc["status"], doc["failed"]) == (
            summary["type"],
            summary["status"],
            summary["failed"],
        )
        assert doc["elapsed"] == summary["elapsed"]
        assert doc["launch_type"] == "workflow"
        assert doc["launched_by"]["id"] == node["workflow_job"]
        assert "host_status_counts" not in doc, "only the detail has host counts"
    assert kinds == {"job", "project_update", "inventory_update", "workflow_job"}


def test_unified_jobs_type_filter_and_workflow_jobs(awx: httpx.Client) -> None:
    updates = _get(awx, f"{API}/unified_jobs/", type="project_update,inventory_update")
    assert updates["count"] > 0
    assert {d["type"] for d in updates["results"]} <= {"project_update", "inventory_update"}
    first = _get(awx, f"{API}/unified_jobs/", id__in="1,2")["results"]
    assert [d["type"] for d in first] == ["workflow_job", "workflow_job"]


def test_job_detail_has_host_counts_and_other_types_are_404(awx: httpx.Client) -> None:
    docs = _get(awx, f"{API}/unified_jobs/", type="job", status="failed", page_size=5)
    job = docs["results"][0]
    detail = _get(awx, f"{API}/jobs/{job['id']}/")
    counts = detail["host_status_counts"]
    assert counts["failures"] + counts.get("dark", 0) == 1
    assert detail["playbook_counts"]["play_count"] == 1
    update = _get(awx, f"{API}/unified_jobs/", type="project_update", page_size=1)["results"][0]
    assert awx.get(f"{API}/jobs/{update['id']}/").status_code == 404
    assert _get(awx, f"{API}/project_updates/{update['id']}/")["scm_type"] == "git"
    assert awx.get(f"{API}/jobs/{update['id']}/stdout/").status_code == 404


def test_stdout_json_line_ranges(awx: httpx.Client) -> None:
    docs = _get(awx, f"{API}/unified_jobs/", type="job", status="successful", page_size=200)
    job = next(d for d in docs["results"] if d["id"] % 5 == 0 and d["id"] % 50 != 7)
    path = f"{API}/jobs/{job['id']}/stdout/"
    text = awx.get(path, params={"format": "ansi"}).text
    lines = text.split("\n")[:-1]
    assert len(lines) > 2000
    page = _get(awx, path, format="json", start_line=10, end_line=15)
    assert page["range"] == {"start": 10, "end": 15, "absolute_end": len(lines)}
    assert page["content"] == "".join(f"{line}\n" for line in lines[10:15])
    tail = _get(awx, path, format="json", start_line=-2)
    assert tail["range"] == {"start": len(lines) - 2, "end": len(lines), "absolute_end": len(lines)}
    beyond = _get(awx, path, format="json", start_line=len(lines) + 10, end_line=len(lines) + 20)
    assert beyond["content"] == ""
    assert beyond["range"]["absolute_end"] == len(lines)
    plain = awx.get(path, params={"format": "txt"}).text
    assert "\x1b[" in text
    assert "\x1b[" not in plain
    assert awx.get(path, params={"start_line": "x"}).status_code == 400


def test_stdout_over_the_display_limit_is_refused(awx: httpx.Client) -> None:
    docs = _get(awx, f"{API}/unified_jobs/", type="job", page_size=200)
    huge = next(d for d in docs["results"] if d["id"] % 50 == 7 and d["status"] != "running")
    path = f"{API}/jobs/{huge['id']}/stdout/"
    page = _get(awx, path, format="json", start_line=0, end_line=10)
    assert page["range"] == {"start": 0, "end": 1, "absolute_end": 1}
    assert page["content"].startswith("Standard Output too large to display (")
    assert f"over {STDOUT_MAX_BYTES_DISPLAY} bytes" in page["content"]
    assert awx.get(path, params={"format": "txt"}).text == page["content"]


def test_a_launched_slice_run_spawns_unified_jobs(reseeded_after: httpx.Client) -> None:
    awx = reseeded_after
    templates = _get(awx, f"{API}/job_templates/", page_size=200)["results"]
    sliced = next(
        t
        for t in templates
        if t["job_slice_count"] > 1 and t["summary_fields"]["user_capabilities"]["start"]
    )
    launched = awx.post(f"{API}/job_templates/{sliced['id']}/launch/", json={})
    assert launched.status_code == 201
    workflow_job = launched.json()["workflow_job"]
    nodes = _get(awx, f"{API}/workflow_jobs/{workflow_job}/workflow_nodes/")["results"]
    assert len(nodes) == sliced["job_slice_count"]
    job_ids = [n["summary_fields"].get("job", {}).get("id") for n in nodes]
    spawned = _get(awx, f"{API}/unified_jobs/", type="job", launch_type="workflow", page_size=200)
    slices = [d for d in spawned["results"] if d["launched_by"]["id"] == workflow_job]
    assert sorted(d["job_slice_number"] for d in slices) == list(
        range(1, sliced["job_slice_count"] + 1)
    )
    assert all(i is None or i in {d["id"] for d in slices} for i in job_ids)
