"""Parse and validate each distinct query text once.

Validation was most of the CPU time of a small query, and clients send the
same few texts over and over. :class:`DocumentCache` remembers, per query
text, the parsed document and the errors validation found (none, or the very
same errors, so a repeated invalid query gets an identical answer). It is a
least-recently-used map bounded in entries and in characters of text in all
(a parsed document takes about 120 bytes per character of its text, tokens
and locations included: the default million characters is about 120 MB at
worst), and texts longer than ``max_text_length`` are never kept.

Why not strawberry's ``ParserCache`` and ``ValidationCache``: they cannot
leave out large texts, and ``ValidationCache`` keys on the parsed document,
whose hash walks the whole tree on every request. Syntax errors are not
cached: the parse limits (:mod:`schema.core.limits`) keep failing parses cheap.

:class:`CachedDocuments` is the schema extension that uses one cache; it must
come before the extensions that validate, so a hit skips them.

Hits and misses are counted for ``/metrics`` (plain ints, see
:mod:`gateway.observability.metrics`), once per request: a request may look
its text up more than once (the POST lane's fast path, then the view's fast
path, then the pipeline's :class:`CachedDocuments`), so whoever looked up
first runs the rest inside :func:`already_counted`, and the later lookups of
that text in it are not counted again.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from graphql import DocumentNode, GraphQLError
from strawberry.extensions import SchemaExtension

if TYPE_CHECKING:
    from schema.core.fast_path import PreparedOperation


_counted: ContextVar[str | None] = ContextVar("gateway_document_counted", default=None)
"""The text whose lookup the current request has already counted, if any."""


@contextmanager
def already_counted(text: str) -> Iterator[None]:
    """Lookups of ``text`` within are not counted: this request's first one was."""
    token = _counted.set(text)
    try:
        yield
    finally:
        _counted.reset(token)


@dataclass(frozen=True, slots=True)
class CheckedDocument:
    """A parsed document and the errors its validation found.

    ``operations`` is filled by the fast path (:mod:`schema.core.fast_path`):
    what it learnt of each operation name asked for (``None``: no such operation).
    """

    document: DocumentNode
    errors: tuple[GraphQLError, ...]
    operations: dict[str | None, PreparedOperation | None] = field(
        default_factory=dict, compare=False
    )


class DocumentCache:
    """Least-recently-used checked documents by query text."""

    def __init__(
        self,
        *,
        max_entries: int = 1024,
        max_text_length: int = 20_000,
        max_total_length: int = 1_000_000,
    ) -> None:
        self.max_entries = max_entries
        self.max_text_length = max_text_length
        self.max_total_length = max_total_length
        self._entries: OrderedDict[str, CheckedDocument] = OrderedDict()
        self._total_length = 0
        self.hits = 0
        """Counted lookups that found the text (see :func:`already_counted`)."""
        self.misses = 0
        """Counted lookups that did not find it."""

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, text: str) -> CheckedDocument | None:
        """The checked document of ``text``, if remembered (now the most recent).

        Counts a hit or a miss, unless inside :func:`already_counted` of ``text``.
        """
        entry = self._entries.get(text)
        counted = _counted.get() == text
        if entry is not None:
            self._entries.move_to_end(text)
            if not counted:
                self.hits += 1
        elif not counted:
            self.misses += 1
        return entry

    def put(self, text: str, entry: CheckedDocument) -> None:
        """Remember ``entry`` unless the text is too long; forget the oldest beyond the bounds."""
        if len(text) > min(self.max_text_length, self.max_total_length) or self.max_entries <= 0:
            return
        if text not in self._entries:
            self._total_length += len(text)
        self._entries[text] = entry
        self._entries.move_to_end(text)
        while len(self._entries) > self.max_entries or self._total_length > self.max_total_length:
            oldest, _ = self._entries.popitem(last=False)
            self._total_length -= len(oldest)


class CachedDocuments(SchemaExtension):
    """Serves parsing and validation from a :class:`DocumentCache`, filling it on a miss."""

    def __init__(self, *, cache: DocumentCache) -> None:
        self.cache = cache
        self.hit: CheckedDocument | None = None

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query is not None and context.graphql_document is None:
            self.hit = self.cache.get(context.query)
            if self.hit is not None:
                context.graphql_document = self.hit.document
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if self.hit is not None:
            context.pre_execution_errors = list(self.hit.errors)
        yield
        if self.hit is None and context.query is not None and context.graphql_document:
            errors = tuple(context.pre_execution_errors or ())
            self.cache.put(context.query, CheckedDocument(context.graphql_document, errors))
