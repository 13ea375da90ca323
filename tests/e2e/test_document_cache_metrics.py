"""The document cache's hits, misses and entries in ``GET /metrics``, over real sockets.

Each request that reaches the cache is counted once, at its first lookup:
a POST the lane's fast path declines goes on to the view, whose fast path and
pipeline look the same text up again without counting it.
"""

from __future__ import annotations

from tests.e2e.conftest import CSRF, GatewayClient
from tests.e2e.metrics_reading import scrape, value

QUERY = "query CacheCounts { workflowJobs(first: 2) { edges { node { awxId } } } }"
OTHER = "query CacheOther { workflowJobs(first: 1) { edges { node { name } } } }"


def _counts(gateway: GatewayClient) -> tuple[float, float, float]:
    samples = scrape(gateway)
    return (
        value(samples, "gateway_document_cache_hits_total"),
        value(samples, "gateway_document_cache_misses_total"),
        value(samples, "gateway_document_cache_entries"),
    )


def test_the_same_post_three_times_is_one_miss_then_two_hits(gateway: GatewayClient) -> None:
    before = _counts(gateway)
    for _ in range(3):
        gateway.data(QUERY)
    after = _counts(gateway)
    assert [a - b for a, b in zip(after, before, strict=True)] == [2, 1, 1]


def test_gets_are_counted_once_per_request_too(gateway: GatewayClient) -> None:
    before = _counts(gateway)
    for _ in range(2):
        response = gateway.http.get("/graphql", params={"query": OTHER}, headers=CSRF)
        assert response.status_code == 200, response.text
        assert "errors" not in response.json()
    after = _counts(gateway)
    assert [a - b for a, b in zip(after, before, strict=True)] == [1, 1, 1]


def test_an_invalid_query_is_kept_and_a_syntax_error_is_not(
    gateway: GatewayClient,
) -> None:
    before = _counts(gateway)
    invalid = "{ noSuchField }"
    for _ in range(2):
        assert gateway.execute(invalid)["errors"]
    assert gateway.execute("{ workflowJobs(")["errors"]
    after = _counts(gateway)
    # the invalid text is kept (its errors too), so its second lookup is a hit
    assert [a - b for a, b in zip(after, before, strict=True)] == [1, 2, 1]
