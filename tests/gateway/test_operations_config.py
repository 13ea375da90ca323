"""The operations settings: metrics, request log, log format, shutdown grace, readiness."""

from __future__ import annotations

import pytest

from gateway.config import ConfigError, load_settings
from tests.gateway.test_config import COMPLETE


def test_operations_defaults() -> None:
    settings = load_settings(COMPLETE)
    assert settings.metrics is True
    assert settings.request_log is True
    assert settings.log_format == "auto"
    assert settings.shutdown_grace == 20.0
    assert settings.ready_fresh_seconds == 10.0
    assert settings.ready_probe_timeout == 2.0


def test_operations_values_are_read() -> None:
    settings = load_settings(
        {
            **COMPLETE,
            "GATEWAY_METRICS": "off",
            "GATEWAY_REQUEST_LOG": "false",
            "GATEWAY_LOG_FORMAT": "JSON",
            "GATEWAY_SHUTDOWN_GRACE": "5.5",
            "GATEWAY_READY_FRESH_SECONDS": "0",
            "GATEWAY_READY_PROBE_TIMEOUT": "0.5",
        }
    )
    assert (settings.metrics, settings.request_log, settings.log_format) == (False, False, "json")
    assert settings.shutdown_grace == 5.5
    assert settings.ready_fresh_seconds == 0
    assert settings.ready_probe_timeout == 0.5


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("GATEWAY_LOG_FORMAT", "yaml"),
        ("GATEWAY_METRICS", "sometimes"),
        ("GATEWAY_SHUTDOWN_GRACE", "-1"),
        ("GATEWAY_READY_PROBE_TIMEOUT", "0"),
    ],
)
def test_bad_operations_values_name_the_setting(key: str, value: str) -> None:
    with pytest.raises(ConfigError, match=key):
        load_settings({**COMPLETE, key: value})
