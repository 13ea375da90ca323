"""The operation type read from a document's text, for the request span."""

from __future__ import annotations

import pytest

from gateway.observability.operation_type import operation_head, operation_type


@pytest.mark.parametrize(
    ("document", "name", "expected"),
    [
        ("query Recent { jobs { id } }", None, "query"),
        ("{ jobs { id } }", None, "query"),
        ("query { jobs { id } }", None, "query"),
        ("query($n: Int) { jobs(first: $n) { id } }", None, "query"),
        ("mutation Start($x: ID!) { start(id: $x) { id } }", None, "mutation"),
        ("subscription S { jobEvents { id } }", None, "subscription"),
        ("fragment F on Job { id } mutation M { start { ...F } }", None, "mutation"),
        ("query A { a } mutation B { b }", "B", "mutation"),
        ("query A { a } mutation B { b }", "A", "query"),
        ('query A { a(s: "mutation B {") } subscription B { b }', "B", "subscription"),
        ('"""mutation B""" query A { a }', "A", "query"),
        ("# mutation B\nquery A { a }", None, "query"),
        ('query A($v: String = "}") @cached { a }', "A", "query"),
    ],
)
def test_the_chosen_operations_type(document: str, name: str | None, expected: str) -> None:
    assert operation_type(document, name) == expected


@pytest.mark.parametrize(
    ("document", "name"),
    [(None, None), ("", None), ("query A { a }", "Missing"), ("fragment F on Job { id }", None)],
)
def test_no_type_without_such_an_operation(document: str | None, name: str | None) -> None:
    assert operation_type(document, name) is None


@pytest.mark.parametrize(
    ("document", "name", "expected"),
    [
        ("query Recent { a }", None, ("query", "Recent")),
        ("mutation M { a } query Q { b }", "Q", ("query", "Q")),
        ("{ a }", None, ("query", None)),
        # a name in a string is not the operation's (a regex over the text took it)
        ('{ jobs(filter: {nameContains: "query Fake {"}) { id } }', None, ("query", None)),
        ("# query Commented\nsubscription S { a }", None, ("subscription", "S")),
    ],
)
def test_operation_head_names_the_operation_not_words_in_strings(
    document: str, name: str | None, expected: tuple[str | None, str | None]
) -> None:
    assert operation_head(document, name) == expected
