"""Fields read from the upstream document when first read, not when the object is made.

An object mapped from an upstream document is made with its raw document
only (no dataclass ``__init__`` over every field). Each of its fields is a
*reader*, a function of the object run the first time the field is read (by
GraphQL or by Python code), whose value is then kept on the object. A list
of 200 jobs that selects five fields converts five fields per job; a
timestamp nobody selects is never parsed, a list of steps nobody selects
never built.

Strawberry still sees the class's annotations, so the schema does not
change, and the fields stay *basic* (no resolver): graphql-core reads them
with a plain ``getattr``, its cheapest path. A reader that raises fails its
own field only, as a resolver would.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from strawberry.types.base import get_object_definition
from strawberry.types.private import is_private

T = TypeVar("T")

Reader = Callable[[T], object]


class ReadOnce:
    """A non-data descriptor: runs its reader on first access, then stays out of the way.

    The value is stored in the instance's ``__dict__`` under the field's own
    name, which shadows this (non-data) descriptor: the second read is an
    ordinary attribute lookup.
    """

    __slots__ = ("name", "read")

    def __init__(self, name: str, read: Callable[[Any], object]) -> None:
        self.name = name
        self.read = read

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        if obj is None:
            return self
        value = self.read(obj)
        obj.__dict__[self.name] = value
        return value


class FromKey:
    """The reader of ``convert(obj.<source>.get(key))``: one key of a document the object holds.

    Most fields are read this way; saying so in data (rather than in a
    lambda) lets the execution plans (:mod:`schema.core.plan_compile`) read such
    a field inline, without a call per field.
    """

    __slots__ = ("convert", "key", "source")

    def __init__(self, source: str, convert: Callable[[Any], object], key: str) -> None:
        self.source = source
        self.convert = convert
        self.key = key

    def __call__(self, obj: object) -> object:
        return self.convert(getattr(obj, self.source).get(self.key))


class FromAttribute:
    """The reader of ``obj.<source>.<name>``: one attribute of a value the object holds.

    The ``Job`` interface's fields are read so from a job's facts; saying so
    in data lets the execution plans read them inline, as for :class:`FromKey`.
    """

    __slots__ = ("name", "source")

    def __init__(self, source: str, name: str) -> None:
        self.source = source
        self.name = name

    def __call__(self, obj: object) -> object:
        return getattr(getattr(obj, self.source), self.name)


def from_key(source: str, convert: Callable[[Any], object], key: str) -> FromKey:
    """A reader of ``convert(obj.<source>.get(key))`` (``source``: a ``dict`` attribute)."""
    return FromKey(source, convert, key)


def as_is(value: Any) -> Any:
    """The reader's conversion of a field that gives the upstream's value untouched (``JSON``)."""
    return value


def read_lazily(cls: type[T], given: tuple[str, ...] = (), /, **readers: Reader[T]) -> None:
    """Make each named attribute of ``cls`` a :class:`ReadOnce` of its reader.

    Names other than fields (a private ``_facts``, say) are welcome: they
    are intermediate values several fields share, computed once. ``given``
    names the fields the type's constructor sets itself. Every field of the
    schema type without a resolver must have a reader or be given, checked
    here at import time rather than found as an ``AttributeError`` in a query.
    """
    for name, read in readers.items():
        setattr(cls, name, ReadOnce(name, read))
    definition = get_object_definition(cls, strict=True)
    missing = [
        field.python_name
        for field in definition.fields
        if field.base_resolver is None
        and field.python_name not in given
        and not isinstance(inspect.getattr_static(cls, field.python_name, None), ReadOnce)
        and not is_private(field.type)
    ]
    if missing:
        raise TypeError(f"{cls.__name__} has no reader for {', '.join(missing)}")
