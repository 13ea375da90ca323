"""The response cache in strawberry's pipeline: for a text run for the first time.

A checked text runs on the fast path (:mod:`schema.core.fast_path`), which
uses the response cache itself. A text this process has not checked yet goes
through the pipeline; this extension, placed after demand control (so a cost
refusal or a dry run is never cached nor served from the cache), looks its
answer up once the document is parsed and validated, and stores it after, so
that another replica's answer is served here too, and this answer there.
It is in the schema only when ``GATEWAY_CACHE_TTL`` > 0.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from graphql import ExecutionResult
from strawberry.extensions import SchemaExtension

from gateway.response_cache.cache import ResponseCache
from schema.core.demand_control import is_dry_run
from schema.core.partial_errors import partial_errors_reported

if TYPE_CHECKING:
    from gateway.response_cache.cache import Ticket


class ResponseCaching(SchemaExtension):
    """Serves a cacheable query from the schema's ``response_cache``, stores its answer."""

    def __init__(self) -> None:
        self.hit: Ticket | None = None

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        cache = getattr(context.schema, "response_cache", None)
        plan = None
        if (
            cache is not None
            and context.result is None
            and context.graphql_document is not None
            and not is_dry_run(context.context)
        ):
            plan = cache.plan(context.graphql_document, context.operation_name)
        if cache is None or plan is None:
            yield
            return
        if plan.mutation:
            try:
                yield
            finally:
                await cache.mutated(plan)
            return
        ticket = await cache.lookup(plan, context.variables, context.context)
        if ticket.hit:
            context.result = ExecutionResult(data=ticket.data)
            self.hit = ticket
            yield
            return
        yield
        result = context.result
        if result is not None:
            has_errors = bool(result.errors) or partial_errors_reported()
            await cache.keep(plan, ticket, result.data, has_errors)

    def get_results(self) -> dict[str, Any]:
        if self.hit is None:
            return {}
        return ResponseCache.hit_extensions(self.hit)
