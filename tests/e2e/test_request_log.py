"""Request ids and the one structured log line per GraphQL request, over real sockets."""

from __future__ import annotations

import io
import json
import logging

import pytest
from websockets.sync.client import connect

from gateway.observability.observation import Observation
from gateway.observability.request_log import (
    JsonFormatter,
    TextFormatter,
    configure_logging,
    log_request,
    resolve_format,
)
from sandbox.server import SandboxThread
from tests.e2e.conftest import CSRF, GatewayClient, GatewayFactory, set_faults
from tests.e2e.metrics_reading import scrape, value

QUERY = "query Recent { workflowJobs(first: 2) { edges { node { awxId } } } }"


def request_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "gateway.requests"]


def test_a_sane_request_id_is_kept_and_returned(
    sandbox: SandboxThread, gateway: GatewayClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    response = gateway.post(QUERY, headers={"X-Request-ID": "trace-42.a:b_c"})
    assert response.headers["x-request-id"] == "trace-42.a:b_c"
    [line] = request_lines(caplog)
    assert line.request_id == "trace-42.a:b_c"  # type: ignore[attr-defined]


@pytest.mark.parametrize("incoming", ["", "has space", "x" * 129, 'quote"d', "new\\nline", "é"])
def test_an_insane_request_id_is_replaced(
    sandbox: SandboxThread, gateway: GatewayClient, incoming: str
) -> None:
    response = gateway.http.post(
        "/graphql",
        json={"query": QUERY},
        headers=[("X-Request-ID", incoming.encode("utf-8"))],
    )
    returned = response.headers["x-request-id"]
    assert returned != incoming
    assert len(returned) == 32
    assert int(returned, 16) >= 0


def test_every_error_carries_the_request_id(sandbox: SandboxThread, gateway: GatewayClient) -> None:
    set_faults(sandbox, "awx", mode="malformed", error_rate=1.0)
    response = gateway.post(
        "query Two { a: workflowJobs(first: 1) { totalCount } b: workflowJobs(first: 2) "
        "{ totalCount } }",
        headers={"X-Request-ID": "req-errors-1"},
    )
    errors = response.json()["errors"]
    assert len(errors) == 2
    assert {e["extensions"]["requestId"] for e in errors} == {"req-errors-1"}
    assert all("code" in e["extensions"] for e in errors)
    # Validation errors too, with a generated id that matches the header.
    response = gateway.post("{ nope }")
    [error] = response.json()["errors"]
    assert error["extensions"]["requestId"] == response.headers["x-request-id"]


def test_one_line_per_request_with_its_fields(
    sandbox: SandboxThread, gateway: GatewayClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    gateway.post(QUERY, headers={"X-Request-ID": "one"})
    set_faults(sandbox, "awx", mode="malformed", error_rate=1.0)
    body = gateway.post(
        "query Mixed { flowJobs(first: 1) { totalCount } workflowJobs(first: 1) { totalCount } }",
        headers={"X-Request-ID": "two"},
    ).json()
    codes = sorted({e["extensions"]["code"] for e in body["errors"]})
    gateway.http.get("/healthz")
    first, second = request_lines(caplog)
    fields = first.fields  # type: ignore[attr-defined]
    assert first.request_id == "one"  # type: ignore[attr-defined]
    assert fields["operation"] == "Recent"
    assert fields["outcome"] == "ok"
    assert fields["status"] == 200
    assert fields["upstream_calls"] == {"awx": 1}
    assert fields["error_codes"] == []
    assert fields["duration_ms"] > 0
    fields = second.fields  # type: ignore[attr-defined]
    assert second.request_id == "two"  # type: ignore[attr-defined]
    assert fields["outcome"] == "errors"
    assert fields["upstream_calls"]["awx"] >= 1
    assert fields["upstream_calls"]["jobstore"] >= 1
    assert codes
    assert fields["error_codes"] == codes


def test_the_request_log_can_be_turned_off(
    sandbox: SandboxThread, start_gateway: GatewayFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    gateway = start_gateway(GATEWAY_REQUEST_LOG="false")
    response = gateway.post(QUERY)
    assert response.headers["x-request-id"]
    assert request_lines(caplog) == []


def _record() -> logging.LogRecord:
    logger = logging.getLogger("gateway.requests.test")
    return logger.makeRecord(
        logger.name,
        logging.INFO,
        __file__,
        1,
        "graphql request",
        (),
        None,
        extra={"request_id": "rid", "fields": {"operation": "Q", "upstream_calls": {"awx": 2}}},
    )


def test_json_and_text_formats() -> None:
    line = json.loads(JsonFormatter().format(_record()))
    assert line["request_id"] == "rid"
    assert line["operation"] == "Q"
    assert line["upstream_calls"] == {"awx": 2}
    assert line["level"] == "info"
    text = TextFormatter().format(_record())
    assert 'request_id=rid operation=Q upstream_calls={"awx":2}' in text


def test_auto_format_follows_the_terminal() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert resolve_format("auto", Tty()) == "text"
    assert resolve_format("auto", io.StringIO()) == "json"
    assert resolve_format("text", io.StringIO()) == "text"


def test_configured_logging_writes_json_lines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    request_level = logging.getLogger("gateway.requests").level
    try:
        configure_logging("json")
        log_request(
            Observation(request_id="r-1", operation="Op", outcome="ok"), status=200, duration_ms=1.5
        )
        out = capsys.readouterr().out.strip().splitlines()
        line = json.loads(out[-1])
        assert line["request_id"] == "r-1"
        assert line["operation"] == "Op"
        assert line["duration_ms"] == 1.5
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])
        logging.getLogger("gateway.requests").setLevel(request_level)


def test_operations_over_the_websocket_are_observed_one_by_one(
    sandbox: SandboxThread, gateway: GatewayClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    url = gateway.url.replace("http://", "ws://") + "/graphql"
    payloads = []
    with connect(url, subprotocols=["graphql-transport-ws"], open_timeout=10) as ws:
        ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(ws.recv(timeout=10))["type"] == "connection_ack"
        for op_id in ("1", "2"):
            if op_id == "2":
                set_faults(sandbox, "awx", mode="malformed", error_rate=1.0)
            ws.send(json.dumps({"id": op_id, "type": "subscribe", "payload": {"query": QUERY}}))
            message = json.loads(ws.recv(timeout=10))
            assert message["type"] == "next"
            payloads.append(message["payload"])
            assert json.loads(ws.recv(timeout=10))["type"] == "complete"
    [error] = payloads[1]["errors"]
    samples = scrape(gateway)
    assert value(samples, "gateway_graphql_requests_total", operation="Recent", outcome="ok") == 1
    assert (
        value(samples, "gateway_graphql_requests_total", operation="Recent", outcome="errors") == 1
    )
    first, second = request_lines(caplog)
    assert first.fields["upstream_calls"] == {"awx": 1}  # type: ignore[attr-defined]
    assert second.fields["error_codes"] == ["UPSTREAM_BAD_RESPONSE"]  # type: ignore[attr-defined]
    assert first.request_id != second.request_id  # type: ignore[attr-defined]
    assert error["extensions"]["code"] == "UPSTREAM_BAD_RESPONSE"
    assert error["extensions"]["requestId"] == second.request_id  # type: ignore[attr-defined]


def test_a_repeated_query_is_observed_alike_on_the_fast_path(
    sandbox: SandboxThread, gateway: GatewayClient, caplog: pytest.LogCaptureFixture
) -> None:
    # The second time, the document is a checked one and skips the extensions.
    caplog.set_level(logging.INFO)
    set_faults(sandbox, "awx", mode="malformed", error_rate=1.0)
    query = "query Again { workflowJobs(first: 1) { totalCount } }"
    for request_id in ("first-time", "second-time"):
        [error] = gateway.post(query, headers={"X-Request-ID": request_id}).json()["errors"]
        assert error["extensions"]["requestId"] == request_id
    lines = request_lines(caplog)
    assert [line.request_id for line in lines] == ["first-time", "second-time"]  # type: ignore[attr-defined]
    for line in lines:
        assert line.fields["operation"] == "Again"  # type: ignore[attr-defined]
        assert line.fields["outcome"] == "errors"  # type: ignore[attr-defined]
        assert line.fields["error_codes"] == ["UPSTREAM_BAD_RESPONSE"]  # type: ignore[attr-defined]


def test_refusals_before_graphql_carry_the_request_id(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = start_gateway(GATEWAY_MAX_BODY_BYTES="2048")
    wrong_type = gateway.http.post(
        "/graphql",
        content=b"{}",
        headers={"content-type": "text/plain", "X-Request-ID": "r-415", **CSRF},
    )
    too_big = gateway.http.post(
        "/graphql", json={"query": "{ a }", "pad": "x" * 4096}, headers={"X-Request-ID": "r-413"}
    )
    for response, request_id, status in ((wrong_type, "r-415", 415), (too_big, "r-413", 413)):
        assert response.status_code == status
        assert response.headers["x-request-id"] == request_id
        [error] = response.json()["errors"]
        assert error["extensions"]["requestId"] == request_id
        assert error["extensions"]["code"]
