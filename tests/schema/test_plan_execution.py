"""The execution plans answer exactly what graphql-core answers: data, errors, paths, batches.

A schema made to misbehave (resolvers that raise, sync and async; nulls on
non-null fields at every depth; values that do not serialise; interfaces and
unions; a data loader) is run three ways: graphql-core's executor as
Strawberry uses it, the leaf shortcut alone, and the plans (twice, the
second time on the plans the first made). The JSON texts, key order
included, must be the same, and the loader must see the same batches.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta, timezone
from enum import Enum
from typing import Annotated, Any

import orjson
import pytest
import strawberry
from aiodataloader import DataLoader
from graphql import ExecutionResult, execute, parse
from strawberry.execution import optimized_is_awaitable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from gateway import coerce
from schema.core import plan_build, plan_run
from schema.core.document_fields import FromAttribute, FromKey, from_key, read_lazily
from schema.core.leaf_execution import LeafShortcutExecution
from schema.core.plan_run import PLANS_PER_OPERATION, OperationPlans, PlannedExecution


@strawberry.enum
class Colour(Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.enum
class Shade(Enum):
    """Named otherwise in GraphQL than in Python: the plans look the name up."""

    LIGHT = "light"
    DARK = strawberry.enum_value("dark", name="DEEP")


@strawberry.interface
class Named:
    name: str | None


@strawberry.type
class Thing(Named):
    number: int
    maybe: int | None
    colour: Colour | None
    shade: Shade | None
    tags: list[str]
    odd: int | None
    when: datetime | None
    child: Thing | None = None

    @strawberry.field
    def shout(self, loud: bool = False) -> str | None:
        return (self.name or "").upper() if loud else self.name

    @strawberry.field
    async def later(self) -> str:
        await asyncio.sleep(0)
        return f"later {self.name}"

    @strawberry.field
    def fails(self) -> str | None:
        raise ValueError(f"no luck for {self.name}")

    @strawberry.field
    def missing(self) -> str:
        return None  # type: ignore[return-value]  # a null on a non-null field, from a resolver

    @strawberry.field
    async def fails_async(self) -> int:
        raise ValueError("async, non-null, no luck")

    @strawberry.field
    def strict_children(self) -> list[Thing]:
        return [thing(name="c1"), thing(name="c2", number=None)]

    @strawberry.field
    async def friend(self, info: strawberry.Info) -> Thing | None:
        loader: DataLoader[str, Thing | None] = info.context["loader"]
        return await loader.load(f"{self.name}>")


@strawberry.type
class Other:
    label: str


class Text(str):
    """A ``str`` subclass: read as is by ``coerce.text``, which the inline read must not miss."""


@strawberry.type
class Doc:
    """Fields read from a document, as the gateway's types are (the compiled plans inline them)."""

    text: str | None
    nonempty: str | None
    required: str
    label: str | None
    kind: Colour
    mapping: strawberry.scalars.JSON | None
    flag: bool | None
    number: int | None
    _doc: strawberry.Private[dict[str, Any]]


read_lazily(
    Doc,
    text=from_key("_doc", coerce.text, "text"),
    nonempty=from_key("_doc", coerce.nonempty_text, "text"),
    required=from_key("_doc", coerce.text, "required"),
    # read from a value the object holds (as a job's fields from its facts)
    _summary=lambda d: _Summary(d._doc),
    label=FromAttribute("_summary", "label"),
    kind=FromAttribute("_summary", "kind"),
    mapping=from_key("_doc", coerce.mapping, "mapping"),
    flag=from_key("_doc", coerce.boolean, "flag"),
    number=from_key("_doc", lambda raw: _converted(coerce.integer, raw), "number"),
)


class _Summary:
    """What a ``Doc``'s ``label`` and ``kind`` are read from (raises for a document that is
    not one, as a job's facts would)."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.label = coerce.text(doc.get("text"))
        self.kind = Colour.RED if doc.get("flag") else "not a colour"


_CONVERSIONS: list[object] = []
"""The values ``Doc.number``'s converter was called with (a converter the plans call, not
one they write inline)."""


def _converted(convert: Any, raw: Any) -> Any:
    _CONVERSIONS.append(raw)
    return convert(raw)


_NO_DOCUMENT = object()


def doc(raw: Any) -> Doc:
    obj = Doc.__new__(Doc)
    if raw is not _NO_DOCUMENT:
        obj._doc = raw
    return obj


DOCS = [
    {"text": "a", "required": "r", "mapping": {"k": 1}, "flag": True, "number": 3},
    {"text": "", "required": None, "mapping": [1], "flag": 1, "number": 2**40},
    {"text": Text("sub"), "required": 7, "mapping": None, "flag": None, "number": 2.0},
    {"text": 5},
    "not a document",  # every field read raises
    _NO_DOCUMENT,  # no document at all: reading it raises, and so every field read
]


Either = Annotated[Thing | Other, strawberry.union("Either")]


def thing(**overrides: Any) -> Thing:
    values: dict[str, Any] = {
        "name": "a",
        "number": 1,
        "maybe": None,
        "colour": Colour.RED,
        "shade": Shade.DARK,
        "tags": ["x", "y"],
        "odd": 2,
        "when": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    }
    values.update(overrides)
    return Thing(**values)


THINGS = [
    thing(),
    thing(name=None, maybe=3, colour=Colour.BLUE, shade=Shade.LIGHT),
    thing(name="c", number=None),  # null on a non-null field
    thing(
        name="d",
        odd="not a number",
        colour="RED",
        shade="DEEP",
        when=datetime(2026, 1, 2, 3, 4, 5, 60, tzinfo=timezone(timedelta(hours=2))),
    ),  # not Int, nor members
    thing(name="e", odd=2**40, when=None),  # out of Int's range
    thing(name="f", child=thing(name="g", child=thing(name="h", number=None))),
]


@strawberry.type
class Query:
    @strawberry.field
    def things(self) -> list[Thing | None]:
        return THINGS

    @strawberry.field
    def strict(self) -> list[Thing]:
        return THINGS[:3]

    @strawberry.field
    def named(self) -> list[Named]:
        return [thing(name="b"), THINGS[0]]

    @strawberry.field
    def either(self) -> list[Either]:
        return [Other(label="o"), thing(name="t")]

    @strawberry.field
    async def one(self, name: str) -> Thing | None:
        await asyncio.sleep(0)
        return next((t for t in THINGS if t.name == name), None)

    @strawberry.field
    def docs(self) -> list[Doc | None]:
        return [doc(raw) for raw in DOCS]

    @strawberry.field
    def wrong(self) -> Thing | None:
        return Other(label="not a thing")  # type: ignore[return-value]

    @strawberry.field
    def not_a_list(self) -> list[str] | None:
        return 7  # type: ignore[return-value]

    @strawberry.field
    async def awaited_items(self) -> list[str | None]:
        async def item(value: str | None) -> str | None:
            if value == "bad":
                raise ValueError("bad item")
            return value

        return [item("x"), item("bad"), item(None)]  # type: ignore[list-item]


SCHEMA = strawberry.Schema(query=Query, types=[Thing, Other])

QUERIES: list[tuple[str, dict[str, Any] | None]] = [
    ("{ things { name number maybe colour shade tags odd when } }", None),
    ("{ things { n: name name again: name number __typename } }", None),
    ("{ things { odd shout loud: shout(loud: true) } }", None),
    ("{ things { name @skip(if: true) maybe @include(if: true) number } }", None),
    (
        "query($s: Boolean!) { things { name @skip(if: $s) maybe @include(if: $s) } }",
        {"s": True},
    ),
    (
        "query($s: Boolean!) { things { name @skip(if: $s) maybe @include(if: $s) } }",
        {"s": False},
    ),
    ("{ named { __typename name ... on Thing { colour number } } }", None),
    ("{ either { __typename ... on Thing { name } ... on Other { label } } }", None),
    ("{ things { ...F } } fragment F on Thing { name number odd }", None),
    ("{ things { name later fails } }", None),
    ("{ things { name failsAsync } }", None),
    ("{ things { name missing } }", None),
    ("{ strict { name number } }", None),
    ("{ things { name strictChildren { name number } } }", None),
    ("{ things { name child { name child { name number } } } }", None),
    ("{ things { name friend { name friend { name } } } }", None),
    ("query($n: String!) { one(name: $n) { name later friend { name } } }", {"n": "a"}),
    ("{ wrong { name } }", None),
    ("{ docs { text nonempty mapping flag number } }", None),
    ("{ docs { text required } }", None),
    ("{ docs { label kind text } }", None),
    ("{ docs { label } }", None),
    ("{ notAList }", None),
    ("{ awaitedItems }", None),
]


class Batches:
    """A loader of things by name that records each batch it is asked for."""

    def __init__(self) -> None:
        self.seen: list[list[str]] = []

    def loader(self) -> DataLoader[str, Thing | None]:
        async def load(names: list[str]) -> list[Thing | None]:
            self.seen.append(list(names))
            return [None if name.startswith("None") else thing(name=name) for name in names]

        return DataLoader(load)


async def run(
    query: str,
    variables: dict[str, Any] | None,
    executor_class: type[Any],
    plans: OperationPlans | None = None,
) -> tuple[str, list[list[str]]]:
    """The answer as JSON text (order counts, as on the wire), and the loader's batches."""
    batches = Batches()
    extra = {"plans": plans} if plans is not None else {}
    outcome = execute(
        SCHEMA._schema,
        parse(query),
        context_value={"loader": batches.loader()},
        variable_values=variables,
        executor_class=executor_class,
        is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
        **extra,
    )
    if not isinstance(outcome, ExecutionResult):
        outcome = await outcome
    errors = [
        {
            "message": e.message,
            "path": e.path,
            "locations": [list(loc) for loc in e.locations or ()],
        }
        for e in outcome.errors or ()
    ]
    return json.dumps([outcome.data, errors]), batches.seen


@pytest.mark.parametrize(("query", "variables"), QUERIES)
async def test_the_plans_answer_as_graphql_core_does(
    query: str, variables: dict[str, Any] | None
) -> None:
    reference = await run(query, variables, StrawberryGraphQLCoreExecutionContext)
    shortcut = await run(query, variables, LeafShortcutExecution)
    plans = OperationPlans.of(parse(query))
    assert plans is not None
    first = await run(query, variables, PlannedExecution, plans)
    again = await run(query, variables, PlannedExecution, plans)

    assert shortcut == reference
    assert first == reference
    assert again == reference
    assert plans.roots, "the operation must have run by its plan"


async def planned(query: str, variables: dict[str, Any] | None = None) -> Any:
    """The plans' answer, parsed, and the batches."""
    answer, batches = await run(query, variables, PlannedExecution, OperationPlans.of(parse(query)))
    return json.loads(answer), batches


async def test_the_queries_reach_errors_nulls_and_batches() -> None:
    # the cases above must exercise what they claim to
    strict, _ = await planned("{ strict { name number } }")
    assert strict[0] is None  # a non-null list item null: the whole non-null list and data
    messages = [e["message"] for e in strict[1]]
    assert messages == ["Cannot return null for non-nullable field Thing.number."]
    nested, _ = await planned("{ things { name child { name child { name number } } } }")
    assert nested[0]["things"][5]["child"]["child"] is None
    _, batches = await planned("{ things { name friend { name friend { name } } } }")
    assert [len(b) for b in batches] == [6, 5]  # one batch per depth, not one per thing


def test_plans_are_kept_per_directive_variables() -> None:
    query = "query($s: Boolean!, $n: Int) { things { name @skip(if: $s) } }"
    plans = OperationPlans.of(parse(query))
    assert plans is not None
    assert plans.variables == ("s",)
    assert plans.key({"s": True, "n": 3}) != plans.key({"s": False, "n": 3})
    assert OperationPlans.of(parse("{ things { name } }")) is not None


async def test_plans_per_operation_are_bounded() -> None:
    names = [f"v{i}" for i in range(6)]
    query = (
        f"query({', '.join(f'${n}: Boolean!' for n in names)}) {{ things {{ "
        + " ".join(f"{n}: name @include(if: ${n})" for n in names)
        + " } }"
    )
    plans = OperationPlans.of(parse(query))
    assert plans is not None
    for mask in range(40):
        variables = {n: bool(mask >> i & 1) for i, n in enumerate(names)}
        reference = await run(query, variables, StrawberryGraphQLCoreExecutionContext)
        assert await run(query, variables, PlannedExecution, plans) == reference
    assert len(plans.roots) == PLANS_PER_OPERATION


async def test_a_broken_plan_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison sees the plans: a plan that forgets non-null propagation differs."""
    original = plan_build.completion_of

    def forgetful(schema: Any, return_type: Any) -> plan_build.Completion:
        completion = original(schema, return_type)
        completion.non_null = False
        return completion

    monkeypatch.setattr(plan_build, "completion_of", forgetful)
    query = "{ things { name missing } }"
    reference = await run(query, None, StrawberryGraphQLCoreExecutionContext)
    broken = await run(query, None, PlannedExecution, OperationPlans.of(parse(query)))
    assert broken != reference


async def _docs_plan(query: str) -> plan_build.ObjectPlan:
    """The plan of the ``docs`` items of ``query``, after one run by the plans."""
    plans = OperationPlans.of(parse(query))
    assert plans is not None
    await run(query, None, PlannedExecution, plans)
    item = plans.roots[()].fields[0].completion.item
    assert item is not None
    assert item.object_plan is not None
    return item.object_plan


async def test_document_fields_are_read_inline() -> None:
    """The ``docs`` cases above take the inline read of a document key, not only ``getattr``."""
    docs_plan = await _docs_plan("{ docs { text } }")
    assert docs_plan.origin is Doc
    [text] = docs_plan.fields
    assert text.leaf
    assert isinstance(text.reader, FromKey)
    assert docs_plan.compiled is not None
    assert "CV0" in docs_plan.compiled.__globals__  # the converter the inline read calls


async def test_attributes_of_a_held_value_are_read_inline() -> None:
    """``FromAttribute`` fields (a job's fields from its facts) take the inline read too."""
    docs_plan = await _docs_plan("{ docs { label } }")
    [label] = docs_plan.fields
    assert isinstance(label.reader, FromAttribute)
    assert docs_plan.compiled is not None
    assert "_summary" in docs_plan.compiled.__code__.co_names  # read once per object, inline


async def test_a_plan_that_cannot_be_compiled_runs_on_graphql_core(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(plan: Any) -> Any:
        raise SyntaxError("a bug of the compiler")

    monkeypatch.setattr(plan_run, "compile_object", broken)
    query = "{ things { name child { name } later } }"
    reference = await run(query, None, StrawberryGraphQLCoreExecutionContext)
    assert await run(query, None, PlannedExecution, OperationPlans.of(parse(query))) == reference


class _EncodedByOrjson(dict[str, Any]):
    """A context whose answer orjson encodes (as the POST lane's ``Context`` says)."""

    encodes_datetimes = True


async def test_utc_datetimes_are_left_to_an_answer_encoder_that_writes_them() -> None:
    query = "{ things { name when child { when } } }"
    answers = []
    for executor_class, context, plans in (
        (StrawberryGraphQLCoreExecutionContext, {}, None),
        (PlannedExecution, _EncodedByOrjson(), OperationPlans.of(parse(query))),
    ):
        context["loader"] = Batches().loader()
        extra = {"plans": plans} if plans is not None else {}
        outcome = execute(
            SCHEMA._schema,
            parse(query),
            context_value=context,
            executor_class=executor_class,
            is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
            **extra,
        )
        if not isinstance(outcome, ExecutionResult):
            outcome = await outcome
        answers.append(outcome)
    reference, planned = answers
    assert planned.data is not None
    whens = [thing["when"] for thing in planned.data["things"] if thing is not None]
    assert any(isinstance(when, datetime) and when.tzinfo is UTC for when in whens)
    assert "2026-01-02T03:04:05.000060+02:00" in whens  # another offset: its text
    assert orjson.dumps(planned.data) == orjson.dumps(reference.data)


async def test_a_value_converted_inline_is_kept_as_its_reader_keeps_it() -> None:
    """Read twice in one selection (an alias), a converted field is converted once per object,
    as its reader would do it: a reader run later finds the value."""
    query = "{ docs { number again: number } }"
    plans = OperationPlans.of(parse(query))
    assert plans is not None
    await run(query, None, PlannedExecution, plans)
    _CONVERSIONS.clear()
    await run(query, None, PlannedExecution, plans)
    documents = [raw for raw in DOCS if isinstance(raw, dict)]
    assert [raw.get("number") for raw in documents] == _CONVERSIONS
