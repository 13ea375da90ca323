"""Fast JSON responses for the sandbox upstreams."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response


class JSONBody(Response):
    """A JSON response serialised with orjson (the sandbox answers big lists)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)

    @staticmethod
    def parse(body: bytes) -> Any:
        """Parse a JSON request body; ``ValueError`` when it is not JSON."""
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise ValueError(f"invalid JSON: {exc}") from None
