"""Query limits (schema.core.limits): linear in the document, coded, named by setting."""

from __future__ import annotations

import pytest
from graphql import parse

import schema.core.limits as limits_module
from schema import build_schema
from schema.core.limits import QueryLimits, document_limit_errors

UNLIMITED_TEXT = QueryLimits(max_tokens=10**7, max_length=10**8)


def fan_out(levels: int, on: str = "Query", leaf: str = "__typename") -> str:
    """Each fragment spreads the next one twice: 2**levels leaves once expanded."""
    fragments = "".join(
        f"fragment F{i} on {on} {{ ...F{i + 1} ...F{i + 1} }}\n" for i in range(levels)
    )
    return fragments + f"fragment F{levels} on {on} {{ {leaf} }}\n"


def chain(length: int) -> str:
    fragments = "".join(f"fragment F{i} on Query {{ ...F{i + 1} }}\n" for i in range(length))
    return "{ ...F0 }\n" + fragments + f"fragment F{length} on Query {{ __typename }}\n"


def limit_names(query: str, limits: QueryLimits | None = None) -> list[str]:
    errors = document_limit_errors(parse(query), limits or QueryLimits())
    return [e.extensions["limit"] for e in errors if e.extensions]


def test_a_fragment_fan_out_is_refused_with_each_fragment_measured_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = 0
    measure = limits_module._measure

    def counting(selection_set):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        return measure(selection_set)

    monkeypatch.setattr(limits_module, "_measure", counting)
    errors = document_limit_errors(parse("{ ...F0 }\n" + fan_out(30)), QueryLimits())
    assert calls == 1 + 31  # the operation, then each of F0..F30 once
    [error] = errors
    assert error.extensions == {
        "code": "GRAPHQL_VALIDATION_FAILED",
        "limit": "GATEWAY_MAX_ROOT_FIELDS",
        "maximum": 20,
    }
    assert str(2**30) in error.message


def test_a_fan_out_below_the_root_counts_its_expanded_aliases() -> None:
    query = "{ flowJobs { edges { node { ...F0 } } } }\n" + fan_out(30, "FlowJob", "a: name")
    assert limit_names(query) == ["GATEWAY_MAX_ALIASES"]


def test_depth_counts_enclosing_fields_through_fragments() -> None:
    three = "{ workflowJobs { edges { node { awxId } } } }"
    assert limit_names(three, QueryLimits(max_depth=3)) == []
    assert limit_names(three, QueryLimits(max_depth=2)) == ["GATEWAY_MAX_QUERY_DEPTH"]
    through = (
        "{ workflowJobs { ...E } } fragment E on WorkflowJobConnection { edges { node { id } } }"
    )
    assert limit_names(through, QueryLimits(max_depth=2)) == ["GATEWAY_MAX_QUERY_DEPTH"]
    assert limit_names(through, QueryLimits(max_depth=3)) == []


def test_introspection_adds_no_depth() -> None:
    query = "{ __schema { types { fields { type { ofType { ofType { name } } } } } } }"
    assert limit_names(query, QueryLimits(max_depth=2)) == []


def test_aliases_root_fields_and_directives_have_their_limits() -> None:
    aliases = "{ " + " ".join(f"a{i}: __typename" for i in range(6)) + " }"
    assert limit_names(aliases, QueryLimits(max_aliases=5, max_root_fields=100)) == [
        "GATEWAY_MAX_ALIASES"
    ]
    assert limit_names(aliases, QueryLimits(max_aliases=6, max_root_fields=5)) == [
        "GATEWAY_MAX_ROOT_FIELDS"
    ]
    directives = "{ __typename" + " @skip(if: false)" * 4 + " }"
    assert limit_names(directives, QueryLimits(max_directives=3)) == ["GATEWAY_MAX_DIRECTIVES"]
    assert limit_names(directives, QueryLimits(max_directives=4)) == []


def test_cycles_unknown_fragments_and_long_chains_end_without_recursion() -> None:
    cycle = "{ ...A } fragment A on Query { ...B } fragment B on Query { a: __typename ...A }"
    assert limit_names(cycle) == []
    assert limit_names("{ ...Nope }") == []
    assert limit_names(chain(5000), UNLIMITED_TEXT) == []


async def test_the_schema_refuses_over_a_limit_without_running_the_standard_rules(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import strawberry.schema.schema as strawberry_schema

    validations = 0
    validate_document = strawberry_schema.validate_document

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal validations
        validations += 1
        return validate_document(*args, **kwargs)

    monkeypatch.setattr(strawberry_schema, "validate_document", counting)
    schema = build_schema(limits=UNLIMITED_TEXT)
    aliases = "{ " + " ".join(f"a{i}: __typename" for i in range(10_000)) + " }"
    result = await schema.execute(aliases)
    assert result.errors
    assert {e.extensions["limit"] for e in result.errors if e.extensions} == {
        "GATEWAY_MAX_ALIASES",
        "GATEWAY_MAX_ROOT_FIELDS",
    }
    assert validations == 0


async def test_text_limits_refuse_while_parsing() -> None:
    schema = build_schema(limits=QueryLimits(max_tokens=100, max_length=2000))
    [error] = (await schema.execute("{ " + "__typename " * 101 + "}")).errors or []
    assert error.extensions == {"code": "GRAPHQL_PARSE_FAILED"}
    assert "tokens" in error.message


@pytest.mark.parametrize("fast_path", [True, False], ids=["fast path", "extensions"])
@pytest.mark.parametrize("operation_name", [None, "Named"])
async def test_a_text_over_the_length_limit_is_refused_without_a_location(
    fast_path: bool, operation_name: str | None
) -> None:
    """The refusal is made from the length: no line and column, which cost a scan of the text."""
    schema = build_schema(limits=QueryLimits(max_length=2000), fast_paths=fast_path)
    text = "query Named { __typename }" + " " * 2000
    result = await schema.execute(text, operation_name=operation_name)
    assert result.data is None
    [error] = result.errors or []
    assert error.extensions == {
        "code": "GRAPHQL_PARSE_FAILED",
        "limit": "GATEWAY_MAX_QUERY_LENGTH",
        "maximum": 2000,
    }
    assert error.locations is None
    assert "2026 characters" in error.message
    ok = await schema.execute("query Named { __typename }", operation_name=operation_name)
    assert ok.errors is None


async def test_a_chain_too_deep_for_validation_is_query_too_complex() -> None:
    result = await build_schema(limits=UNLIMITED_TEXT).execute(chain(5000))
    [error] = result.errors or []
    assert error.extensions == {"code": "QUERY_TOO_COMPLEX"}


async def test_tools_introspection_passes_and_nested_introspection_is_refused() -> None:
    from graphql import get_introspection_query

    schema = build_schema()
    full = await schema.execute(get_introspection_query(descriptions=True))
    assert full.errors is None
    nested = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }"
    refused = await schema.execute(nested)
    assert refused.errors
    assert {e.message for e in refused.errors} == {"Maximum introspection depth exceeded"}
