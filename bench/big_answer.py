"""Execution time of big answers, in process: the schema alone, upstreams served from memory.

No HTTP on either side: the upstream clients get an ``httpx.MockTransport``
answering pre-encoded JSON (decoding it is still measured, as in the
gateway), and each run is one ``schema.execute`` with a fresh context, as
one GraphQL request. Cases:

- ``flowJobs(first: 200)`` with 26 job fields and 22 step fields (~1,400 steps);
- ``flowJobs(first: 1000)`` of jobs of 10 steps (``GATEWAY_MAX_PAGE_SIZE=1000``);
- the same 1000 jobs, selecting 5 job fields and no steps;
- ``workflowJobs(first: 50)`` with 5 scalar fields.

Figures are CPU (process) time, steady on a shared machine, and wall time.

Then the issue's P5 figures, in process (no HTTP):

- **P5 answer**: ``schema.execute`` plus encoding the answer with orjson (what
  the gateway writes), p50 of the CPU time, for the 200-job and the
  1000-job cases, by the plans, and by the plans as the POST lane runs them
  (UTC ``DateTime`` leaves written by orjson; ``--compare`` adds the fast
  path without plans and strawberry's pipeline as it comes);
- **P5 execution**: the 1000 jobs x 10 steps query executed over objects
  already built and read (a bench-only path: the root resolver answers a
  prepared page, every field of which was read once): GraphQL execution
  alone, by the plans, by graphql-core with the leaf shortcut, and by
  graphql-core as Strawberry runs it.

Run: ``python -m bench.big_answer [--runs 30] [--case NAME] [--profile FILE] [--gc-off]
[--compare] [--p5-only]``.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from bench import big_documents, execution_only
from gateway.config import Settings, load_settings
from gateway.context import Context
from gateway.garbage_collection import tune_for_serving
from gateway.upstream_names import Upstream
from gateway.upstreams.client import UpstreamClient
from schema import GatewaySchema, build_schema

Doc = dict[str, Any]

JOB_FIELDS = """id source name state upstreamStatus createdAt updatedAt startedAt finishedAt
  elapsedSeconds owner jobId clientJobId workflowId workflowVersionId workflowName jobTitle
  metadata modified userId username abandonReason team excluded scheduledJobId scheduledTaskId"""
STEP_FIELDS = """status isReport uniqueStepId previousUniqueStepId stepId stepNumber title
  description type values userId userName deviceId connectionType started completed updated
  cancelled timeEvents note tags metadata"""
FLOW_JOBS = (
    "query($first: Int!) { flowJobs(first: $first) { edges { node { "
    f"{JOB_FIELDS} steps {{ {STEP_FIELDS} }} }} }} }} }}"
)
FEW_FIELDS = (
    "query($first: Int!) { flowJobs(first: $first) { edges { node { "
    "id name state createdAt jobId } } } }"
)
WORKFLOW_JOBS = """query($first: Int!) {
  workflowJobs(first: $first) { edges { node { id name state createdAt awxId } } }
}"""


@dataclass(frozen=True)
class Case:
    """One query over one upstream answer."""

    name: str
    query: str
    first: int
    jobs: Callable[[], list[Doc]]


CASES = [
    Case("flowJobs-200-all-fields", FLOW_JOBS, 200, lambda: big_documents.flow_jobs(200, 7)),
    Case("flowJobs-1000x10-steps", FLOW_JOBS, 1000, lambda: big_documents.flow_jobs(1000, 10)),
    Case("flowJobs-1000x10-5-fields", FEW_FIELDS, 1000, lambda: big_documents.flow_jobs(1000, 10)),
    Case("workflowJobs-50x5", WORKFLOW_JOBS, 50, lambda: big_documents.workflow_jobs(50)),
]


def _jobstore_handler(jobs: list[Doc]) -> Callable[[httpx.Request], httpx.Response]:
    answers: dict[tuple[int, int], bytes] = {}

    def handle(request: httpx.Request) -> httpx.Response:
        skip = int(request.url.params.get("skip", "0"))
        limit = int(request.url.params.get("limit", "25"))
        if (skip, limit) not in answers:
            answers[skip, limit] = orjson.dumps(jobs[skip : skip + limit])
        return httpx.Response(200, content=answers[skip, limit])

    return handle


def _awx_handler(jobs: list[Doc]) -> Callable[[httpx.Request], httpx.Response]:
    answers: dict[tuple[int, int], bytes] = {}

    def handle(request: httpx.Request) -> httpx.Response:
        size = int(request.url.params.get("page_size", "25"))
        page = int(request.url.params.get("page", "1"))
        if (page, size) not in answers:
            start = (page - 1) * size
            answers[page, size] = orjson.dumps(
                {
                    "count": len(jobs),
                    "next": "more" if start + size < len(jobs) else None,
                    "previous": None,
                    "results": jobs[start : start + size],
                }
            )
        return httpx.Response(200, content=answers[page, size])

    return handle


def _settings() -> Settings:
    env = {"GATEWAY_MAX_PAGE_SIZE": "1000", "GATEWAY_MAX_COST": str(10**9)}
    for name in Upstream:
        env[f"GATEWAY_{name.value.upper()}_URL"] = f"http://{name.value}.test"
        env[f"GATEWAY_{name.value.upper()}_TOKEN"] = "bench-token"
    return load_settings(env)


def _clients(settings: Settings, jobs: list[Doc]) -> dict[Upstream, UpstreamClient]:
    handlers = {
        Upstream.JOBSTORE: _jobstore_handler(jobs),
        Upstream.OPSMANAGER: _jobstore_handler([]),
        Upstream.AWX: _awx_handler(jobs),
    }
    return {
        name: UpstreamClient(
            settings.upstream(name),
            httpx.AsyncClient(
                base_url=settings.upstream(name).url, transport=httpx.MockTransport(handler)
            ),
        )
        for name, handler in handlers.items()
    }


async def _run_case(
    case: Case,
    schema: GatewaySchema,
    runs: int,
    profile: cProfile.Profile | None,
    gc_off: bool = False,
) -> list[tuple[float, float]]:
    settings = _settings()
    clients = _clients(settings, case.jobs())
    variables = {"first": case.first}

    async def once() -> tuple[float, float]:
        context = Context.create(settings=settings, clients=clients, authorization=None)
        started, cpu_started = time.perf_counter(), time.process_time()
        result = await schema.execute(case.query, variable_values=variables, context_value=context)
        cpu = (time.process_time() - cpu_started) * 1000
        elapsed = (time.perf_counter() - started) * 1000
        if result.errors:
            raise RuntimeError(f"{case.name}: {result.errors[0]}")
        edges = next(iter(result.data.values()))["edges"] if result.data else []
        if len(edges) != case.first:
            raise RuntimeError(f"{case.name}: {len(edges)} jobs, not {case.first}")
        return cpu, elapsed

    for _ in range(3):
        await once()
    if gc_off:
        gc.collect()
        gc.disable()
    if profile is not None:
        profile.enable()
    timings = [await once() for _ in range(runs)]
    if profile is not None:
        profile.disable()
    gc.enable()
    for client in clients.values():
        await client.http.aclose()
    return timings


def _decode_ms(case: Case) -> float:
    """CPU time of ``orjson.loads`` of the case's upstream answer, part of every run."""
    payload = orjson.dumps(case.jobs()[: case.first])
    timings = []
    for _ in range(9):
        started = time.process_time()
        orjson.loads(payload)
        timings.append((time.process_time() - started) * 1000)
    return statistics.median(timings)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def _p5_answer(
    case: Case, schema: GatewaySchema, runs: int, *, as_the_lane: bool = False
) -> float:
    """p50 CPU ms of ``schema.execute`` plus orjson-encoding the answer.

    ``as_the_lane``: the context says orjson encodes the answer, as the POST
    lane's does (UTC ``DateTime`` leaves left for orjson to write).
    """
    settings = _settings()
    clients = _clients(settings, case.jobs())
    variables = {"first": case.first}
    timings = []
    for index in range(runs + 3):
        context = Context.create(settings=settings, clients=clients, authorization=None)
        context.encodes_datetimes = as_the_lane
        started = time.process_time()
        result = await schema.execute(case.query, variable_values=variables, context_value=context)
        orjson.dumps({"data": result.data})
        if index >= 3:
            timings.append((time.process_time() - started) * 1000)
        if result.errors:
            raise RuntimeError(f"{case.name}: {result.errors[0]}")
    for client in clients.values():
        await client.http.aclose()
    return statistics.median(timings)


async def _p5(args: argparse.Namespace) -> None:
    schemas = {"plans": build_schema(max_cost=10**9)}
    if args.compare:
        schemas["fast path, no plans"] = build_schema(max_cost=10**9, compiled=False)
        schemas["strawberry as it comes"] = build_schema(max_cost=10**9, fast_paths=False)
    print(f"\nP5 answer: schema.execute + orjson.dumps, cpu p50 of {args.runs} runs (ms)")
    for case in CASES[:2]:
        for label, schema in schemas.items():
            p50 = await _p5_answer(case, schema, args.runs)
            print(f"  {case.name:26} {label:24} {p50:7.1f}")
        p50 = await _p5_answer(case, schemas["plans"], args.runs, as_the_lane=True)
        print(f"  {case.name:26} {'plans, as the POST lane':24} {p50:7.1f}")
    print(f"\nP5 execution: {execution_only.describe()}, cpu (ms)")
    for label, figures in (await execution_only.measure(args.runs)).items():
        print(f"  {label:44} min {figures[0]:7.1f}  p50 {figures[1]:7.1f}")


async def _main(args: argparse.Namespace) -> None:
    if not args.gc_default:
        tune_for_serving()  # as ``jobs-gateway serve`` does
    if args.p5_only:
        await _p5(args)
        return
    schema = build_schema(max_cost=10**9)
    profile = cProfile.Profile() if args.profile else None
    print(f"schema.execute in process, {args.runs} runs after 3 warm-up runs (ms)")
    print("cpu: process time of the run (steady when other processes compete for the cores)")
    for case in CASES:
        if args.case and args.case != case.name:
            continue
        timings = await _run_case(case, schema, args.runs, profile, args.gc_off)
        cpu = [c for c, _ in timings]
        wall = [w for _, w in timings]
        print(
            f"  {case.name:26} cpu p50 {statistics.median(cpu):7.1f}"
            f"  p90 {_percentile(cpu, 0.9):7.1f}"
            f"   wall p50 {statistics.median(wall):7.1f}  p90 {_percentile(wall, 0.9):7.1f}"
        )
        print(f"  {'':26} of which decoding the upstream answer: {_decode_ms(case):.1f} (cpu p50)")
    if profile is not None:
        profile.dump_stats(args.profile)
        print(f"profile written to {args.profile}")
    if not args.case:
        await _p5(args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--case", choices=[case.name for case in CASES])
    parser.add_argument("--profile", help="write a cProfile of the timed runs to this file")
    parser.add_argument(
        "--gc-default",
        action="store_true",
        help="Python's default GC thresholds, not the server's (gateway.garbage_collection)",
    )
    parser.add_argument(
        "--gc-off", action="store_true", help="no cyclic GC in the timed runs (shows its share)"
    )
    parser.add_argument(
        "--compare", action="store_true", help="P5 also without plans and without fast paths"
    )
    parser.add_argument("--p5-only", action="store_true", help="only the P5 figures")
    asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    main()
