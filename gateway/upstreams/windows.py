"""What a client answers for a stretch of one of its lists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ListWindow:
    """Documents of a list, in the list's order, with the upstream's total where it gives one."""

    docs: list[dict[str, Any]]
    total: int | None
