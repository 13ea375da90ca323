"""Traces over real sockets: a span per GraphQL request, a child per upstream call,
the caller's ``traceparent`` continued and passed upstream; nothing with traces off."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from gateway.app import create_app
from gateway.background import BackgroundServer
from sandbox.server import SandboxThread
from sandbox.settings import SANDBOX_TOKEN
from tests.conftest import sandbox_stats
from tests.e2e.conftest import GatewayClient, GatewayFactory, gateway_settings, set_faults

QUERY = "query Recent { workflowJobs(first: 2) { edges { node { awxId } } } }"
CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"
UPSTREAMS = ("jobstore", "opsmanager", "awx")

Traced = tuple[GatewayClient, InMemorySpanExporter]


@pytest.fixture
def start_traced(sandbox: SandboxThread) -> Iterator[Callable[..., Traced]]:
    """Start a gateway tracing into an in-memory exporter (its own provider, no global)."""
    servers: list[BackgroundServer] = []
    clients: list[GatewayClient] = []

    def start(**env: str) -> Traced:
        exporter = InMemorySpanExporter()
        provider = TracerProvider(shutdown_on_exit=False)
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        app = create_app(gateway_settings(sandbox, **env), tracer_provider=provider)
        servers.append(server := BackgroundServer(app).start())
        clients.append(client := GatewayClient(server.url))
        return client, exporter

    yield start
    for client in clients:
        client.http.close()
    for server in servers:
        server.stop()


@pytest.fixture
def traced(start_traced: Callable[..., Traced]) -> Traced:
    return start_traced()


def of_kind(spans: tuple[ReadableSpan, ...], kind: SpanKind) -> list[ReadableSpan]:
    return [span for span in spans if span.kind is kind]


def traceparents(sandbox: SandboxThread) -> list[str]:
    """Every ``traceparent`` the sandbox upstreams received since the last reset."""
    found: list[str] = []
    for name in UPSTREAMS:
        sent = sandbox_stats(sandbox, name)["traceparents"]
        assert isinstance(sent, list)
        found.extend(str(value) for value in sent)
    return found


def upstream_calls(sandbox: SandboxThread) -> int:
    return sum(int(str(sandbox_stats(sandbox, name)["total"])) for name in UPSTREAMS)


def attribute_values(spans: tuple[ReadableSpan, ...]) -> list[str]:
    values: list[Any] = []
    for span in spans:
        values.append(span.name)
        values.extend((span.attributes or {}).values())
    return [str(value) for value in values]


def test_one_request_span_with_a_child_span_per_upstream_call(
    sandbox: SandboxThread, traced: Traced
) -> None:
    gateway, exporter = traced
    response = gateway.post(QUERY)
    assert response.status_code == 200
    assert "errors" not in response.json()
    spans = exporter.get_finished_spans()
    [server] = of_kind(spans, SpanKind.SERVER)
    assert server.name == "query Recent"
    attributes = dict(server.attributes or {})
    assert attributes["graphql.operation.name"] == "Recent"
    assert attributes["graphql.operation.type"] == "query"
    assert attributes["gateway.request_id"] == response.headers["x-request-id"]
    assert attributes["gateway.outcome"] == "ok"
    assert attributes["http.response.status_code"] == 200
    assert "graphql.document" not in attributes
    assert server.parent is None  # no traceparent came in: a new trace
    clients = of_kind(spans, SpanKind.CLIENT)
    assert clients, "the query calls AWX"
    assert len(clients) == upstream_calls(sandbox)
    for client in clients:
        assert client.parent is not None
        assert client.parent.span_id == server.context.span_id
        assert client.context.trace_id == server.context.trace_id
        client_attributes = dict(client.attributes or {})
        assert client_attributes["http.request.method"] == "GET"
        assert client_attributes["gateway.upstream"] == "awx"
        assert client_attributes["server.address"] == "127.0.0.1"
        assert client_attributes["http.response.status_code"] == 200
        assert str(client_attributes["url.path"]).startswith("/api/v2/")
        assert client.name == f"GET {client_attributes['url.path']}"


def test_the_post_lane_and_the_view_name_the_span_alike(
    sandbox: SandboxThread, traced: Traced
) -> None:
    gateway, exporter = traced
    # The first time a text is seen it goes through the view; then through the POST lane.
    for _ in range(3):
        gateway.data(QUERY)
    servers = of_kind(exporter.get_finished_spans(), SpanKind.SERVER)
    assert [span.name for span in servers] == ["query Recent"] * 3


def test_a_mutation_is_typed_so(sandbox: SandboxThread, traced: Traced) -> None:
    gateway, exporter = traced
    response = gateway.post(
        "mutation Start($w: String!) { startOperationsJob(input: {workflow: $w}) { __typename } }",
        {"w": "no-such-workflow"},
    )
    assert response.status_code == 200
    [server] = of_kind(exporter.get_finished_spans(), SpanKind.SERVER)
    assert (server.attributes or {})["graphql.operation.type"] == "mutation"
    assert server.name == "mutation Start"


def test_the_callers_traceparent_is_continued_and_passed_upstream(
    sandbox: SandboxThread, traced: Traced
) -> None:
    gateway, exporter = traced
    gateway.execute(QUERY, headers={"traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"})
    spans = exporter.get_finished_spans()
    [server] = of_kind(spans, SpanKind.SERVER)
    assert server.context.trace_id == int(CALLER_TRACE, 16)
    assert server.parent is not None
    assert server.parent.span_id == int(CALLER_SPAN, 16)
    assert server.parent.is_remote
    clients = of_kind(spans, SpanKind.CLIENT)
    assert clients
    sent = traceparents(sandbox)
    assert len(sent) == len(clients) == upstream_calls(sandbox)
    client_span_ids = {format(client.context.span_id, "016x") for client in clients}
    for header in sent:
        version, trace_id, parent_id, flags = header.split("-")
        assert (version, trace_id, flags) == ("00", CALLER_TRACE, "01")
        assert parent_id in client_span_ids  # the upstream's parent is the call's span


def test_a_failing_upstream_marks_both_spans(sandbox: SandboxThread, traced: Traced) -> None:
    gateway, exporter = traced
    set_faults(sandbox, "awx", mode="500", error_rate=1.0)
    body = gateway.execute(QUERY)
    assert body["errors"]
    spans = exporter.get_finished_spans()
    [server] = of_kind(spans, SpanKind.SERVER)
    assert server.status.status_code is StatusCode.ERROR
    attributes = dict(server.attributes or {})
    assert attributes["gateway.outcome"] == "errors"
    codes = attributes["gateway.error_codes"]
    assert isinstance(codes, tuple)
    assert body["errors"][0]["extensions"]["code"] in codes
    clients = of_kind(spans, SpanKind.CLIENT)
    assert clients
    for client in clients:
        assert client.status.status_code is StatusCode.ERROR
        assert (client.attributes or {})["error.type"] == "500"


def test_variables_credentials_and_the_document_stay_out_of_spans(
    sandbox: SandboxThread, traced: Traced
) -> None:
    gateway, exporter = traced
    secret = "variable-value-9f3e"
    gateway.post(
        "query Find($q: String) { workflowJobs(first: 1, filter: {nameContains: $q}) "
        "{ totalCount } }",
        {"q": secret},
        headers={"Authorization": "Bearer caller-credential-77"},
    )
    values = attribute_values(exporter.get_finished_spans())
    assert values
    for value in values:
        assert secret not in value
        assert "caller-credential-77" not in value
        assert SANDBOX_TOKEN not in value
        assert "workflowJobs" not in value


def test_the_document_goes_on_the_span_when_asked(
    sandbox: SandboxThread, start_traced: Callable[..., Traced]
) -> None:
    gateway, exporter = start_traced(GATEWAY_TRACE_DOCUMENT="true")
    gateway.data(QUERY)
    [server] = of_kind(exporter.get_finished_spans(), SpanKind.SERVER)
    assert (server.attributes or {})["graphql.document"] == QUERY


def test_traces_off_no_spans_and_no_traceparent_upstream(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = start_gateway()  # GATEWAY_TRACES unset: off
    gateway.execute(QUERY, headers={"traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"})
    assert upstream_calls(sandbox) > 0
    assert traceparents(sandbox) == []
    # No provider was made, and the process-wide one was never set.
    assert isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)
