"""Caveats of a cross-system answer: why it may not be the whole truth."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from gateway.errors import UpstreamError
from gateway.states import JobSource


class JobWarningCode(Enum):
    """Why an answer of the cross-system view is not the whole truth."""

    SCAN_LIMITED = "SCAN_LIMITED"
    SORTED_AT_GATEWAY = "SORTED_AT_GATEWAY"
    SOURCE_FAILED = "SOURCE_FAILED"


@dataclass(frozen=True, slots=True)
class JobWarning:
    """A caveat of a cross-system answer, for one source."""

    source: JobSource
    code: JobWarningCode
    message: str


def failure_warning(source: JobSource, error: UpstreamError) -> JobWarning:
    """The warning that a source is missing from the answer because its upstream failed."""
    return JobWarning(
        source=source,
        code=JobWarningCode.SOURCE_FAILED,
        message=f"{error.message}; this source is missing from the answer",
    )
