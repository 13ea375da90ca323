"""Traces: off by default; on with GATEWAY_TRACES=true unless OTEL_SDK_DISABLED=true."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.resources import SERVICE_NAME
from opentelemetry.sdk.trace import TracerProvider

from gateway.app import create_app
from gateway.config import ConfigError, load_settings
from gateway.observability.tracing import gateway_resource
from tests.gateway.test_config import COMPLETE


def test_traces_are_off_by_default() -> None:
    settings = load_settings(COMPLETE)
    assert settings.traces is False
    assert settings.trace_document is False
    assert create_app(settings).state.tracer_provider is None


def test_traces_settings_are_read() -> None:
    settings = load_settings(
        {**COMPLETE, "GATEWAY_TRACES": "true", "GATEWAY_TRACE_DOCUMENT": "yes"}
    )
    assert settings.traces is True
    assert settings.trace_document is True


def test_a_bad_traces_flag_is_refused() -> None:
    with pytest.raises(ConfigError, match="GATEWAY_TRACES"):
        load_settings({**COMPLETE, "GATEWAY_TRACES": "maybe"})


def test_traces_on_make_an_exporting_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_SDK_DISABLED", raising=False)
    app = create_app(load_settings({**COMPLETE, "GATEWAY_TRACES": "true"}))
    provider = app.state.tracer_provider
    try:
        assert isinstance(provider, TracerProvider)
        assert provider.resource.attributes[SERVICE_NAME] == "jobs-gateway"
    finally:
        provider.shutdown()


def test_otel_sdk_disabled_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    app = create_app(load_settings({**COMPLETE, "GATEWAY_TRACES": "true"}))
    assert app.state.tracer_provider is None


def test_otel_service_name_overrides_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_RESOURCE_ATTRIBUTES", raising=False)
    monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
    assert gateway_resource().attributes[SERVICE_NAME] == "jobs-gateway"
    monkeypatch.setenv("OTEL_SERVICE_NAME", "gateway-eu")
    assert gateway_resource().attributes[SERVICE_NAME] == "gateway-eu"
    monkeypatch.delenv("OTEL_SERVICE_NAME")
    monkeypatch.setenv("OTEL_RESOURCE_ATTRIBUTES", "service.name=gw-from-attrs,team=ops")
    resource = gateway_resource()
    assert resource.attributes[SERVICE_NAME] == "gw-from-attrs"
    assert resource.attributes["team"] == "ops"
