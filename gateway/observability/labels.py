"""Label values with bounded cardinality, and request ids.

Prometheus keeps one time series per distinct label set, so every label the
gateway derives from input (an upstream path, an operation name a client
chose) is reduced to a bounded set here.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

ID_SEGMENT = "{id}"
OTHER = "other"
ANONYMOUS = "anonymous"

_ID_LIKE = re.compile(
    r"\d+"  # AWX ids
    r"|[0-9a-fA-F]{12,}"  # ObjectIds, hex digests
    r"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"  # UUIDs
)
_STATIC_SEGMENT = re.compile(r"[a-z][a-z_-]{0,39}|v\d{1,2}")
_OPERATION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def route_template(path: str) -> str:
    """A path with its id-like segments replaced by ``{id}``.

    ``/api/v2/job_templates/7/launch/`` becomes
    ``/api/v2/job_templates/{id}/launch/``. A segment that is neither id-like
    nor a plain lower-case word (a free-form key someone typed) also becomes
    ``{id}``: callers with routes that take free-form keys pass their template
    explicitly, this is the fallback.
    """
    segments = path.split("/")
    for i, segment in enumerate(segments):
        if _placeholder(segment):
            continue
        if segment and (_ID_LIKE.fullmatch(segment) or not _STATIC_SEGMENT.fullmatch(segment)):
            segments[i] = ID_SEGMENT
    return "/".join(segments)


def _placeholder(segment: str) -> bool:
    """``{name}``: already a template's placeholder (a sent path has its braces quoted)."""
    return len(segment) > 2 and segment[0] == "{" and segment[-1] == "}"


class BoundedLabels:
    """Remembers at most ``limit`` distinct values; later new ones map to ``other``.

    ``clean`` turns a raw value into a label value (or ``None`` for one that
    is not acceptable, which maps to ``other`` too).
    """

    def __init__(self, limit: int, clean: Callable[[str], str | None]) -> None:
        self.limit = limit
        self.clean = clean
        self._known: dict[str, str] = {}

    def __call__(self, raw: str) -> str:
        known = self._known.get(raw)
        if known is not None:
            return known
        value = self.clean(raw)
        if value is None or len(self._known) >= self.limit:
            return OTHER
        self._known[raw] = value
        return value


def operation_label(raw: str) -> str | None:
    """A GraphQL operation name as a label value; ``None`` when it is not a plain name."""
    return raw if _OPERATION_NAME.fullmatch(raw) else None


def operation_names(limit: int = 200) -> BoundedLabels:
    """Operation names: plain GraphQL names up to 64 characters, ``limit`` distinct."""
    return BoundedLabels(limit, operation_label)


def incoming_request_id(header: str | None) -> str | None:
    """The caller's ``X-Request-ID`` when it is sane (1-128 of ``A-Za-z0-9._:-``)."""
    if header is not None and _REQUEST_ID.fullmatch(header):
        return header
    return None


def new_request_id() -> str:
    """A fresh request id (32 hex digits)."""
    return uuid.uuid4().hex
