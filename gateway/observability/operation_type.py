"""An operation's type and name read from its text, without parsing it.

For labels, the request log and the request span only. Parsing the document
would cost far more than they are worth; instead the
top level of the document is scanned token by token (strings, block strings
and comments skipped, braces and parentheses counted) until the chosen
operation's keyword, or a ``{`` selection set (the query shorthand), is
found. A document with a single operation is decided by its first token.
"""

from __future__ import annotations

import re

OPERATION_TYPES = frozenset({"query", "mutation", "subscription"})
SCAN_LIMIT = 100_000
"""Characters scanned at most (``GATEWAY_MAX_QUERY_LENGTH``'s default)."""

_TOKEN = re.compile(
    r'"""(?:\\"""|[^"]|"(?!""))*"""'  # block string
    r'|"(?:\\.|[^"\\\n])*"'  # string
    r"|#[^\n\r]*"  # comment
    r"|[{}()]"
    r"|[_A-Za-z]\w*"
)
_OPEN = frozenset("{(")
OperationHead = tuple[str | None, str | None]
_UNKNOWN: OperationHead = (None, None)
_CLOSE = frozenset("})")


def operation_head(document: str | None, operation_name: str | None) -> OperationHead:
    """``(type, name)`` of the operation ``operation_name`` (or the first one) of ``document``.

    ``(None, None)`` when it cannot be told: no document, or no such operation;
    the name is ``None`` for an anonymous operation.
    """
    if not document:
        return _UNKNOWN
    depth = 0
    keyword: str | None = None  # the top-level keyword whose name comes next
    fragment = False  # inside a fragment definition's head
    for match in _TOKEN.finditer(document, 0, SCAN_LIMIT):
        lexeme = match.group()
        first = lexeme[0]
        if first in _OPEN:
            if depth == 0 and first == "{" and operation_name is None and not fragment:
                return keyword or "query", None  # `query { ... }`, or the shorthand `{ ... }`
            depth += 1
        elif first in _CLOSE:
            depth -= 1
            if depth == 0 and first == "}":
                keyword, fragment = None, False
        elif depth == 0 and first not in '"#':
            if keyword is not None:
                if operation_name is None or lexeme == operation_name:
                    return keyword, lexeme
                keyword = None
            elif lexeme in OPERATION_TYPES:
                keyword = lexeme
            elif lexeme == "fragment":
                fragment = True
    return _UNKNOWN


def operation_type(document: str | None, operation_name: str | None) -> str | None:
    """The type of the operation ``operation_name`` (or the first one) of ``document``."""
    return operation_head(document, operation_name)[0]
