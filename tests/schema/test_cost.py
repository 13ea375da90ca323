"""The static cost of operations (schema.core.cost), from the documented rules."""

from __future__ import annotations

from graphql import parse

from schema import build_schema
from schema.core.cost import (
    ASSUMED_LIST_SIZE,
    CALL_WEIGHT,
    DEFAULT_FIRST,
    UPSTREAM_CALLS,
    operation_cost,
)

SCHEMA = build_schema()._schema


def cost(query: str, variables: dict[str, object] | None = None, name: str | None = None) -> int:
    return operation_cost(SCHEMA, parse(query), name, variables)


def test_scalars_are_free_and_objects_count_one() -> None:
    assert cost("{ __typename }") == 0
    one = cost("{ workflowJob(id: 1) { name } }")
    assert one == 1 + UPSTREAM_CALLS["Query.workflowJob"] * CALL_WEIGHT


def test_a_connection_multiplies_its_page_by_first() -> None:
    page = "edges { node { name } }"  # edges and node: 2 objects per job
    call = UPSTREAM_CALLS["Query.workflowJobs"] * CALL_WEIGHT
    for first in (1, 50, 200):
        assert cost(f"{{ workflowJobs(first: {first}) {{ {page} }} }}") == 1 + call + first * 2
    assert cost(f"{{ workflowJobs {{ {page} }} }}") == 1 + call + DEFAULT_FIRST * 2
    by_variable = cost(f"query($n: Int) {{ workflowJobs(first: $n) {{ {page} }} }}", {"n": 7})
    assert by_variable == 1 + call + 7 * 2


def test_lists_multiply_and_batched_fields_cost_one_batch_each() -> None:
    base = cost("{ workflowJobs(first: 30) { edges { node { name } } } }")
    nested = cost(
        "{ workflowJobs(first: 30) { edges { node { name jobTemplate { name }"
        " nodes { identifier } } } } }"
    )
    # Per job: a template object and ASSUMED_LIST_SIZE node objects; two batches in all.
    assert nested - base == 30 * (1 + ASSUMED_LIST_SIZE) + 2 * CALL_WEIGHT


def test_nodes_cost_one_call_per_id() -> None:
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    assert cost(query, {"ids": ["x"] * 500}) == 500 * (1 + CALL_WEIGHT)
    assert cost(query, {"ids": []}) == 0


def test_fragments_and_fan_out_are_costed_exactly_once_each() -> None:
    leaf = cost("{ jobCounts { complete } }")
    levels = 60
    fragments = "".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    query = "{ ...F0 }" + fragments + f"fragment F{levels} on Query {{ jobCounts {{ complete }} }}"
    assert cost(query) == leaf * 2**levels


def test_inline_fragments_and_interfaces_are_costed() -> None:
    query = '{ node(id: "x") { id ... on WorkflowJob { jobTemplate { name } } } }'
    assert cost(query) == 1 + CALL_WEIGHT + 1 + CALL_WEIGHT


def test_the_named_operation_is_the_one_costed() -> None:
    query = "query A { jobCounts { complete } } query B { workflowJob(id: 1) { name } }"
    assert cost(query, name="B") == cost("{ workflowJob(id: 1) { name } }")
    assert cost(query, name="A") == cost("{ jobCounts { complete } }")


def test_each_job_action_costs_its_post_and_its_reread() -> None:
    for name in ("cancelJob", "relaunchJob", "pauseJob", "resumeJob"):
        assert UPSTREAM_CALLS[f"Mutation.{name}"] == 2
        assert cost(f'mutation {{ {name}(id: "x") {{ outcome }} }}') == 1 + 2 * CALL_WEIGHT
    retry = 'mutation { retryOperationsTask(id: "x", taskId: "t") { job { name } } }'
    assert cost(retry) == 2 + 2 * CALL_WEIGHT


def test_spawned_jobs_are_one_batch_and_output_host_counts_are_per_job() -> None:
    base = cost("{ workflowJobs(first: 30) { edges { node { nodes { identifier } } } } }")
    with_jobs = cost(
        "{ workflowJobs(first: 30) { edges { node { nodes { identifier"
        " job { state ... on PlaybookJob { playbook } } } } } } }"
    )
    # Per node one job object; one unified_jobs batch for the whole document.
    assert with_jobs - base == 30 * ASSUMED_LIST_SIZE * 1 + CALL_WEIGHT
    with_counts = cost(
        "{ workflowJobs(first: 30) { edges { node { nodes { identifier"
        " job { state ... on PlaybookJob { playbook hostStatusCounts { total } } } } } } } }"
    )
    # Per job: the counts object and one detail request.
    assert with_counts - with_jobs == 30 * ASSUMED_LIST_SIZE * (1 + CALL_WEIGHT)


def test_an_output_page_costs_one_call_and_its_lines() -> None:
    def one_job(selection: str) -> str:
        return '{ node(id: "x") { ... on PlaybookJob { ' + selection + " } } }"

    base = cost(one_job("awxId"))
    for first, lines in ((None, 100), (10, 10), (1000, 1000)):
        args = "" if first is None else f"(first: {first})"
        query = one_job(f"stdout{args} {{ edges {{ node {{ text }} }} }}")
        # the connection object, one call, and per line its edge and node
        assert cost(query) - base == 1 + CALL_WEIGHT + lines * 2, first
