"""Scalars of the graph.

``DateTime`` is Strawberry's built-in ISO 8601 scalar for ``datetime``.
``JSON`` is Strawberry's JSON scalar; for the type checker it is ``Any``,
because it carries raw upstream values of any shape.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    JSON = Any
else:
    from strawberry.scalars import JSON

__all__ = ["JSON"]
