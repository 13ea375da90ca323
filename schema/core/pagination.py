"""Relay connections, cursors and page-size rules shared by every list."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

import strawberry

from gateway.errors import BadUserInput
from gateway.input_checks import MAX_OFFSET, ascii_decimal

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 20

FirstArgument = Annotated[
    int | None,
    strawberry.argument(
        description="How many items the page holds at most: 0 to GATEWAY_MAX_PAGE_SIZE (200 "
        f"unless configured); {DEFAULT_PAGE_SIZE} when null. Beyond: a BAD_USER_INPUT error."
    ),
]
"""The ``first`` argument of a list."""
AfterArgument = Annotated[
    str | None,
    strawberry.argument(
        description="Continue after this cursor: an edge's `cursor` or `pageInfo.endCursor` "
        "of the same list; null for the first page. A foreign cursor: a BAD_USER_INPUT error."
    ),
]
"""The ``after`` argument of a list."""


@strawberry.type(description="Relay page information.")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="True when more items follow this page: ask again with `after: endCursor`."
    )
    has_previous_page: bool = strawberry.field(
        description="True when the page does not start the list (an `after` was given)."
    )
    start_cursor: str | None = strawberry.field(
        description="The cursor of the page's first item; null for an empty page."
    )
    end_cursor: str | None = strawberry.field(
        description="The cursor of the page's last item, to pass as `after` for "
        "the next page; null for an empty page (except on `jobs`, "
        "see `JobConnection.pageInfo`)."
    )


@strawberry.type(description="An item of a connection, with its cursor.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(
        description="Opaque; pass it as `after` to continue after this item."
    )
    node: T = strawberry.field(description="The item.")


@strawberry.type(description="A page of a list, Relay style.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(
        description="The page's items, in the list's order (newest first)."
    )
    page_info: PageInfo = strawberry.field(
        description="Where the page is in the list, and the cursor to continue from."
    )
    total_count: int | None = strawberry.field(
        description="How many items the whole list has, where the upstream knows it (null for "
        "the jobs store, which gives no total)."
    )


_MAX_CURSOR_LENGTH = 64


def encode_offset_cursor(offset: int) -> str:
    """An opaque cursor for a position in an offset-paged list."""
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode("ascii")


def decode_offset_cursor(cursor: str) -> int:
    """The position after which the next page starts; ``BadUserInput`` for a foreign cursor.

    Only a cursor this module encoded is accepted (padding aside): its offset
    is a canonical ASCII decimal of at most :data:`~gateway.input_checks.MAX_OFFSET`.
    """
    bad = BadUserInput("`after` is not a cursor of this list", argument="after")
    if len(cursor) > _MAX_CURSOR_LENGTH:
        raise bad
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise bad from None
    kind, _, value = raw.partition(":")
    offset = ascii_decimal(value, maximum=MAX_OFFSET) if kind == "offset" else None
    if offset is None or encode_offset_cursor(offset).rstrip("=") != cursor.rstrip("="):
        raise bad
    return offset


@dataclass(frozen=True, slots=True)
class Window:
    """Which items a page asks for: ``first`` items starting at ``skip``."""

    skip: int
    first: int


def page_window(first: int | None, after: str | None, max_page_size: int) -> Window:
    """Validate ``first``/``after`` and turn them into a window."""
    size = DEFAULT_PAGE_SIZE if first is None else first
    if size < 0 or size > max_page_size:
        raise BadUserInput(
            f"`first` must be between 0 and {max_page_size}, got {size}", argument="first"
        )
    skip = 0 if after is None else decode_offset_cursor(after) + 1
    return Window(skip=skip, first=size)


def offset_connection(
    items: Sequence[T], window: Window, *, has_next: bool, total: int | None
) -> Connection[T]:
    """A connection over ``items``, which start at ``window.skip``."""
    edges = [
        Edge(cursor=encode_offset_cursor(window.skip + i), node=item)
        for i, item in enumerate(items)
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=window.skip > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=total,
    )


def counted_connection(items: Sequence[T], window: Window, total: int | None) -> Connection[T]:
    """A connection over a window of a list whose upstream gives its total."""
    has_next = total is not None and window.skip + len(items) < total
    return offset_connection(items, window, has_next=has_next, total=total)
