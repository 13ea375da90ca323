"""Settings from the environment; bad values fail naming the setting, never a secret."""

from __future__ import annotations

import pytest

from gateway.config import AuthMode, ConfigError, load_settings
from gateway.upstream_names import Upstream


def test_defaults_point_at_the_sandbox() -> None:
    settings = load_settings({})
    assert settings.jobstore.url == "http://127.0.0.1:8101"
    assert settings.opsmanager.url == "http://127.0.0.1:8102"
    assert settings.awx.url == "http://127.0.0.1:8103"
    assert settings.upstream(Upstream.AWX).token == "sandbox-token"
    assert settings.awx.auth_mode is AuthMode.SERVICE
    assert settings.max_page_size == 200


def test_values_are_read() -> None:
    settings = load_settings(
        {
            "GATEWAY_AWX_URL": "https://awx.example.test/",
            "GATEWAY_AWX_TOKEN": "t",
            "GATEWAY_AWX_TIMEOUT": "2.5",
            "GATEWAY_OPSMANAGER_USERNAME": "admin",
            "GATEWAY_OPSMANAGER_PASSWORD": "pw",
            "GATEWAY_JOBSTORE_AUTH_MODE": "forward",
            "GATEWAY_MAX_PAGE_SIZE": "50",
        }
    )
    assert settings.awx.url == "https://awx.example.test"
    assert settings.awx.timeout == 2.5
    assert settings.opsmanager.username == "admin"
    assert settings.opsmanager.token is None
    assert settings.jobstore.auth_mode is AuthMode.FORWARD
    assert settings.max_page_size == 50


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"GATEWAY_AWX_URL": "ftp://x"}, "GATEWAY_AWX_URL"),
        ({"GATEWAY_AWX_URL": "https://user:hunter2@awx.test"}, "GATEWAY_AWX_URL"),
        ({"GATEWAY_AWX_TIMEOUT": "soon"}, "GATEWAY_AWX_TIMEOUT"),
        ({"GATEWAY_AWX_TIMEOUT": "0"}, "GATEWAY_AWX_TIMEOUT"),
        ({"GATEWAY_JOBSTORE_AUTH_MODE": "magic"}, "GATEWAY_JOBSTORE_AUTH_MODE"),
        ({"GATEWAY_JOBSTORE_USERNAME": "u", "GATEWAY_JOBSTORE_PASSWORD": "p"}, "GATEWAY_JOBSTORE_"),
        ({"GATEWAY_AWX_USERNAME": "u"}, "GATEWAY_AWX_USERNAME"),
        ({"GATEWAY_MAX_PAGE_SIZE": "0"}, "GATEWAY_MAX_PAGE_SIZE"),
        ({"GATEWAY_INTROSPECTION": "maybe"}, "GATEWAY_INTROSPECTION"),
    ],
)
def test_bad_values_name_the_setting(env: dict[str, str], names: str) -> None:
    with pytest.raises(ConfigError) as excinfo:
        load_settings(env)
    assert names in str(excinfo.value)
    assert "hunter2" not in str(excinfo.value)


def test_secrets_are_not_in_the_repr() -> None:
    settings = load_settings(
        {
            "GATEWAY_AWX_TOKEN": "very-secret",
            "GATEWAY_AWX_PASSWORD": "pw2",
            "GATEWAY_AWX_USERNAME": "u",
        }
    )
    assert "very-secret" not in repr(settings)
    assert "pw2" not in repr(settings)
