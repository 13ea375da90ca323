"""Each distinct query text is parsed and validated once (schema.core.document_cache)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import strawberry.schema.schema as strawberry_schema
from graphql import parse

from schema import build_schema
from schema.core.document_cache import CheckedDocument, DocumentCache


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Counts graphql-core parses and strawberry validations by query text."""
    counts: Counter[str] = Counter()
    real_parse = strawberry_schema.parse
    real_validate = strawberry_schema.validate_document

    def parse_counted(source: Any, **options: Any) -> Any:
        counts["parse " + str(source)] += 1
        return real_parse(source, **options)

    def validate_counted(schema: Any, document: Any, rules: Any) -> Any:
        counts["validate"] += 1
        return real_validate(schema, document, rules)

    monkeypatch.setattr(strawberry_schema, "parse", parse_counted)
    monkeypatch.setattr(strawberry_schema, "validate_document", validate_counted)
    return counts


async def test_a_valid_query_is_parsed_and_validated_once(counted: Counter[str]) -> None:
    schema = build_schema()
    for _ in range(3):
        result = await schema.execute("{ __typename }")
        assert result.errors is None
        assert result.data == {"__typename": "Query"}
    assert counted == {"parse { __typename }": 1, "validate": 1}


async def test_an_invalid_query_gets_identical_errors_from_one_validation(
    counted: Counter[str],
) -> None:
    schema = build_schema()
    query = "{ flowJobs { edges { node { nope } } } ...Missing }"
    first = await schema.execute(query)
    second = await schema.execute(query)
    assert first.errors
    assert second.errors
    assert [e.formatted for e in first.errors] == [e.formatted for e in second.errors]
    assert {e.extensions["code"] for e in first.errors if e.extensions} == {
        "GRAPHQL_VALIDATION_FAILED"
    }
    assert len(first.errors) == 2
    assert counted["validate"] == 1


async def test_a_text_over_the_cacheable_length_is_checked_each_time(
    counted: Counter[str],
) -> None:
    schema = build_schema()
    assert schema.document_cache is not None
    long_query = "{ __typename }" + " " * schema.document_cache.max_text_length
    for _ in range(2):
        assert (await schema.execute(long_query)).errors is None
    assert counted["validate"] == 2
    assert len(schema.document_cache) == 0


def test_the_cache_keeps_the_most_recent_entries_up_to_its_bound() -> None:
    cache = DocumentCache(max_entries=3)
    entry = CheckedDocument(parse("{ __typename }"), ())
    for text in ("a", "b", "c"):
        cache.put(text, entry)
    assert cache.get("a") is entry  # now the most recent
    cache.put("d", entry)
    assert len(cache) == 3
    assert cache.get("b") is None
    assert all(cache.get(text) is entry for text in ("a", "c", "d"))


def test_the_cache_is_bounded_in_characters_too() -> None:
    cache = DocumentCache(max_entries=100, max_text_length=10, max_total_length=25)
    entry = CheckedDocument(parse("{ __typename }"), ())
    for text in ("a" * 10, "b" * 10, "c" * 10):
        cache.put(text, entry)
    assert len(cache) == 2
    assert cache.get("a" * 10) is None
    cache.put("d" * 11, entry)
    assert cache.get("d" * 11) is None
