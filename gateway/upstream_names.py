"""The names of the three upstreams, as used in settings, errors and logs."""

from __future__ import annotations

from enum import StrEnum


class Upstream(StrEnum):
    """One of the three systems behind the gateway."""

    JOBSTORE = "jobstore"
    OPSMANAGER = "opsmanager"
    AWX = "awx"
