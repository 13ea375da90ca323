"""OAuth2 client-credentials settings: all three or none, no secret shown."""

from __future__ import annotations

import pytest

from gateway.config import ConfigError, load_settings
from gateway.upstream_names import Upstream

UPSTREAMS = ("JOBSTORE", "OPSMANAGER", "AWX")
URLS = {f"GATEWAY_{up}_URL": f"https://{up.lower()}.example.test" for up in UPSTREAMS}
SECRET = "client-secret-9d1e77"


def _oauth(up: str, **extra: str) -> dict[str, str]:
    env = {
        f"GATEWAY_{up}_TOKEN_URL": "https://accounts.example.test/connect/token",
        f"GATEWAY_{up}_CLIENT_ID": "gateway",
        f"GATEWAY_{up}_CLIENT_SECRET": SECRET,
    }
    env.update(extra)
    return env


def _env(**overrides: str) -> dict[str, str]:
    return {**URLS, "GATEWAY_AWX_TOKEN": "awx-token", **overrides}


@pytest.mark.parametrize("up", ["JOBSTORE", "OPSMANAGER"])
def test_client_credentials_stand_in_for_the_token(up: str) -> None:
    other = "OPSMANAGER" if up == "JOBSTORE" else "JOBSTORE"
    env = _env(
        **_oauth(up, **{f"GATEWAY_{up}_SCOPE": "jobs.read"}), **{f"GATEWAY_{other}_TOKEN": "t"}
    )
    upstream = load_settings(env).upstream(Upstream(up.lower()))
    credentials = upstream.client_credentials
    assert credentials is not None
    assert credentials.token_url == "https://accounts.example.test/connect/token"
    assert credentials.client_id == "gateway"
    assert credentials.client_secret == SECRET
    assert credentials.scope == "jobs.read"
    assert upstream.token is None
    assert upstream.auth_kind == "oauth2"
    assert SECRET not in repr(upstream)


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"GATEWAY_JOBSTORE_TOKEN": "static"}, "GATEWAY_JOBSTORE_TOKEN"),
        ({"GATEWAY_JOBSTORE_AUTH_MODE": "forward"}, "GATEWAY_JOBSTORE_AUTH_MODE=forward"),
    ],
)
def test_client_credentials_exclude_other_credentials(extra: dict[str, str], named: str) -> None:
    env = _env(**_oauth("JOBSTORE"), GATEWAY_OPSMANAGER_TOKEN="t", **extra)
    with pytest.raises(ConfigError) as excinfo:
        load_settings(env)
    message = str(excinfo.value)
    assert named in message
    assert "cannot be combined" in message
    assert SECRET not in message
    assert "static" not in message


def test_basic_auth_and_query_tokens_exclude_client_credentials_too() -> None:
    env = _env(
        **_oauth("OPSMANAGER"),
        GATEWAY_JOBSTORE_TOKEN="t",
        GATEWAY_OPSMANAGER_USERNAME="u",
        GATEWAY_OPSMANAGER_PASSWORD="pw-secret",
    )
    with pytest.raises(ConfigError) as excinfo:
        load_settings(env)
    assert "GATEWAY_OPSMANAGER_USERNAME/PASSWORD" in str(excinfo.value)
    assert "pw-secret" not in str(excinfo.value)


@pytest.mark.parametrize("unset", ["TOKEN_URL", "CLIENT_ID", "CLIENT_SECRET"])
def test_client_credentials_come_all_three_together(unset: str) -> None:
    oauth = _oauth("JOBSTORE")
    del oauth[f"GATEWAY_JOBSTORE_{unset}"]
    with pytest.raises(ConfigError) as excinfo:
        load_settings(_env(**oauth, GATEWAY_OPSMANAGER_TOKEN="t"))
    message = str(excinfo.value)
    assert message.endswith(f"unset: GATEWAY_JOBSTORE_{unset}")
    assert SECRET not in message


def test_a_scope_alone_is_refused() -> None:
    with pytest.raises(ConfigError, match="GATEWAY_JOBSTORE_SCOPE needs"):
        load_settings(
            _env(
                GATEWAY_JOBSTORE_TOKEN="t", GATEWAY_OPSMANAGER_TOKEN="t", GATEWAY_JOBSTORE_SCOPE="x"
            )
        )


def test_awx_keeps_personal_access_tokens() -> None:
    env = _env(GATEWAY_JOBSTORE_TOKEN="t", GATEWAY_OPSMANAGER_TOKEN="t", **_oauth("AWX"))
    with pytest.raises(ConfigError) as excinfo:
        load_settings(env)
    assert "the awx upstream takes a personal access token" in str(excinfo.value)
    assert SECRET not in str(excinfo.value)


def test_a_token_url_must_be_a_url() -> None:
    env = _env(**_oauth("JOBSTORE", GATEWAY_JOBSTORE_TOKEN_URL="accounts/connect/token"))
    with pytest.raises(ConfigError, match="GATEWAY_JOBSTORE_TOKEN_URL must be an http"):
        load_settings({**env, "GATEWAY_OPSMANAGER_TOKEN": "t"})


def test_the_auth_kind_of_each_mode() -> None:
    settings = load_settings(
        _env(
            GATEWAY_JOBSTORE_TOKEN="t",
            GATEWAY_OPSMANAGER_TOKEN="t",
            GATEWAY_OPSMANAGER_TOKEN_IN_QUERY="true",
            GATEWAY_AWX_AUTH_MODE="forward",
        )
    )
    assert [settings.jobstore.auth_kind, settings.opsmanager.auth_kind, settings.awx.auth_kind] == [
        "bearer",
        "query-token",
        "forward",
    ]
