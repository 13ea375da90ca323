"""The domain's enums, registered with Strawberry as they are (:mod:`gateway.states`)."""

from __future__ import annotations

import strawberry

from gateway.states import JobSource, JobState

strawberry.enum(JobSource, description="The system a job lives in.")
strawberry.enum(JobState, description="A job's state, normalised across the three systems.")

__all__ = ["JobSource", "JobState"]
