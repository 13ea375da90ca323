"""GraphQL execution alone, for :mod:`bench.big_answer`: no upstream, no mapping, no encoding.

A bench-only path: ``flowJobs`` answers a page prepared beforehand (1,000
jobs of 10 steps, every field of every job and step read once, so reading
one is an attribute lookup), and the query of 26 job and 22 step fields is
executed over it by graphql-core's executor as Strawberry runs it, with the
leaf shortcut, by the execution plans, and by the plans as the POST lane runs
them (its context says orjson encodes the answer, so UTC ``DateTime`` leaves
are left for orjson to write: the encoding of both answers is timed too).
What remains is the execution machinery itself: ~246,000 leaf values.
Freeing an answer (~11,000 dicts) is timed apart, after each run: the
gateway frees it once the answer is sent.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson
from graphql import ExecutionResult, execute, parse
from strawberry.execution import optimized_is_awaitable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.base import get_object_definition

import schema.jobstore.queries
from bench import big_documents
from gateway.coerce import datetime_text
from schema import build_schema
from schema.core.leaf_execution import LeafShortcutExecution
from schema.core.pagination import Connection, Window, offset_connection
from schema.core.plan_run import OperationPlans, PlannedExecution
from schema.jobstore.types import FlowJob, Step

JOBS, STEPS = 1000, 10


def describe() -> str:
    """One line on what is measured."""
    return f"{JOBS} jobs x {STEPS} steps over objects already read (bench-only root)"


def _read_every_field(obj: object) -> None:
    for field in get_object_definition(type(obj), strict=True).fields:
        if field.base_resolver is None:
            getattr(obj, field.python_name)


def prepared_page() -> Connection[FlowJob]:
    """The page ``flowJobs`` answers: every field of every job and step already read."""
    jobs = [FlowJob.from_doc(doc) for doc in big_documents.flow_jobs(JOBS, STEPS)]
    for job in jobs:
        _read_every_field(job)
        for step in job.steps:
            assert isinstance(step, Step)
            _read_every_field(step)
    return offset_connection(jobs, Window(0, JOBS), has_next=True, total=None)


def timestamp_share(page: Connection[FlowJob], runs: int) -> tuple[int, float]:
    """How many ``datetime`` values the page's fields hold, and the p50 CPU ms of
    :func:`gateway.coerce.datetime_text` over all of them (the plans write the ``DateTime``
    scalar's text so, inline: part of every run by the plans)."""
    values: list[datetime] = []
    for edge in page.edges:
        for obj in (edge.node, *edge.node.steps):
            for field in get_object_definition(type(obj), strict=True).fields:
                value = obj.__dict__.get(field.python_name)
                if isinstance(value, datetime):
                    values.append(value)
    timings = []
    for _ in range(runs):
        started = time.process_time()
        for value in values:
            datetime_text(value)
        timings.append((time.process_time() - started) * 1000)
    return len(values), statistics.median(timings)


async def measure(runs: int) -> dict[str, tuple[float, float]]:
    """Min and p50 CPU ms of executing the big query over the prepared page, per executor."""
    from bench.big_answer import FLOW_JOBS

    page = prepared_page()

    async def answer_page(*_args: Any) -> Connection[FlowJob]:
        return page

    original = schema.jobstore.queries.resolve_flow_jobs
    schema.jobstore.queries.resolve_flow_jobs = answer_page  # type: ignore[assignment]
    try:
        graphql_schema = build_schema(max_cost=10**9)._schema
        document = parse(FLOW_JOBS)
        plans = OperationPlans.of(document)
        lane = {"plans": plans, "context_value": _EncodedByOrjson()}
        executors: dict[str, tuple[type[Any], dict[str, Any]]] = {
            "graphql-core as Strawberry runs it": (StrawberryGraphQLCoreExecutionContext, {}),
            "graphql-core with the leaf shortcut": (LeafShortcutExecution, {}),
            "execution plans": (PlannedExecution, {"plans": plans}),
            "execution plans, as the POST lane": (PlannedExecution, lane),
        }
        answers: dict[str, Any] = {}
        figures: dict[str, tuple[float, float]] = {}
        expected: Any = None
        for label, (executor_class, extra) in executors.items():

            async def once(
                executor_class: type[Any] = executor_class, extra: dict[str, Any] = extra
            ) -> Any:
                outcome = execute(
                    graphql_schema,
                    document,
                    variable_values={"first": JOBS},
                    executor_class=executor_class,
                    is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
                    **extra,
                )
                if not isinstance(outcome, ExecutionResult):
                    outcome = await outcome
                return outcome

            timings, freeing = await _timed(once, runs)
            result = await once()
            if result.errors:
                raise RuntimeError(f"{label}: {result.errors[0]}")
            encoded = orjson.dumps(result.data)
            if expected is None:
                expected = encoded
            elif encoded != expected:
                raise RuntimeError(f"{label}: another answer")
            answers[label] = result.data
            figures[label] = (min(timings), statistics.median(timings))
            figures[f"  then freeing its answer, {label!r}"] = (
                min(freeing),
                statistics.median(freeing),
            )
        for label in ("execution plans", "execution plans, as the POST lane"):
            encoding = _encoding_ms(answers[label], runs)
            figures[f"  then orjson.dumps of the answer of {label!r} (p50)"] = (encoding, encoding)
        count, share = timestamp_share(page, runs)
        figures[f"of which {count} DateTime texts (p50)"] = (share, share)
        return figures
    finally:
        schema.jobstore.queries.resolve_flow_jobs = original


class _EncodedByOrjson:
    """A context saying orjson encodes the answer, as the POST lane's ``Context`` does."""

    encodes_datetimes = True


def _encoding_ms(data: Any, runs: int) -> float:
    """p50 CPU ms of ``orjson.dumps`` of an answer (what the lane then pays for it)."""
    timings = []
    for _ in range(runs):
        started = time.process_time()
        orjson.dumps({"data": data})
        timings.append((time.process_time() - started) * 1000)
    return statistics.median(timings)


async def _timed(once: Callable[[], Any], runs: int) -> tuple[list[float], list[float]]:
    """CPU ms of each run, and of freeing its answer afterwards (timed apart: in the
    gateway that happens once the answer is sent)."""
    for _ in range(2):
        await once()
    timings, freeing = [], []
    for _ in range(runs):
        started = time.process_time()
        result = await once()
        ended = time.process_time()
        del result
        timings.append((ended - started) * 1000)
        freeing.append((time.process_time() - ended) * 1000)
    return timings, freeing


def main() -> None:
    """``python -m bench.execution_only [--runs 21]``: the figures alone, in a fresh process
    (``bench.big_answer --p5-only`` prints them after its big answers, on a used heap)."""
    import argparse
    import asyncio

    from gateway.garbage_collection import tune_for_serving

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    tune_for_serving()  # as ``jobs-gateway serve`` does
    print(f"{describe()}, cpu (ms)")
    for label, figures in asyncio.run(measure(args.runs)).items():
        print(f"  {label:44} min {figures[0]:7.1f}  p50 {figures[1]:7.1f}")


if __name__ == "__main__":
    main()
