"""Documents are mapped lazily: a field is converted only when read, the facts once per job.

Queries run in process on a primed loader, so no upstream is asked (every
upstream URL is a transport that fails the test if called).
"""

from __future__ import annotations

import gc
from typing import Any

import httpx
import pytest
import strawberry

from gateway.config import load_settings
from gateway.context import Context
from gateway.facts import flow_job_facts
from gateway.upstream_names import Upstream
from gateway.upstreams.client import UpstreamClient
from schema import build_schema
from schema.core.document_fields import read_lazily
from schema.core.node import UpstreamDocument
from schema.jobstore.types import FlowJob
from tests.conftest import complete_env
from tests.reading_probes import CountingDoc, Tripwire

SCHEMA = build_schema()
JOB_ID = "6818189ced28508dbdaa3bfa"


def step(number: int, *, completed: Any = "2026-05-05T01:48:19Z") -> dict[str, Any]:
    return {
        "singleStep": {
            "uniqueStepId": f"step-{number}",
            "previousUniqueStepId": f"step-{number - 1}" if number > 1 else "",
            "stepTitle": f"Step {number}",
            "started": "2026-05-05T01:47:08.925Z",
            "completed": completed,
        },
        "reportStep": None,
    }


def job_doc(*, modified: Any, completed: Any = "2026-05-05T01:48:19Z") -> dict[str, Any]:
    return {
        "jobId": JOB_ID,
        "metadata": {
            "jobTitle": "Goods Inward Job 3",
            "status": "Completed",
            "created": "2026-05-05T01:47:08.889Z",
            "updated": "2026-05-05T01:48:38.637Z",
            "modified": modified,
            "username": "marek@example.com",
        },
        "completedSteps": [step(1), step(2, completed=completed)],
        "team": "commissioning",
    }


def _refuse(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"no upstream call expected, got {request.method} {request.url}")


async def run(query: str, doc: dict[str, Any]) -> tuple[Any, list[Any]]:
    """``(data, errors)`` of ``query`` with the jobs store's loader primed with ``doc``."""
    settings = load_settings(complete_env())
    http = httpx.AsyncClient(transport=httpx.MockTransport(_refuse), base_url="http://upstream")
    clients = {name: UpstreamClient(settings.upstream(name), http) for name in Upstream}
    context = Context.create(settings=settings, clients=clients, authorization=None)
    context.loaders.flow_job_by_id.prime(JOB_ID, doc)
    try:
        result = await SCHEMA.execute(query, context_value=context)
    finally:
        await http.aclose()
    return result.data, list(result.errors or [])


def query(selection: str) -> str:
    return f'{{ flowJob(jobId: "{JOB_ID}") {{ {selection} }} }}'


async def test_a_field_not_selected_is_never_converted() -> None:
    doc = job_doc(modified=Tripwire("2026-05-05"), completed=Tripwire("2026-05-05"))
    data, errors = await run(query("jobId jobTitle steps { title started }"), doc)
    assert errors == []
    assert data["flowJob"]["jobTitle"] == "Goods Inward Job 3"
    assert [s["title"] for s in data["flowJob"]["steps"]] == ["Step 1", "Step 2"]


async def test_a_selected_field_is_converted_and_fails_alone() -> None:
    doc = job_doc(modified=Tripwire("2026-05-05"))
    data, errors = await run(query("jobId modified"), doc)
    assert [e.path for e in errors] == [["flowJob", "modified"]]
    assert data["flowJob"] == {"jobId": JOB_ID, "modified": None}


async def test_a_garbage_timestamp_is_null_without_error_selected_or_not() -> None:
    doc = job_doc(modified="not a time", completed={"seconds": 12})
    data, errors = await run(query("jobId"), doc)
    assert (data["flowJob"], errors) == ({"jobId": JOB_ID}, [])
    data, errors = await run(query("modified steps { completed }"), doc)
    assert errors == []
    assert data["flowJob"]["modified"] is None
    assert [s["completed"] for s in data["flowJob"]["steps"]] == [
        "2026-05-05T01:48:19+00:00",
        None,
    ]


async def test_facts_are_read_once_per_job() -> None:
    doc = CountingDoc(job_doc(modified="2026-05-05T01:48:39Z"))
    every_job_field = """id source name state upstreamStatus createdAt updatedAt startedAt
        finishedAt elapsedSeconds owner"""
    data, errors = await run(query(every_job_field), doc)
    assert errors == []
    assert data["flowJob"]["finishedAt"] == "2026-05-05T01:48:38.637000+00:00"
    # flow_job_facts reads `metadata` and the step lists once; nothing else reads them.
    assert doc.reads["metadata"] == 1
    assert doc.reads["completedSteps"] == 1


def test_facts_handed_over_are_not_read_again() -> None:
    doc = CountingDoc(job_doc(modified=None))
    facts = flow_job_facts(dict(doc))
    job = FlowJob.with_facts(doc, facts)
    assert (job.state, job.created_at, job.started_at) == (
        facts.state,
        facts.created_at,
        facts.started_at,
    )
    assert doc.reads == {}


def test_values_are_kept_after_the_first_read() -> None:
    doc = CountingDoc(job_doc(modified="2026-05-05T01:48:39Z"))
    job = FlowJob.from_doc(doc)
    assert job.job_id == JOB_ID
    assert job.job_id == JOB_ID
    assert job.steps is job.steps
    assert doc.reads["jobId"] == 1


def test_a_type_without_a_reader_for_a_field_is_refused() -> None:
    @strawberry.type
    class Half(UpstreamDocument):
        read: str | None
        forgotten: str | None

    with pytest.raises(TypeError, match="Half has no reader for forgotten"):
        read_lazily(Half, read=lambda half: half._doc.get("read"))


async def test_an_answer_leaves_no_cycles_for_the_cyclic_gc() -> None:
    # Steps, the job, its facts, the context (with its loaders and documents) and the
    # executor are freed by reference counting when the request is done: none of them
    # is left for a collection of the cyclic GC (gateway.garbage_collection).
    selection = "startedAt finishedAt steps { title started parent { title } previous { title } }"
    kept = ("Step", "FlowJob", "JobFacts", "Context", "Loaders", "PlannedExecution")
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for _ in range(2):  # the second time, the fast path runs the text by its plans
            data, errors = await run(query(selection), job_doc(modified=None))
            assert errors == []
            assert [s["previous"] for s in data["flowJob"]["steps"]] == [None, {"title": "Step 1"}]
            assert data["flowJob"]["finishedAt"] == "2026-05-05T01:48:38.637000+00:00"
            gc.collect()
            left = sorted({type(o).__name__ for o in gc.garbage} & set(kept))
            gc.garbage.clear()
            assert left == []
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
