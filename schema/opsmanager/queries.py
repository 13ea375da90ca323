"""The operations manager's root query fields."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.context import Info
from schema.core.filters import list_filter
from schema.core.ids import check_id
from schema.core.pagination import AfterArgument, Connection, FirstArgument
from schema.opsmanager.inputs import OperationsJobFilter
from schema.opsmanager.resolvers import resolve_operations_jobs
from schema.opsmanager.types import OperationsJob


@strawberry.type
class OperationsJobQueries:
    @strawberry.field(description="One operations-manager job by `_id`; null when there is none.")
    async def operations_job(
        self,
        info: Info,
        id: Annotated[
            str,
            strawberry.argument(
                description="The operations manager's `_id` of the job, not a global id; "
                "1..200 characters without spaces."
            ),
        ],
    ) -> OperationsJob | None:
        return await OperationsJob.load(info, check_id(id, "id"))

    @strawberry.field(description="Operations-manager jobs, newest first.")
    async def operations_jobs(
        self,
        info: Info,
        filter: Annotated[
            OperationsJobFilter | None,
            strawberry.argument(
                description="Conditions pushed down into the operations manager's search; "
                "every job when null."
            ),
        ] = None,
        first: FirstArgument = None,
        after: AfterArgument = None,
    ) -> Connection[OperationsJob] | None:
        return await resolve_operations_jobs(info, list_filter(filter), first, after)
