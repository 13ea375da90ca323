"""Differential: the fast paths answer byte for byte what strawberry and graphql-core answer.

The production schema runs a checked document on the fast path
(:mod:`schema.core.fast_path`), a query by its execution plans
(:mod:`schema.core.plan_run`), and executes plain leaves by the shortcut
(:mod:`schema.core.leaf_execution`). The reference is the same schema built
with ``fast_paths=False``: strawberry's pipeline and graphql-core's executor
as they come. A third schema has the fast path without the plans
(``compiled=False``: graphql-core's executor on the checked document). Every
query document of the end-to-end tests, and queries generated from the
schema by hypothesis-graphql, are answered three ways, over the sandbox
upstreams on real sockets; the JSON answers must be the same bytes: data,
nulls, errors (messages, paths, codes) and ``extensions``.

The sandbox here is a private one with only its seeded data, so nothing
changes between the two answers.
"""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    OperationDefinitionNode,
    OperationType,
    get_named_type,
    parse,
    validate,
)
from hypothesis import HealthCheck, given, settings
from hypothesis_graphql import queries as generated_queries
from strawberry.http import process_result

import tests.e2e
from gateway.config import load_settings
from gateway.context import Context
from gateway.upstream_names import Upstream
from gateway.upstreams.client import UpstreamClient
from gateway.upstreams.transport import build_http_client
from sandbox.server import UPSTREAMS, SandboxSet, SandboxThread
from schema import GatewaySchema, build_schema
from schema.core.ids import to_global_id

PRODUCTION = build_schema()
REFERENCE = build_schema(fast_paths=False)
UNPLANNED = build_schema(compiled=False)

SAMPLE_VALUES: dict[str, Any] = {
    "Int": 7,
    "Float": 1.5,
    "String": "a",
    "Boolean": True,
    "ID": to_global_id("WorkflowJob", 7),
    "DateTime": "2026-01-01T00:00:00Z",
    "JSON": {},
}


@pytest.fixture(scope="module")
def seeded() -> Iterator[SandboxThread]:
    """Sandbox upstreams of their own, with the seeded data only."""
    with SandboxThread(SandboxSet.create(ports=dict.fromkeys(UPSTREAMS, 0), seed=0)) as thread:
        yield thread


def _suite_queries() -> list[str]:
    """Every query document held in a module-level string of the end-to-end tests."""
    found: dict[str, None] = {}
    for module_info in pkgutil.iter_modules(tests.e2e.__path__):
        if not module_info.name.startswith("test_") or module_info.name == __name__.rsplit(".")[-1]:
            continue
        module = importlib.import_module(f"tests.e2e.{module_info.name}")
        for value in vars(module).values():
            for text in _strings(value):
                if _is_query(text):
                    found[text] = None
    return list(found)


def _strings(value: object) -> Iterator[str]:
    """A module-level string, or the string constants in a function's code (inline queries)."""
    if isinstance(value, str):
        yield value
        return
    code = getattr(value, "__code__", None)
    if isinstance(value, type) or code is None:
        return
    pending = [code]
    while pending:
        current = pending.pop()
        for const in current.co_consts:
            if isinstance(const, str):
                yield const
            elif hasattr(const, "co_consts"):
                pending.append(const)


def _is_query(text: str) -> bool:
    if "{" not in text:
        return False
    try:
        document = parse(text)
    except Exception:
        return False
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    schema = PRODUCTION._schema
    return (
        len(operations) == 1
        and operations[0].operation is OperationType.QUERY
        and not validate(schema, document)
    )


def _variables(text: str) -> dict[str, Any]:
    """A sample value for each variable of the query."""
    [operation] = [d for d in parse(text).definitions if isinstance(d, OperationDefinitionNode)]
    schema = PRODUCTION._schema
    values: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        named = get_named_type(_type_of(schema, definition.type))
        if isinstance(named, GraphQLEnumType):
            values[definition.variable.name.value] = next(iter(named.values))
        elif isinstance(named, GraphQLInputObjectType):
            values[definition.variable.name.value] = {}
        elif named is not None:
            values[definition.variable.name.value] = SAMPLE_VALUES.get(named.name)
    return values


def _type_of(schema: Any, node: Any) -> Any:
    from graphql import type_from_ast

    return type_from_ast(schema, node)


async def _answers(
    query: str, variables: dict[str, Any] | None, sandbox: SandboxThread
) -> tuple[bytes, bytes, bytes, bytes]:
    """The reference answer, the production schema's first and repeated (planned) answers,
    and the repeated answer of the fast path without plans."""
    settings = load_settings(sandbox.sandboxes.gateway_env())
    https = {name: build_http_client(settings.upstream(name)) for name in Upstream}
    clients = {name: UpstreamClient(settings.upstream(name), http) for name, http in https.items()}

    async def answer(schema: GatewaySchema) -> bytes:
        context = Context.create(settings=settings, clients=clients, authorization=None)
        result = await schema.execute(query, variable_values=variables, context_value=context)
        return orjson.dumps(process_result(result))

    try:
        reference = await answer(REFERENCE)
        checked, planned = await answer(PRODUCTION), await answer(PRODUCTION)
        await answer(UNPLANNED)
        return reference, checked, planned, await answer(UNPLANNED)
    finally:
        for http in https.values():
            await http.aclose()


SUITE = _suite_queries()


def test_the_suite_has_queries_to_compare() -> None:
    assert len(SUITE) >= 40


def _ran_by_plan_or_was_refused(query: str) -> bool:
    """Whether the production schema's repeated answer of ``query`` ran by its plans,
    unless the checks (the query limits) refused the text."""
    assert PRODUCTION.document_cache is not None
    checked = PRODUCTION.document_cache.get(query)
    assert checked is not None, "the text was checked and kept"
    if checked.errors:
        return True
    prepared = checked.operations.get(None)
    return prepared is not None and prepared.plans is not None and bool(prepared.plans.roots)


@pytest.mark.parametrize("query", SUITE, ids=range(len(SUITE)))
def test_suite_queries_answer_the_same_bytes(query: str, seeded: SandboxThread) -> None:
    reference, checked, planned, unplanned = asyncio.run(_answers(query, _variables(query), seeded))

    assert checked == reference
    assert planned == reference
    assert unplanned == reference
    assert _ran_by_plan_or_was_refused(query)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(query=generated_queries(PRODUCTION.as_str()))
def test_generated_queries_answer_the_same_bytes(query: str, seeded: SandboxThread) -> None:
    reference, checked, planned, unplanned = asyncio.run(_answers(query, None, seeded))

    assert checked == reference
    assert planned == reference
    assert unplanned == reference


def test_a_broken_plan_answers_other_bytes(
    seeded: SandboxThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The comparison sees the plans: plans that put fields out of order are caught."""
    from schema.core import plan_build, plan_run

    original = plan_build.object_plan

    def reversed_plan(*args: Any) -> plan_build.ObjectPlan:
        plan = original(*args)
        plan.fields.reverse()
        return plan

    monkeypatch.setattr(plan_run, "object_plan", reversed_plan)
    query = "{ flowJobs(first: 2) { edges { node { id name steps { title stepNumber } } } } }"
    query += " # broken plan"  # a text of its own: no plans from other tests
    reference, checked, planned, unplanned = asyncio.run(_answers(query, None, seeded))

    assert checked == reference
    assert unplanned == reference
    assert planned != reference
    assert orjson.loads(planned) == orjson.loads(reference)  # the same values, in another order


def test_the_fast_paths_are_on_in_production_and_off_in_the_reference() -> None:
    assert PRODUCTION.fast_path is not None
    assert PRODUCTION.fast_path.compiled
    assert UNPLANNED.fast_path is not None
    assert not UNPLANNED.fast_path.compiled
    assert REFERENCE.fast_path is None
    assert PRODUCTION.execution_context_class is not REFERENCE.execution_context_class
