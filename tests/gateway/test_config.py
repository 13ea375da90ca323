"""Settings from the environment; bad values fail naming the setting, never a secret."""

from __future__ import annotations

import pytest

from gateway.config import AuthMode, ConfigError, load_settings
from gateway.upstream_names import Upstream

UPSTREAMS = ("JOBSTORE", "OPSMANAGER", "AWX")
URLS = {f"GATEWAY_{up}_URL": f"https://{up.lower()}.example.test" for up in UPSTREAMS}
TOKENS = {f"GATEWAY_{up}_TOKEN": f"{up.lower()}-token" for up in UPSTREAMS}
COMPLETE = {**URLS, **TOKENS}
"""The least a deployment must set: a URL and a credential per upstream."""


def test_a_complete_environment_gets_the_defaults_for_the_rest() -> None:
    settings = load_settings(COMPLETE)
    assert settings.jobstore.url == "https://jobstore.example.test"
    assert settings.upstream(Upstream.AWX).token == "awx-token"
    assert settings.awx.auth_mode is AuthMode.SERVICE
    assert settings.max_page_size == 200


def test_no_url_and_no_token_has_a_default() -> None:
    with pytest.raises(ConfigError) as excinfo:
        load_settings({})
    message = str(excinfo.value)
    # Every missing setting is named in the one error, in a stable order.
    assert "set GATEWAY_JOBSTORE_URL, GATEWAY_JOBSTORE_TOKEN, GATEWAY_OPSMANAGER_URL," in message
    assert "GATEWAY_AWX_URL, GATEWAY_AWX_TOKEN" in message
    assert "127.0.0.1" not in message
    assert "sandbox-token" not in message


def test_missing_urls_are_named_all_at_once() -> None:
    with pytest.raises(ConfigError) as excinfo:
        load_settings(TOKENS)
    message = str(excinfo.value)
    assert "set GATEWAY_JOBSTORE_URL, GATEWAY_OPSMANAGER_URL, GATEWAY_AWX_URL;" in message
    assert "_TOKEN" not in message
    assert "jobstore-token" not in message


@pytest.mark.parametrize("up", UPSTREAMS)
def test_a_missing_token_in_service_mode_is_an_error(up: str) -> None:
    env = {key: value for key, value in COMPLETE.items() if key != f"GATEWAY_{up}_TOKEN"}
    with pytest.raises(ConfigError) as excinfo:
        load_settings(env)
    assert f"set GATEWAY_{up}_TOKEN " in str(excinfo.value)
    assert "URL" not in str(excinfo.value).split("(")[0]
    # An explicit "service" is the same, and so is a blank token.
    env[f"GATEWAY_{up}_AUTH_MODE"] = "service"
    env[f"GATEWAY_{up}_TOKEN"] = "  "
    with pytest.raises(ConfigError, match=f"GATEWAY_{up}_TOKEN"):
        load_settings(env)


@pytest.mark.parametrize("up", UPSTREAMS)
def test_forward_mode_needs_no_token(up: str) -> None:
    env = {key: value for key, value in COMPLETE.items() if key != f"GATEWAY_{up}_TOKEN"}
    env[f"GATEWAY_{up}_AUTH_MODE"] = "forward"
    settings = load_settings(env)
    upstream = settings.upstream(Upstream(up.lower()))
    assert upstream.auth_mode is AuthMode.FORWARD
    assert upstream.token is None


@pytest.mark.parametrize("up", ["OPSMANAGER", "AWX"])
def test_basic_auth_stands_in_for_the_token(up: str) -> None:
    env = {key: value for key, value in COMPLETE.items() if key != f"GATEWAY_{up}_TOKEN"}
    env |= {f"GATEWAY_{up}_USERNAME": "admin", f"GATEWAY_{up}_PASSWORD": "pw"}
    upstream = load_settings(env).upstream(Upstream(up.lower()))
    assert upstream.token is None
    assert upstream.username == "admin"


@pytest.mark.parametrize(
    "key", ["GATEWAY_AWX_TOKEN", "GATEWAY_AWX_PASSWORD", "GATEWAY_AWX_URL", "GATEWAY_SCAN_LIMIT"]
)
@pytest.mark.parametrize("bad", ["\n", "\r\nX-Injected: 1", "\t", "\x00", "\x7f", "\x1b[31m"])
def test_control_characters_are_refused_without_showing_the_value(key: str, bad: str) -> None:
    env = {**COMPLETE, "GATEWAY_AWX_USERNAME": "admin", "GATEWAY_AWX_PASSWORD": "pw"}
    env[key] = f"hunter2{bad}hunter2"
    with pytest.raises(ConfigError) as excinfo:
        load_settings(env)
    message = str(excinfo.value)
    assert key in message
    assert "control character" in message
    assert "hunter2" not in message
    assert bad not in message


def test_a_trailing_newline_is_refused_too() -> None:
    with pytest.raises(ConfigError, match="GATEWAY_JOBSTORE_TOKEN contains a control character"):
        load_settings({**COMPLETE, "GATEWAY_JOBSTORE_TOKEN": "s3cret\n"})


@pytest.mark.parametrize("key", ["GATEWAY_OPSMANAGER_TOKEN", "GATEWAY_OPSMANAGER_URL"])
def test_non_ascii_tokens_and_urls_are_refused_without_showing_the_value(key: str) -> None:
    with pytest.raises(ConfigError) as excinfo:
        load_settings({**COMPLETE, key: "https://s3cr\u00e9t.example.test"})
    message = str(excinfo.value)
    assert f"{key} must be ASCII" in message
    assert "s3cr" not in message


def test_a_non_ascii_password_is_allowed() -> None:
    # Basic auth sends it base64-encoded, so it never reaches a header as it is.
    env = {**COMPLETE, "GATEWAY_AWX_USERNAME": "jos\u00e9", "GATEWAY_AWX_PASSWORD": "p\u00e4ss"}
    assert load_settings(env).awx.password == "p\u00e4ss"


def test_values_are_read() -> None:
    settings = load_settings(
        {
            **{key: value for key, value in COMPLETE.items() if key != "GATEWAY_OPSMANAGER_TOKEN"},
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
        load_settings({**COMPLETE, **env})
    assert names in str(excinfo.value)
    assert "hunter2" not in str(excinfo.value)


def test_secrets_are_not_in_the_repr() -> None:
    settings = load_settings(
        {
            **COMPLETE,
            "GATEWAY_AWX_TOKEN": "very-secret",
            "GATEWAY_AWX_PASSWORD": "pw2",
            "GATEWAY_AWX_USERNAME": "u",
        }
    )
    assert "very-secret" not in repr(settings)
    assert "pw2" not in repr(settings)


def test_the_subscription_lease_outlasts_the_poll_interval() -> None:
    assert load_settings(COMPLETE).subscription_lease_seconds == 10
    slow = load_settings({**COMPLETE, "GATEWAY_SUBSCRIPTION_POLL_SECONDS": "5"})
    assert slow.subscription_lease_seconds == 15  # three intervals, when longer than 10 s
    fast = load_settings(
        {
            **COMPLETE,
            "GATEWAY_SUBSCRIPTION_POLL_SECONDS": "0.2",
            "GATEWAY_SUBSCRIPTION_LEASE_SECONDS": "1.5",
        }
    )
    assert fast.subscription_lease_seconds == 1.5
    with pytest.raises(ConfigError, match="GATEWAY_SUBSCRIPTION_LEASE_SECONDS must be longer"):
        load_settings({**COMPLETE, "GATEWAY_SUBSCRIPTION_LEASE_SECONDS": "2"})
    with pytest.raises(ConfigError, match="GATEWAY_SUBSCRIPTION_LEASE_SECONDS must be between"):
        load_settings({**COMPLETE, "GATEWAY_SUBSCRIPTION_LEASE_SECONDS": "0"})
