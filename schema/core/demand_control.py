"""Demand control: every operation is costed before it runs (:mod:`schema.core.cost`).

- over ``GATEWAY_MAX_COST`` it is refused, unexecuted, with
  ``COST_LIMIT_EXCEEDED`` stating the cost and the limit;
- every executed answer carries ``extensions.cost {estimated, maximum}``;
- a request with the header ``X-Cost-Dry-Run: true`` gets only that, and
  nothing runs (mutations included).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension

from schema.core.cost import operation_cost

DRY_RUN_HEADER = "x-cost-dry-run"


def is_dry_run(context: object) -> bool:
    """Whether the request behind ``context`` asks for the cost only (``X-Cost-Dry-Run``)."""
    request = getattr(context, "request", None)
    headers = getattr(request, "headers", None)
    value = headers.get(DRY_RUN_HEADER) if headers is not None else None
    return isinstance(value, str) and value.strip().lower() in {"1", "true", "yes"}


def cost_results(cost: int, max_cost: int) -> dict[str, Any]:
    """The answer's ``extensions`` entry for a costed operation."""
    return {"cost": {"estimated": cost, "maximum": max_cost}}


class DemandControl(SchemaExtension):
    """Cost the operation; refuse it over the limit; report the cost."""

    def __init__(self, *, max_cost: int) -> None:
        self.max_cost = max_cost
        self.cost: int | None = None

    def _dry_run(self) -> bool:
        return is_dry_run(self.execution_context.context)

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None:
            self.cost = operation_cost(
                self.execution_context.schema._schema,
                document,
                context.operation_name,
                context.variables,
            )
            if self.cost > self.max_cost:
                context.result = ExecutionResult(
                    data=None,
                    errors=[
                        GraphQLError(
                            f"the operation's estimated cost is {self.cost}, over the limit "
                            f"of {self.max_cost} (GATEWAY_MAX_COST): ask for fewer objects "
                            "or smaller pages",
                            extensions={
                                "code": "COST_LIMIT_EXCEEDED",
                                "cost": self.cost,
                                "limit": self.max_cost,
                            },
                        )
                    ],
                )
            elif self._dry_run():
                context.result = ExecutionResult(data=None)
        yield

    def get_results(self) -> dict[str, Any]:
        if self.cost is None:
            return {}
        return cost_results(self.cost, self.max_cost)
