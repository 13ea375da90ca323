"""The sandbox token endpoints (client credentials) and AWX's public ping, over real sockets."""

from __future__ import annotations

import base64

import pytest

from sandbox.awx import VERSION
from sandbox.server import TOKEN_PATHS, SandboxThread
from sandbox.settings import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from sandbox.token_endpoint import IssuedTokens
from tests.conftest import CONTROL, TOKEN

LISTS = {"jobstore": "/jobs/v1/?limit=1", "opsmanager": "/operations-manager/jobs?limit=1"}
GRANT = {
    "grant_type": "client_credentials",
    "client_id": SANDBOX_CLIENT_ID,
    "client_secret": SANDBOX_CLIENT_SECRET,
}


@pytest.mark.parametrize("name", sorted(TOKEN_PATHS))
def test_an_issued_token_is_accepted_until_revoked(sandbox: SandboxThread, name: str) -> None:
    base = sandbox.url(name)
    answer = CONTROL.post(base + TOKEN_PATHS[name], data=GRANT)
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    bearer = {"Authorization": f"Bearer {body['access_token']}"}
    assert CONTROL.get(base + LISTS[name], headers=bearer).status_code == 200

    assert CONTROL.post(f"{base}/_sandbox/oauth/revoke").json() == {"revoked": 1}
    assert CONTROL.get(base + LISTS[name], headers=bearer).status_code == 401
    # The static sandbox token is untouched by revocation.
    static = {"Authorization": f"Bearer {TOKEN}"}
    assert CONTROL.get(base + LISTS[name], headers=static).status_code == 200


def test_client_authentication_by_basic_auth_works_too(sandbox: SandboxThread) -> None:
    pair = base64.b64encode(f"{SANDBOX_CLIENT_ID}:{SANDBOX_CLIENT_SECRET}".encode()).decode()
    answer = CONTROL.post(
        sandbox.url("jobstore") + TOKEN_PATHS["jobstore"],
        data={"grant_type": "client_credentials", "scope": "jobs"},
        headers={"Authorization": f"Basic {pair}"},
    )
    assert answer.status_code == 200
    assert answer.json()["scope"] == "jobs"


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({**GRANT, "client_secret": "wrong"}, 401, "invalid_client"),
        ({**GRANT, "client_id": "someone"}, 401, "invalid_client"),
        ({**GRANT, "grant_type": "password"}, 400, "unsupported_grant_type"),
    ],
)
def test_bad_grants_are_refused(
    sandbox: SandboxThread, form: dict[str, str], status: int, error: str
) -> None:
    answer = CONTROL.post(sandbox.url("opsmanager") + TOKEN_PATHS["opsmanager"], data=form)
    assert answer.status_code == status
    assert answer.json()["error"] == error


def test_a_json_body_is_refused(sandbox: SandboxThread) -> None:
    answer = CONTROL.post(sandbox.url("jobstore") + TOKEN_PATHS["jobstore"], json=GRANT)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"


def test_the_lifetime_is_set_through_the_control_route(sandbox: SandboxThread) -> None:
    base = sandbox.url("jobstore")
    assert CONTROL.put(f"{base}/_sandbox/oauth", json={"lifetime": 2}).json() == {"lifetime": 2}
    assert CONTROL.post(base + TOKEN_PATHS["jobstore"], data=GRANT).json()["expires_in"] == 2
    assert CONTROL.put(f"{base}/_sandbox/oauth", json={"lifetime": -1}).status_code == 400


def test_tokens_expire_on_their_clock() -> None:
    now = [100.0]
    issued = IssuedTokens(lifetime=5, clock=lambda: now[0])
    token = issued.issue()
    assert issued.accepts(token)
    now[0] = 104.9
    assert issued.accepts(token)
    now[0] = 105.0
    assert not issued.accepts(token)
    assert not issued.accepts("sbx-never-issued")
    assert token not in repr(issued)


def test_awx_ping_is_public_and_says_the_version(sandbox: SandboxThread) -> None:
    answer = CONTROL.get(sandbox.url("awx") + "/api/v2/ping/")
    assert answer.status_code == 200
    assert answer.json()["version"] == VERSION
