"""An object plan compiled to one Python function, as graphql-jit compiles its queries.

The interpreted loop over an :class:`~schema.core.plan_build.ObjectPlan`
spent most of its time asking each field plan what it is. Compiled, the
function for a selection reads each plain leaf as a literal attribute
(``source.title``, with the interpreter's attribute cache) or, for a field of
the plan's own class read by :func:`~schema.core.document_fields.from_key`,
straight from the object (its kept value, else its document's key, converted
inline for the converters of :data:`_CONVERSIONS`); checks the value with a
test made for the field's type (``type(v) is str``; an ``Int`` in range; an
enum member looked up; a ``datetime`` where the scalar serialises with
``isoformat()`` to the same text written as :func:`~gateway.coerce.datetime_text`
writes it, inline; a plain JSON
value as is for a scalar that serialises to itself, like ``JSON``), and
builds the answer as one dict literal in the selection's order. Anything
else is handed back to the executor at that field, in order:
:meth:`~schema.core.plan_run.PlannedExecution.slow_leaf` (serialise by the
type, or graphql-core's ``execute_field``) for an unusual leaf value,
:meth:`~schema.core.plan_run.PlannedExecution.run_field` for every other
field.

The generated text holds names only: response keys (GraphQL names, checked
against the grammar's pattern before they are written as literals), attribute
names (Python identifiers, not keywords) and document keys of the schema's
own readers (written with ``repr``); values are passed in by name or in
tuples indexed by the field's position.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
from graphql import GraphQLBoolean, GraphQLID, GraphQLString
from graphql.pyutils import Path
from strawberry.schema.types.base_scalars import isoformat

from gateway import coerce
from schema.core.document_fields import FromAttribute, FromKey, as_is
from schema.core.plan_build import LEAF, FieldPlan, ObjectPlan

CompiledObject = Callable[[Any, Any, "Path | None"], Any]
"""``(executor, source, path)`` to the object's answer (or an awaitable of it)."""

_IDENTITY_CODE = (lambda value: value).__code__
_INT_RANGE = "-2147483648 <= v{i} <= 2147483647"
_JSON_TYPES = (dict, list, str, int, float, bool)
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")
_STRING_TYPES = {GraphQLString.name: GraphQLString, GraphQLID.name: GraphQLID}


def _serialises_to_itself(function: object) -> bool:
    """Whether ``function`` is ``lambda v: v`` (Strawberry's ``JSON`` serialiser)."""
    code = getattr(function, "__code__", None)
    return (
        code is not None
        and code.co_code == _IDENTITY_CODE.co_code
        and code.co_argcount == 1
        and not code.co_names
        and getattr(function, "__closure__", None) is None
    )


def _leaf_test(f: FieldPlan, i: int, names: dict[str, Any]) -> tuple[str, str] | None:
    """A test of a leaf value in its output form already, and how to make it so (or ``None``)."""
    c = f.completion
    output = c.output
    serialise = output.coerce_output_value
    if output.name in _STRING_TYPES and output is _STRING_TYPES[output.name]:
        return f"type(v{i}) is str", ""
    if output is GraphQLBoolean:
        return f"type(v{i}) is bool", ""
    if c.int_leaf:
        return f"type(v{i}) is int and {_INT_RANGE.format(i=i)}", ""
    if c.enum_names is not None:
        names[f"E{i}"], names[f"C{i}"] = c.enum_names, c.enum_class
        if _named_as_members(c.enum_names, c.enum_class):
            # every member, under its own name: no lookup (an Enum's hash is Python code)
            return f"type(v{i}) is C{i}", f"v{i} = v{i}._name_"
        return f"type(v{i}) is C{i} and v{i} in E{i}", f"v{i} = E{i}[v{i}]"
    if serialise is isoformat:
        # coerce.datetime_text, inline: orjson's text of a UTC instant is isoformat's; and
        # when orjson encodes the answer (KEEP_DT), a UTC instant is left for it to write
        return (
            f"type(v{i}) is datetime",
            f"v{i} = v{i}.isoformat() if v{i}.tzinfo is not UTC"
            f" else v{i} if KEEP_DT else DUMPS(v{i})[1:-1].decode()",
        )
    if _serialises_to_itself(serialise):
        return f"type(v{i}) in JSON_TYPES", ""
    return None


def _named_as_members(enum_names: dict[Any, str], enum_class: type | None) -> bool:
    """Whether the GraphQL enum names every member of ``enum_class`` by its Python name."""
    if enum_class is None:
        return False
    members = list(enum_class)  # type: ignore[call-overload]
    return len(enum_names) == len(members) and all(
        enum_names.get(member) == member._name_ for member in members
    )


_CONVERSIONS: dict[Any, str] = {
    coerce.text: "raw if type(raw) is str else CV{i}(raw)",
    coerce.nonempty_text: "raw if type(raw) is str and raw else CV{i}(raw)",
    coerce.mapping: "raw if type(raw) is dict else CV{i}(raw)",
    coerce.boolean: "raw if type(raw) is bool else CV{i}(raw)",
    as_is: "raw",
}
"""Converters of :mod:`gateway.coerce` written inline: each gives back a value of that exact type
untouched (and calls the converter for anything else)."""


def _is_identifier(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name)


def _inline_read(f: FieldPlan, i: int, names: dict[str, Any]) -> tuple[list[str], str] | None:
    """Reading a :class:`~schema.core.document_fields.FromKey` field of the plan's own class
    without calling its reader: the value kept on the object, else the key of its document
    (or, for a :class:`~schema.core.document_fields.FromAttribute`, the attribute of the
    value it is read from: a job's facts).

    Gives the lines and the document's attribute, which the function reads
    once into ``D_<attribute>`` (:func:`_documents`)."""
    reader, attribute = f.reader, f.attribute
    if isinstance(reader, FromAttribute) and attribute is not None:
        if not all(map(_is_identifier, (reader.source, reader.name, attribute))):
            return None
        lines = [
            f"    if {attribute!r} in own:",
            f"        v{i} = own[{attribute!r}]",
            "    else:",
            f"        v{i} = D_{reader.source}.{reader.name}",
        ]
        return lines, reader.source
    if not isinstance(reader, FromKey) or attribute is None:
        return None
    if not _is_identifier(reader.source) or not _is_identifier(attribute):
        return None
    names[f"CV{i}"] = reader.convert
    inline = _CONVERSIONS.get(reader.convert)
    # Another converter (a timestamp's parse) keeps its value, as the reader would: a reader
    # run later (a job's facts reading its steps' times) then finds it parsed.
    conversion = inline.format(i=i) if inline is not None else f"own[{attribute!r}] = CV{i}(raw)"
    lines = [
        f"    if {attribute!r} in own:",
        f"        v{i} = own[{attribute!r}]",
        "    else:",
        f"        raw = D_{reader.source}.get({reader.key!r})",
        f"        v{i} = {conversion}",
    ]
    return lines, reader.source


def _leaf_code(f: FieldPlan, i: int, names: dict[str, Any], documents: set[str]) -> list[str]:
    attribute = f.attribute
    assert attribute is not None
    read = f"source.{attribute}" if _is_identifier(attribute) else f"getattr(source, A[{i}])"
    inline = _inline_read(f, i, names)
    if inline is None:
        lines = ["try:", f"    v{i} = {read}"]
    else:
        inline_lines, document = inline
        documents.add(document)
        # D_<document> is None where the object is not the plan's own class (or the
        # document could not be read): the field is then read as any other.
        lines = ["try:", f"  if D_{document} is not None:", *inline_lines, "  else:"]
        lines += [f"    v{i} = {read}"]
    lines += [
        "except Exception:",
        f"    v{i} = ex.full_leaf(F[{i}], source, path)",
        "else:",
        f"    if v{i} is None:",
        "        pass"
        if not f.completion.non_null
        else f"        v{i} = ex.full_leaf(F[{i}], source, path)",
    ]
    test = _leaf_test(f, i, names)
    if test is not None:
        condition, conversion = test
        lines += [f"    elif {condition}:", f"        {conversion or 'pass'}"]
    lines += ["    else:", f"        v{i} = ex.slow_leaf(F[{i}], source, path, v{i})"]
    return lines


def _documents(documents: set[str]) -> list[str]:
    """Each document the inline reads use, read once per object (``D_<attribute>``).

    A document that cannot be read stays ``None``: each field then reads
    itself through its reader, whose error is that field's, as before.
    """
    lines = [f"    D_{document} = None" for document in sorted(documents)]
    if documents:
        lines += ["    if own is not None:"]
        for document in sorted(documents):
            lines += [
                "        try:",
                f"            D_{document} = source.{document}",
                "        except Exception:",
                "            pass",
            ]
    return lines


def _has_datetimes(fields: list[FieldPlan]) -> bool:
    """Whether a leaf of the selection serialises with ``isoformat`` (reads ``KEEP_DT``)."""
    return any(
        f.leaf
        and f.completion.kind == LEAF
        and f.completion.output.coerce_output_value is isoformat
        for f in fields
    )


def _key(key: str, i: int) -> str:
    """A response key as a literal in the code (a GraphQL name: letters, digits, ``_``)."""
    return repr(key) if _NAME.fullmatch(key) else f"K[{i}]"


def compile_object(plan: ObjectPlan) -> CompiledObject:
    """The function running ``plan`` on one object (see the module's docstring)."""
    fields = plan.fields
    names: dict[str, Any] = {
        "F": tuple(fields),
        "A": tuple(f.attribute for f in fields),
        "K": tuple(f.key for f in fields),
        "Path": Path,
        "NEW": tuple.__new__,  # Path(...) without its __new__'s Python frame (a NamedTuple)
        "datetime": datetime,
        "DUMPS": orjson.dumps,
        "UTC": UTC,
        "KEEP_DT": False,  # made local, from the executor, where a leaf reads it
        "JSON_TYPES": _JSON_TYPES,
        "TYPE": plan.object_type.name,
        "ORIGIN": plan.origin,
    }
    body: list[str] = []
    documents: set[str] = set()
    for i, f in enumerate(fields):
        if f.leaf and f.completion.kind == LEAF:
            body += _leaf_code(f, i, names, documents)
        else:
            body += [
                f"v{i} = ex.run_field(F[{i}], source, NEW(Path, (path, K[{i}], TYPE)))",
                f"if is_awaitable(v{i}):",
                f"    pending.append(({i}, v{i}))",
            ]
    result = ", ".join(f"{_key(f.key, i)}: v{i}" for i, f in enumerate(fields))
    lines = [
        "def run(ex, source, path):",
        "    is_awaitable = ex.is_awaitable",
        "    own = source.__dict__ if type(source) is ORIGIN else None"
        if documents
        else "    own = None",
        *_documents(documents),
        *(["    KEEP_DT = ex.datetimes_as_values"] if _has_datetimes(fields) else []),
        "    pending = []",
        "    try:",
        *(f"        {line}" for line in body or ["pass"]),
        "    except Exception:",
        "        if pending:",
        "            ex.settle_in_background([value for _, value in pending])",
        "        raise",
        f"    results = {{{result}}}",
        "    return ex.gather_fields(results, [K[i] for i, _ in pending]) if pending else results",
    ]
    namespace = dict(names)
    exec("\n".join(lines), namespace)  # noqa: S102 - code made above, from indices only
    run: CompiledObject = namespace["run"]
    return run
