"""Limits on the shape of a GraphQL document, checked in time linear in its size.

Two stages, both before anything runs:

- **length** (:func:`length_error`): a query text longer than ``max_length``
  characters is refused from its length alone, before it is lexed or parsed
  (before it is hashed, on the fast path), with ``GRAPHQL_PARSE_FAILED`` and
  no ``locations``: graphql-core's own refusal of a long source computes a
  line and column by scanning the text (about 9 ms at the 100,000-character
  mark), and each copy of the error scanned again;
- **parsing** (:meth:`QueryLimits.parse_options`): graphql-core stops parsing
  after ``max_tokens`` tokens; the refusal is a syntax error
  (``GRAPHQL_PARSE_FAILED``);
- **validation** (:func:`document_limit_errors`): one pass over the document measures
  depth, aliases, root fields and directives, with each fragment measured
  once and its figures reused at every spread, so a fragment spread twice at
  each of 30 levels costs 30 measurements, not 2**30. Over a limit, the
  document gets ``GRAPHQL_VALIDATION_FAILED`` naming the limit and the rest of
  validation is skipped (see :class:`EnforceQueryLimits`), because some
  standard rules are themselves superlinear on such documents (thousands of
  aliases make field-merging checks quadratic).

Figures count what execution would expand: a field inside a fragment spread
twice counts twice. Fragment cycles count once (the standard rules refuse
them); unknown fragments count nothing (``KnownFragmentNames`` names them).
The walks use explicit stacks, so no document can exhaust Python's recursion
limit here. Introspection fields (``__schema``, ``__type``) do not add depth,
as with strawberry's ``QueryDepthLimiter`` that this replaces.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)
from strawberry.extensions import SchemaExtension

LIMIT_CODE = "GRAPHQL_VALIDATION_FAILED"
LENGTH_CODE = "GRAPHQL_PARSE_FAILED"
_UNCOUNTED = -(10**9)
"""Nesting given to what is under an introspection field: nothing there reaches depth 0."""


@dataclass(frozen=True, slots=True)
class QueryLimits:
    """The largest document the gateway accepts; each figure names its setting."""

    max_depth: int = 12
    """Fields nested inside one another (``GATEWAY_MAX_QUERY_DEPTH``)."""
    max_aliases: int = 50
    """Aliased fields, fragments expanded (``GATEWAY_MAX_ALIASES``)."""
    max_root_fields: int = 20
    """Top-level fields of one operation, fragments expanded (``GATEWAY_MAX_ROOT_FIELDS``)."""
    max_directives: int = 50
    """Directive uses written in the document (``GATEWAY_MAX_DIRECTIVES``)."""
    max_tokens: int = 10_000
    """Lexical tokens of the query text (``GATEWAY_MAX_QUERY_TOKENS``)."""
    max_length: int = 100_000
    """Characters of the query text (``GATEWAY_MAX_QUERY_LENGTH``)."""

    def parse_options(self) -> dict[str, Any]:
        """Keyword arguments for graphql-core's ``parse`` enforcing the text limits."""
        return {"max_lexical_tokens": self.max_tokens, "max_source_length": self.max_length}


def length_error(query: str, limits: QueryLimits) -> GraphQLError | None:
    """The refusal of a query text over ``max_length`` characters, or ``None``.

    Made from the length alone: no source, no position, so nothing scans the text.
    """
    if len(query) <= limits.max_length:
        return None
    return GraphQLError(
        f"Syntax Error: the query text has {len(query)} characters, over the limit of "
        f"{limits.max_length}.",
        extensions={
            "code": LENGTH_CODE,
            "limit": "GATEWAY_MAX_QUERY_LENGTH",
            "maximum": limits.max_length,
        },
    )


def _stand_in(operation_name: str | None) -> DocumentNode:
    """A document standing for a refused text, so strawberry's pipeline skips parsing it.

    It holds one query named as asked, so the operation strawberry looks up exists.
    """
    selection = SelectionSetNode(selections=(FieldNode(name=NameNode(value="__typename")),))
    operation = OperationDefinitionNode(
        operation=OperationType.QUERY,
        name=NameNode(value=operation_name) if operation_name else None,
        selection_set=selection,
    )
    return DocumentNode(definitions=(operation,))


@dataclass(slots=True)
class _Figures:
    """What one selection set (with its fragments expanded) amounts to."""

    depth: int = 0
    aliases: int = 0
    top_fields: int = 0
    spreads: list[tuple[str, int, bool]] = field(default_factory=list)
    """Fragment spreads inside: (name, fields enclosing the spread, at the top level)."""


def _measure(selection_set: SelectionSetNode) -> _Figures:
    """Own figures of a selection set, not following spreads (iterative)."""
    figures = _Figures()
    stack: list[tuple[SelectionSetNode, int, bool]] = [(selection_set, 0, True)]
    while stack:
        current, enclosing, top = stack.pop()
        for selection in current.selections:
            if isinstance(selection, FieldNode):
                if selection.alias is not None:
                    figures.aliases += 1
                if top:
                    figures.top_fields += 1
                if selection.selection_set is not None and not selection.name.value.startswith(
                    "__"
                ):
                    figures.depth = max(figures.depth, enclosing + 1)
                    stack.append((selection.selection_set, enclosing + 1, False))
                elif selection.selection_set is not None:
                    # introspection: its aliases count, its depth does not
                    stack.append((selection.selection_set, _UNCOUNTED, False))
            elif isinstance(selection, InlineFragmentNode):
                stack.append((selection.selection_set, enclosing, top))
            elif isinstance(selection, FragmentSpreadNode):
                figures.spreads.append((selection.name.value, enclosing, top))
    return figures


def _expanded(
    figures: _Figures, fragments: dict[str, FragmentDefinitionNode]
) -> tuple[int, int, int]:
    """(depth, aliases, top-level fields) of a selection set with its fragments expanded.

    Each fragment's own figures are measured once; an explicit post-order walk
    combines them, so the work is linear in the document.
    """
    own: dict[str, _Figures] = {}
    done: dict[str, tuple[int, int, int]] = {}
    on_path: set[str] = set()

    def own_figures(name: str) -> _Figures | None:
        if name not in own:
            fragment = fragments.get(name)
            if fragment is None:
                return None
            own[name] = _measure(fragment.selection_set)
        return own[name]

    def combine(base: _Figures) -> tuple[int, int, int]:
        depth, aliases, top = max(base.depth, 0), base.aliases, base.top_fields
        for name, enclosing, at_top in base.spreads:
            if name not in done:
                continue  # unknown fragment, or a cycle back onto the path
            sub_depth, sub_aliases, sub_top = done[name]
            if enclosing >= 0:
                depth = max(depth, enclosing + sub_depth)
            aliases += sub_aliases
            if at_top:
                top += sub_top
        return depth, aliases, top

    def children(base: _Figures) -> Iterator[str]:
        for name, _, _ in base.spreads:
            if name not in done and name not in on_path and own_figures(name) is not None:
                yield name

    for root_name, _, _ in figures.spreads:
        if root_name in done or own_figures(root_name) is None:
            continue
        on_path.add(root_name)
        stack: list[tuple[str, Iterator[str]]] = [(root_name, children(own[root_name]))]
        while stack:
            name, pending = stack[-1]
            child = next(pending, None)
            if child is not None:
                if child not in done and child not in on_path:
                    on_path.add(child)
                    stack.append((child, children(own[child])))
                continue
            stack.pop()
            on_path.discard(name)
            done[name] = combine(own[name])
    return combine(figures)


def _directive_count(document: DocumentNode) -> int:
    """Directive uses written anywhere in the document (iterative)."""
    count = 0
    stack: list[Any] = list(document.definitions)
    while stack:
        node = stack.pop()
        directives = getattr(node, "directives", None)
        if directives:
            count += len(directives)
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)
    return count


def document_limit_errors(document: DocumentNode, limits: QueryLimits) -> list[GraphQLError]:
    """The limits a document exceeds, as coded errors (empty when within all)."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    errors: list[GraphQLError] = []

    def refuse(message: str, node: Any, setting: str, maximum: int) -> None:
        errors.append(
            GraphQLError(
                message,
                nodes=[node],
                extensions={"code": LIMIT_CODE, "limit": setting, "maximum": maximum},
            )
        )

    aliases = 0
    for operation in document.definitions:
        if not isinstance(operation, OperationDefinitionNode):
            continue
        name = operation.name.value if operation.name else "anonymous"
        depth, op_aliases, root_fields = _expanded(_measure(operation.selection_set), fragments)
        aliases += op_aliases
        if depth > limits.max_depth:
            refuse(
                f"'{name}' exceeds maximum operation depth of {limits.max_depth}",
                operation,
                "GATEWAY_MAX_QUERY_DEPTH",
                limits.max_depth,
            )
        if root_fields > limits.max_root_fields:
            refuse(
                f"'{name}' selects {root_fields} top-level fields, over the limit of "
                f"{limits.max_root_fields}",
                operation,
                "GATEWAY_MAX_ROOT_FIELDS",
                limits.max_root_fields,
            )
    if aliases > limits.max_aliases:
        refuse(
            f"{aliases} aliases found, over the limit of {limits.max_aliases}",
            document,
            "GATEWAY_MAX_ALIASES",
            limits.max_aliases,
        )
    directives = _directive_count(document)
    if directives > limits.max_directives:
        refuse(
            f"{directives} directives found, over the limit of {limits.max_directives}",
            document,
            "GATEWAY_MAX_DIRECTIVES",
            limits.max_directives,
        )
    return errors


class EnforceQueryLimits(SchemaExtension):
    """Applies :class:`QueryLimits` to every operation, on every transport.

    A text over the length limit is never parsed: a stand-in document takes its
    place and validation answers :func:`length_error`, so the refusal goes through
    every other extension (observation, ``requestId``) as any refusal does.
    The parse options go on each operation; :func:`document_limit_errors` runs
    before the standard validation, which is skipped for a document over a
    limit. It is a plain function rather than a graphql-core ``ValidationRule``
    because graphql-core's ``validate`` walks the whole document with type
    information for any rule, even one that stops at once (13 times the
    work, measured on 95,000 fields), and cannot skip the other rules.
    """

    def __init__(self, *, limits: QueryLimits) -> None:
        self.limits = limits
        self.refusal: GraphQLError | None = None

    def on_operation(self) -> Iterator[None]:
        # strawberry passes these to graphql-core's parse; its TypedDict knows only max_tokens
        options = cast("dict[str, Any]", self.execution_context.parse_options)
        options.update(self.limits.parse_options())
        yield

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query is not None:
            self.refusal = length_error(context.query, self.limits)
            if self.refusal is not None:
                context.graphql_document = _stand_in(context.operation_name)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if self.refusal is not None:
            context.pre_execution_errors = [self.refusal]
        elif context.pre_execution_errors is None and context.graphql_document is not None:
            errors = document_limit_errors(context.graphql_document, self.limits)
            if errors:
                context.pre_execution_errors = errors
        yield
