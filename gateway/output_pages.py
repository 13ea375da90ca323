"""Pages of a job's text output: lines cut from an upstream's line range, under a byte cap.

AWX answers a line range of a job's output as one text (``content``, each line
ending in ``\\n``). :func:`output_page` splits it into numbered lines and
keeps as many whole lines as fit in the page's byte cap, so one page never
carries more than ``max_bytes`` of text however long the lines are. A single
line longer than the cap is given alone, its text cut at the cap (on a
character boundary), and the page says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
"""ANSI escape sequences (colours, cursor moves): Ansible's coloured output."""


@dataclass(frozen=True, slots=True)
class OutputLine:
    """One line of output: its 0-based index in the whole output, and its text."""

    index: int
    raw: str
    """As the upstream sent it, ANSI escapes included, without its line ending."""
    truncated: bool = False
    """True when the line alone was over the page's byte cap and its text was cut."""

    @property
    def text(self) -> str:
        """Without ANSI escape sequences."""
        return _ANSI.sub("", self.raw)


@dataclass(frozen=True, slots=True)
class OutputPage:
    """The lines of one page, and whether the byte cap cut it short."""

    lines: list[OutputLine]
    cut_short: bool
    """True when lines of the range were left for the next page, or one line's text was cut."""


def split_lines(content: str) -> list[str]:
    """The lines of ``content``, without their ``\\n`` (a ``\\r`` inside a line stays)."""
    if not content:
        return []
    parts = content.split("\n")
    if parts[-1] == "":
        parts.pop()
    return parts


def _size(text: str) -> int:
    """UTF-8 bytes of ``text`` (a lone surrogate, which JSON can carry, counted as 3)."""
    return len(text.encode("utf-8", errors="surrogatepass"))


def _cut_to_bytes(text: str, limit: int) -> str:
    return text.encode("utf-8", errors="surrogatepass")[:limit].decode("utf-8", errors="ignore")


def output_page(content: str, start: int, wanted: int, max_bytes: int) -> OutputPage:
    """At most ``wanted`` lines of ``content`` (starting at line ``start``), ``max_bytes`` in all.

    Bytes count the UTF-8 of each line's raw text plus one for its line ending.
    """
    lines: list[OutputLine] = []
    used = 0
    cut_short = False
    for offset, raw in enumerate(split_lines(content)[:wanted]):
        size = _size(raw) + 1
        if used + size > max_bytes:
            cut_short = True
            if not lines:
                lines.append(OutputLine(start + offset, _cut_to_bytes(raw, max_bytes - 1), True))
            break
        used += size
        lines.append(OutputLine(start + offset, raw))
    return OutputPage(lines, cut_short)
