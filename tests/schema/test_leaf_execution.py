"""The leaf shortcut answers exactly what graphql-core's own path answers, errors included."""

from __future__ import annotations

import json
from enum import Enum
from typing import Any, ClassVar

import pytest
import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema import build_schema
from schema.core.document_fields import ReadOnce
from schema.core.leaf_execution import LeafShortcutExecution, plain_leaf


@strawberry.enum
class Colour(Enum):
    RED = "red"


@strawberry.interface
class Named:
    name: str | None


@strawberry.type
class Thing(Named):
    number: int
    maybe: int | None
    colour: Colour | None
    tags: list[str]
    odd: int | None

    @strawberry.field
    def shout(self, loud: bool = False) -> str | None:
        return (self.name or "").upper() if loud else self.name


def thing(**overrides: Any) -> Thing:
    values: dict[str, Any] = {
        "name": "a",
        "number": 1,
        "maybe": None,
        "colour": Colour.RED,
        "tags": ["x", "y"],
        "odd": 2,
    }
    values.update(overrides)
    return Thing(**values)


@strawberry.type
class Fragile:
    value: str | None
    number: int


def _explode(fragile: Fragile) -> object:
    raise ValueError("cannot read this")


setattr(Fragile, "value", ReadOnce("value", _explode))  # noqa: B010 - a field read that raises
setattr(Fragile, "number", ReadOnce("number", _explode))  # noqa: B010


@strawberry.type
class Query:
    @strawberry.field
    def things(self) -> list[Thing | None]:
        return [
            thing(),
            thing(name=None, maybe=3),
            thing(number=None),  # null on a non-null field
            thing(odd="not a number"),  # cannot be serialised as Int
            thing(odd=2**40),  # out of Int's range
        ]

    @strawberry.field
    def fragile(self) -> list[Fragile]:
        return [Fragile.__new__(Fragile)]

    @strawberry.field
    def named(self) -> list[Named]:
        return [thing(name="b")]


def schemas() -> tuple[strawberry.Schema, strawberry.Schema]:
    plain = strawberry.Schema(
        query=Query, execution_context_class=StrawberryGraphQLCoreExecutionContext
    )
    shortcut = strawberry.Schema(query=Query, execution_context_class=LeafShortcutExecution)
    return plain, shortcut


def answer(result: Any) -> tuple[Any, list[Any]]:
    return result.data, [(e.message, tuple(e.path or ())) for e in (result.errors or [])]


def in_order(result: Any) -> str:
    """The answer as JSON text: key order counts, as it does on the wire."""
    data, errors = answer(result)
    return json.dumps([data, errors])


QUERIES = [
    "{ things { name number maybe colour tags odd } }",
    "{ things { n: name name again: name number } }",
    "{ things { odd shout loud: shout(loud: true) } }",
    "{ things { name @skip(if: true) maybe @include(if: true) number } }",
    "{ named { __typename name ... on Thing { colour number } } }",
    "{ things { ...F } } fragment F on Thing { name number odd }",
    "{ fragile { value } }",
    "{ fragile { number } }",
]


@pytest.mark.parametrize("query", QUERIES)
async def test_the_same_answer_with_and_without_the_shortcut(query: str) -> None:
    plain, shortcut = schemas()
    expected = in_order(await plain.execute(query))
    assert in_order(await shortcut.execute(query)) == expected


async def test_the_errors_are_graphql_cores_own() -> None:
    _, shortcut = schemas()
    data, errors = answer(await shortcut.execute("{ things { number odd } }"))
    assert data is not None
    assert data["things"][2] is None  # the non-null `number` was null: its object is null
    messages = {path: message for message, path in errors}
    assert messages[("things", 2, "number")].startswith("Cannot return null for non-nullable")
    assert "Int cannot represent" in messages[("things", 3, "odd")]
    assert "Int cannot represent" in messages[("things", 4, "odd")]


def test_only_plain_leaf_fields_are_shortcut() -> None:
    _, shortcut = schemas()
    graphql_schema = shortcut._schema
    thing_type = graphql_schema.get_type("Thing")
    assert plain_leaf(graphql_schema, thing_type, "number") is not None  # type: ignore[arg-type]
    assert plain_leaf(graphql_schema, thing_type, "colour") is not None  # type: ignore[arg-type]
    assert plain_leaf(graphql_schema, thing_type, "tags") is None  # type: ignore[arg-type]
    assert plain_leaf(graphql_schema, thing_type, "shout") is None  # type: ignore[arg-type]


class CountingResolves(SchemaExtension):
    """Counts the fields it sees resolve (a `resolve` hook wraps every field)."""

    seen: ClassVar[list[str]] = []

    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        CountingResolves.seen.append(info.field_name)
        return _next(root, info, *args, **kwargs)


async def test_an_extension_with_a_resolve_hook_still_sees_every_field() -> None:
    query = "{ things { name number } }"
    seen = []
    for context_class in (StrawberryGraphQLCoreExecutionContext, LeafShortcutExecution):
        CountingResolves.seen = []
        schema = strawberry.Schema(
            query=Query, extensions=[CountingResolves], execution_context_class=context_class
        )
        await schema.execute(query)
        seen.append(sorted(CountingResolves.seen))
    assert seen[0] == seen[1]
    assert seen[1].count("number") == 5


def test_no_extension_of_the_gateway_hooks_every_field() -> None:
    # A `resolve` hook runs for every field of every object: it would take every
    # field off the shortcut, and cost more than the field itself.
    extensions = build_schema(introspection=False).get_extensions()
    assert extensions
    assert [
        type(e).__name__ for e in extensions if type(e).resolve is not SchemaExtension.resolve
    ] == []
