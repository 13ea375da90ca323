"""Documents and values that tell a test what the gateway read from them."""

from __future__ import annotations

from typing import Any


class Tripwire(str):
    """A string that fails whoever tries to read it as a timestamp (``coerce.timestamp``)."""

    __slots__ = ()

    def strip(self, chars: str | None = None) -> str:
        raise AssertionError(f"{self!r} was converted")


class CountingDoc(dict[str, Any]):
    """A document that counts the reads of each key through ``get``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reads: dict[str, int] = {}

    def get(self, key: str, default: Any = None) -> Any:
        self.reads[key] = self.reads.get(key, 0) + 1
        return super().get(key, default)
