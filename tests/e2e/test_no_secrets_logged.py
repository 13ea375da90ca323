"""No configured or forwarded credential ever reaches a log record or a response.

A handful of requests through four gateways, one with wrong service
credentials (token, basic auth) and upstream faults, one forwarding the
caller's header and sending a token in the query string, one on OAuth2 client
credentials (tokens fetched, revoked, refreshed) and one with a wrong client
secret; every log record (DEBUG and up, every logger, formatted both ways)
and every response is searched for each credential string, the client
secrets and every token the sandbox issued included.
"""

from __future__ import annotations

import base64
import logging

import httpx
import pytest

from gateway.observability.request_log import JsonFormatter, TextFormatter
from sandbox.server import TOKEN_PATHS, SandboxThread
from sandbox.settings import SANDBOX_CLIENT_SECRET
from sandbox.token_endpoint import IssuedTokens
from tests.conftest import CONTROL, TOKEN
from tests.e2e.conftest import GatewayClient, GatewayFactory, set_faults

JOBSTORE_TOKEN = "js-secret-7f3e9a1c"
OPS_USER = "ops-user"
OPS_PASSWORD = "ops-secret-c0ffee42"
CALLER_TOKEN = "caller-secret-5b6d2e"
WRONG_CLIENT_SECRET = "client-secret-e4a91b"
SECRETS = [
    JOBSTORE_TOKEN,
    OPS_PASSWORD,
    base64.b64encode(f"{OPS_USER}:{OPS_PASSWORD}".encode()).decode(),
    TOKEN,  # the sandbox token: AWX's service token, then the ops-manager query token
    CALLER_TOKEN,
    SANDBOX_CLIENT_SECRET,
    WRONG_CLIENT_SECRET,
]

QUERIES = [
    "query Flow { flowJobs(first: 2) { edges { node { jobId name } } } }",
    "query Ops { operationsJobs(first: 2) { edges { node { name } } } }",
    "query Wf { workflowJobs(first: 3) { edges { node { name jobTemplate { name } } } } }",
    "query All { jobs(first: 5) { edges { node { id source name } } } }",
    "{ nope }",
]


def _send_all(gateway: GatewayClient, responses: list[httpx.Response], **headers: str) -> None:
    for query in QUERIES:
        responses.append(gateway.post(query, headers=headers))


def test_no_credential_in_logs_or_responses(
    sandbox: SandboxThread, start_gateway: GatewayFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    responses: list[httpx.Response] = []

    wrong = start_gateway(
        GATEWAY_JOBSTORE_TOKEN=JOBSTORE_TOKEN,
        GATEWAY_OPSMANAGER_USERNAME=OPS_USER,
        GATEWAY_OPSMANAGER_PASSWORD=OPS_PASSWORD,
        GATEWAY_AWX_TOKEN=TOKEN,
    )
    _send_all(wrong, responses)
    set_faults(sandbox, "awx", mode="malformed", error_rate=1.0)
    _send_all(wrong, responses)
    set_faults(sandbox, "awx", mode="503", error_rate=1.0)  # opens AWX's read breaker
    _send_all(wrong, responses)
    set_faults(sandbox, "awx")

    forwarding = start_gateway(
        GATEWAY_AWX_AUTH_MODE="forward",
        GATEWAY_OPSMANAGER_TOKEN=TOKEN,
        GATEWAY_OPSMANAGER_TOKEN_IN_QUERY="true",
    )
    _send_all(forwarding, responses, Authorization=f"Bearer {CALLER_TOKEN}")
    _send_all(forwarding, responses)
    _send_all(forwarding, responses, Authorization=f"Bearer {TOKEN}")

    oauth_env = {
        **sandbox.sandboxes.client_credentials_env("jobstore"),
        **sandbox.sandboxes.client_credentials_env("opsmanager"),
    }
    oauth = start_gateway(**oauth_env)
    _send_all(oauth, responses)
    issued = [_issued(sandbox, name) for name in TOKEN_PATHS]
    tokens = [token for tokens in issued for token in tokens.live()]
    assert len(tokens) == 2  # one per upstream
    for name in TOKEN_PATHS:  # refused now: refreshed, and the GETs retried
        CONTROL.post(f"{sandbox.url(name)}/_sandbox/oauth/revoke").raise_for_status()
    _send_all(oauth, responses)
    tokens += [token for tokens in issued for token in tokens.live()]
    assert len(set(tokens)) == 4
    for name in TOKEN_PATHS:
        CONTROL.post(f"{sandbox.url(name)}/_sandbox/oauth/revoke").raise_for_status()

    wrong_secret = start_gateway(
        **{**oauth_env, "GATEWAY_JOBSTORE_CLIENT_SECRET": WRONG_CLIENT_SECRET}
    )
    _send_all(wrong_secret, responses)
    secrets = SECRETS + tokens

    # The scenario covered what it claims: auth failures, upstream errors and successes.
    codes = {
        error["extensions"]["code"]
        for response in responses
        for error in response.json().get("errors", [])
    }
    assert {"UNAUTHENTICATED", "UPSTREAM_UNAVAILABLE", "UPSTREAM_BAD_RESPONSE"} <= codes
    assert any("errors" not in r.json() for r in responses)
    assert any(r.name == "gateway.requests" for r in caplog.records)

    formatters = [JsonFormatter(), TextFormatter()]
    for record in caplog.records:
        texts = [record.getMessage(), repr(record.args), repr(record.__dict__)]
        texts += [f.format(record) for f in formatters]
        for secret in secrets:
            for text in texts:
                assert secret not in text, f"{record.name} logged a credential: {text[:300]}"
    for response in responses:
        for secret in secrets:
            assert secret not in response.text
            assert all(secret not in v for v in response.headers.values())


def _issued(sandbox: SandboxThread, name: str) -> IssuedTokens:
    issued = sandbox.apps[name].state.sandbox.issued
    assert isinstance(issued, IssuedTokens)
    return issued
