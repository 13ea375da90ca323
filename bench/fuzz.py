"""A bounded schemathesis run over the GraphQL graph: no answer may be a server error.

Starts the sandbox upstreams and a gateway as real processes
(:mod:`bench.processes`), loads the schema by introspection with
schemathesis, and sends ``--max-examples`` generated operations for each
root field (queries and mutations; mutations reach the sandbox only). An
answer is a server error when its status is 500 or more, or when it holds an
error with code ``INTERNAL_SERVER_ERROR``; the totals, per field and in all,
are printed. schemathesis is an optional extra (``pip install -e '.[fuzz]'``),
not a dev dependency: the test run does not need it.
Run: `python -m bench.fuzz [--max-examples 50] [--seed 0]`.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bench.processes import running_stack


@dataclass
class Tally:
    """Answers of one root field."""

    sent: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    server_errors: int = 0
    first_server_error: str | None = None
    first_unexpected: dict[str, str] = field(default_factory=dict)
    """The first operation answered with each code outside :data:`REFUSALS`."""


REFUSALS = frozenset({"BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED", "COST_LIMIT_EXCEEDED"})
"""Codes of the gateway refusing bad input: what fuzzing is expected to meet."""


def error_codes(body: Any) -> list[str]:
    """The ``extensions.code`` of each error of a GraphQL answer."""
    if not isinstance(body, dict) or not isinstance(body.get("errors"), list):
        return []
    codes = []
    for error in body["errors"]:
        extensions = error.get("extensions") if isinstance(error, dict) else None
        code = extensions.get("code") if isinstance(extensions, dict) else None
        codes.append(str(code))
    return codes


def fuzz_field(operation: Any, max_examples: int, seed: int) -> Tally:
    """Send up to ``max_examples`` generated operations of one root field."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as fixed_seed

    tally = Tally()

    @fixed_seed(seed)
    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def send(case: Any) -> None:
        response = case.call(timeout=30)
        tally.sent += 1
        tally.statuses[response.status_code] += 1
        try:
            body = response.json()
        except ValueError:
            body = None
        codes = error_codes(body)
        tally.codes.update(codes)
        for code in set(codes) - REFUSALS - tally.first_unexpected.keys():
            tally.first_unexpected[code] = json.dumps({"query": case.body, "answer": body})[:2000]
        if response.status_code >= 500 or "INTERNAL_SERVER_ERROR" in codes:
            tally.server_errors += 1
            if tally.first_server_error is None:
                tally.first_server_error = json.dumps(
                    {"query": case.body, "status": response.status_code, "answer": body}
                )[:2000]

    send()
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-examples", type=int, default=50, help="per root field")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    import schemathesis.graphql

    started = time.monotonic()
    tallies: dict[str, Tally] = {}
    with running_stack() as stack:
        schema = schemathesis.graphql.from_url(f"{stack.gateway}/graphql")
        for result in schema.get_all_operations():
            operation = result.ok()
            tallies[operation.label] = fuzz_field(operation, args.max_examples, args.seed)
    print(f"{'root field':45} {'sent':>5} {'5xx/INTERNAL':>12}  statuses; error codes")
    for label, tally in sorted(tallies.items()):
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(tally.statuses.items()))
        codes = ", ".join(f"{c}: {n}" for c, n in tally.codes.most_common())
        print(f"{label:45} {tally.sent:>5} {tally.server_errors:>12}  {statuses}; {codes}")
    sent = sum(t.sent for t in tallies.values())
    server_errors = sum(t.server_errors for t in tallies.values())
    elapsed = time.monotonic() - started
    print(
        f"total: {len(tallies)} root fields, {sent} requests, {server_errors} server errors"
        f" (status >= 500 or INTERNAL_SERVER_ERROR), {elapsed:.0f} s"
    )
    for label, tally in sorted(tallies.items()):
        if tally.first_server_error:
            print(f"first server error of {label}: {tally.first_server_error}")
        for code, example in sorted(tally.first_unexpected.items()):
            print(f"first {code} of {label}: {example}")


if __name__ == "__main__":
    main()
