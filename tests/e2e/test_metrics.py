"""``GET /metrics`` over real sockets: exact counts after known queries."""

from __future__ import annotations

import threading

from sandbox.server import SandboxThread
from tests.e2e.conftest import GatewayClient, GatewayFactory, set_faults
from tests.e2e.metrics_reading import scrape, total, value

WORKFLOW_JOBS = "query Recent { workflowJobs(first: 5) { edges { node { awxId name } } } }"
WITH_TEMPLATES = (
    "query WithTemplates { workflowJobs(first: 5) "
    "{ edges { node { name jobTemplate { name } } } } }"
)


def test_one_query_counts_one_request_and_one_upstream_call_under_its_route_template(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    before = scrape(gateway)
    gateway.data(WORKFLOW_JOBS)
    after = scrape(gateway)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("gateway_graphql_requests_total", operation="Recent", outcome="ok") == 1
    assert (
        delta("gateway_graphql_request_duration_seconds_count", operation="Recent", outcome="ok")
        == 1
    )
    route = {"upstream": "awx", "method": "GET", "route": "/api/v2/workflow_jobs/"}
    assert delta("gateway_upstream_requests_total", **route, outcome="2xx") == 1
    assert (
        total(after, "gateway_upstream_requests_total")
        - total(before, "gateway_upstream_requests_total")
        == 1
    )
    assert (
        delta(
            "gateway_upstream_request_duration_seconds_count",
            upstream="awx",
            route="/api/v2/workflow_jobs/",
        )
        == 1
    )
    # Scrapes are not GraphQL requests.
    assert total(after, "gateway_graphql_requests_total") == 1
    assert value(after, "gateway_graphql_requests_in_flight") == 0


def test_ids_never_reach_a_route_label(sandbox: SandboxThread, gateway: GatewayClient) -> None:
    jobs = gateway.data("{ flowJobs(first: 3) { edges { node { jobId } } } }")["flowJobs"]
    ids = [e["node"]["jobId"] for e in jobs["edges"]]
    query = "query One($id: String!) { flowJob(jobId: $id) { jobId } }"
    for job_id in ids:
        gateway.data(query, {"id": job_id})
    gateway.data(query, {"id": "no-such-job_424242"})
    samples = scrape(gateway)
    routes = {
        dict(labels)["route"]
        for (name, labels) in samples
        if name == "gateway_upstream_requests_total"
    }
    assert routes == {"/jobs/v1/", "/jobs/v1/bson/{id}"}
    # Three found jobs and the missing one: four GETs of one template.
    assert (
        value(
            samples,
            "gateway_upstream_requests_total",
            upstream="jobstore",
            method="GET",
            route="/jobs/v1/bson/{id}",
            outcome="2xx",
        )
        == 3
    )
    assert (
        value(
            samples,
            "gateway_upstream_requests_total",
            upstream="jobstore",
            method="GET",
            route="/jobs/v1/bson/{id}",
            outcome="4xx",
        )
        == 1
    )


def test_outcomes_ok_errors_and_refused(sandbox: SandboxThread, gateway: GatewayClient) -> None:
    gateway.data(WORKFLOW_JOBS)
    gateway.execute("query Broken { noSuchField }")
    set_faults(sandbox, "awx", mode="malformed", error_rate=1.0)
    body = gateway.execute(
        "query Half { flowJobs(first: 1) { totalCount } workflowJobs(first: 1) { totalCount } }"
    )
    assert body["errors"]
    samples = scrape(gateway)
    assert value(samples, "gateway_graphql_requests_total", operation="Recent", outcome="ok") == 1
    assert (
        value(samples, "gateway_graphql_requests_total", operation="Broken", outcome="refused") == 1
    )
    assert value(samples, "gateway_graphql_requests_total", operation="Half", outcome="errors") == 1


def test_unknown_operation_names_are_bucketed(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    gateway.data("{ workflowJobs(first: 1) { totalCount } }")
    long_name = "Q" + "x" * 80
    gateway.data(f"query {long_name} {{ workflowJobs(first: 1) {{ totalCount }} }}")
    samples = scrape(gateway)
    operations = {
        dict(labels)["operation"]
        for (name, labels) in samples
        if name == "gateway_graphql_requests_total"
    }
    assert operations == {"anonymous", "other"}


def test_retries_breaker_and_dataloader_batches(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = start_gateway()
    gateway.data(WITH_TEMPLATES)
    samples = scrape(gateway)
    # One batch of job templates for the five workflow jobs.
    assert (
        value(samples, "gateway_dataloader_batch_size_count", loader="JobTemplateByIdLoader") == 1
    )
    assert (
        1
        <= value(samples, "gateway_dataloader_batch_size_sum", loader="JobTemplateByIdLoader")
        <= 5
    )

    set_faults(sandbox, "awx", mode="503", error_rate=1.0)
    for _ in range(3):  # 3 requests x 3 attempts: the breaker opens at the fifth failure
        gateway.execute("query Down { workflowJobs(first: 1) { totalCount } }")
    samples = scrape(gateway)
    route = {"upstream": "awx", "route": "/api/v2/workflow_jobs/"}
    assert value(samples, "gateway_upstream_retries_total", **route) >= 2
    assert value(samples, "gateway_breaker_state", upstream="awx", kind="read") == 2
    assert (
        value(
            samples, "gateway_breaker_transitions_total", upstream="awx", kind="read", state="open"
        )
        == 1
    )
    assert value(samples, "gateway_breaker_state", upstream="awx", kind="write") == 0
    assert (
        value(
            samples,
            "gateway_upstream_requests_total",
            method="GET",
            outcome="breaker_open",
            **route,
        )
        >= 1
    )


def test_identical_gets_in_flight_are_counted_as_coalesced(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    set_faults(sandbox, "awx", latency_ms=300)
    query = "query Same { workflowJobs(first: 3) { edges { node { awxId } } } }"
    barrier = threading.Barrier(4)
    results: list[int] = []

    def send() -> None:
        barrier.wait()
        results.append(gateway.post(query).status_code)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200] * 4
    samples = scrape(gateway)
    sent = total(samples, "gateway_upstream_requests_total", upstream="awx")
    joined = total(samples, "gateway_upstream_coalesced_total", upstream="awx")
    # Every request's GET either went out or joined one in flight; at least one joined.
    assert sent + joined == 4
    assert joined >= 1


def test_health_readiness_and_scrapes_are_not_counted(
    sandbox: SandboxThread, gateway: GatewayClient
) -> None:
    for path in ("/healthz", "/readyz", "/metrics"):
        assert gateway.http.get(path).status_code == 200
    samples = scrape(gateway)
    assert total(samples, "gateway_graphql_requests_total") == 0
    assert total(samples, "gateway_upstream_requests_total") == 0


def test_metrics_can_be_turned_off(sandbox: SandboxThread, start_gateway: GatewayFactory) -> None:
    gateway = start_gateway(GATEWAY_METRICS="false")
    gateway.data(WORKFLOW_JOBS)
    assert gateway.http.get("/metrics").status_code == 404


def test_two_apps_keep_separate_counts(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    first, second = start_gateway(), start_gateway()
    first.data(WORKFLOW_JOBS)
    assert total(scrape(first), "gateway_graphql_requests_total") == 1
    assert total(scrape(second), "gateway_graphql_requests_total") == 0
