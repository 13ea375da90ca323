"""A job's output in the graph: ``stdout(first, after)``, a paged connection of text lines.

Each page is one ``GET .../stdout/?format=json&start_line=&end_line=`` to AWX
(through ``OutputRangeLoader``): only the lines of the page cross the wire,
never the whole output. A page holds at most ``GATEWAY_OUTPUT_MAX_LINES``
lines and ``GATEWAY_OUTPUT_MAX_BYTES`` bytes of text.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.context import Info
from gateway.errors import BadUserInput
from gateway.output_pages import output_page
from schema.core.pagination import PageInfo, decode_offset_cursor, encode_offset_cursor

DEFAULT_OUTPUT_LINES = 100

OutputFirstArgument = Annotated[
    int | None,
    strawberry.argument(
        description=f"How many lines the page holds at most: 0 to GATEWAY_OUTPUT_MAX_LINES "
        f"(1000 unless configured); {DEFAULT_OUTPUT_LINES} when null. Beyond: a "
        "BAD_USER_INPUT error. The page may hold fewer when GATEWAY_OUTPUT_MAX_BYTES is "
        "reached first (see `cutShort`)."
    ),
]
OutputAfterArgument = Annotated[
    str | None,
    strawberry.argument(
        description="Continue after this line: an edge's `cursor` or `pageInfo.endCursor` "
        "of the same output; null for the first line. A foreign cursor, or one past the "
        "output's last line: a BAD_USER_INPUT error."
    ),
]


@strawberry.type(description="One line of a job's output.")
class OutputLine:
    number: int = strawberry.field(description="The line's number in the whole output, from 1.")
    text: str = strawberry.field(
        description="The line without its line ending and without ANSI colour codes."
    )
    ansi_text: str = strawberry.field(
        description="The line as AWX sent it, ANSI colour codes included (for a terminal-style "
        "viewer), without its line ending."
    )
    truncated: bool = strawberry.field(
        description="True when this line alone was longer than GATEWAY_OUTPUT_MAX_BYTES: its "
        "text was cut there (the page then holds this line only)."
    )


@strawberry.type(description="A line of output, with its cursor.")
class OutputLineEdge:
    cursor: str = strawberry.field(
        description="Opaque; pass it as `after` to continue after this line."
    )
    node: OutputLine = strawberry.field(description="The line.")


@strawberry.type(
    description="A page of a job's output (stdout), line by line, in order. AWX sends only the "
    "lines of the page, so a large output costs one small request per page."
)
class OutputLineConnection:
    edges: list[OutputLineEdge] = strawberry.field(description="The page's lines, in order.")
    page_info: PageInfo = strawberry.field(
        description="Where the page is in the output; `hasNextPage` is false at the last line "
        "AWX has so far (a running job's output grows: ask again later with `endCursor`)."
    )
    total_count: int | None = strawberry.field(
        description="How many lines the output has so far (AWX's `range.absolute_end`). Null "
        "when AWX refused to serve the output (see `notice`)."
    )
    cut_short: bool = strawberry.field(
        description="True when GATEWAY_OUTPUT_MAX_BYTES ended the page before `first` lines: "
        "the rest follows from `endCursor`."
    )
    notice: str | None = strawberry.field(
        description="AWX's own message when it will not serve this output, e.g. `Standard "
        "Output too large to display (N bytes), only download supported for sizes over M "
        "bytes.` (AWX's STDOUT_MAX_BYTES_DISPLAY); the page is then empty. Null otherwise."
    )


async def resolve_output(
    info: Info, job_type: str, awx_id: int, first: int | None, after: str | None
) -> OutputLineConnection:
    """One page of a job's output, read from AWX as a line range."""
    settings = info.context.settings
    size = DEFAULT_OUTPUT_LINES if first is None else first
    if size < 0 or size > settings.output_max_lines:
        raise BadUserInput(
            f"`first` must be between 0 and {settings.output_max_lines}, got {size}",
            argument="first",
        )
    start = 0 if after is None else decode_offset_cursor(after) + 1
    loader = info.context.loaders.output_range
    answer = await loader.load((job_type, awx_id, start, start + size))
    if answer.refusal is not None:
        return OutputLineConnection(
            edges=[],
            page_info=PageInfo(
                has_next_page=False,
                has_previous_page=start > 0,
                start_cursor=None,
                end_cursor=None,
            ),
            total_count=None,
            cut_short=False,
            notice=answer.refusal,
        )
    if start > answer.absolute_end:
        raise BadUserInput(
            f"`after` is past the end of the output ({answer.absolute_end} lines)",
            argument="after",
        )
    page = output_page(answer.content, start, size, settings.output_max_bytes)
    edges = [
        OutputLineEdge(
            cursor=encode_offset_cursor(line.index),
            node=OutputLine(
                number=line.index + 1, text=line.text, ansi_text=line.raw, truncated=line.truncated
            ),
        )
        for line in page.lines
    ]
    return OutputLineConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=start + len(edges) < answer.absolute_end,
            has_previous_page=start > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=answer.absolute_end,
        cut_short=page.cut_short,
        notice=None,
    )
