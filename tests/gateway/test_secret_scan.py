"""The suite-wide secret scan (:mod:`tests.secret_scan`) finds what is planted."""

from __future__ import annotations

import logging

import httpx

from gateway.config import ClientCredentials, Upstream, UpstreamSettings
from tests.secret_scan import MIN_SECRET_LENGTH, SESSION, Capture, SecretScan, mask, scan

PLANTED = "planted-secret-9d2f41"


def test_a_planted_secret_is_found_with_its_kind_and_place_but_not_in_full() -> None:
    captures = [
        Capture("log gateway.http", "nothing to see"),
        Capture("answer POST /graphql", f'{{"errors": [{{"message": "bad {PLANTED}"}}]}}'),
    ]
    hits = scan(captures, {PLANTED: "OAuth client secret", "unused-secret-1": "token"})
    assert [(h.kind, h.where) for h in hits] == [("OAuth client secret", "answer POST /graphql")]
    assert PLANTED not in hits[0].masked
    assert hits[0].masked == mask(PLANTED)


def test_short_credentials_are_not_searched_for() -> None:
    short = "x" * (MIN_SECRET_LENGTH - 1)
    assert scan([Capture("log gateway", f"a {short} b")], {short: "password"}) == []


def test_configured_credentials_are_collected_with_their_kinds() -> None:
    scan_ = SecretScan()
    scan_.settings(
        UpstreamSettings(
            name=Upstream.OPSMANAGER,
            url="http://ops.invalid",
            username="ops-user",
            password="ops-password-1",
            client_credentials=None,
        )
    )
    scan_.settings(
        UpstreamSettings(
            name=Upstream.JOBSTORE,
            url="http://jobs.invalid",
            client_credentials=ClientCredentials("http://jobs.invalid/t", "id", "client-secret-77"),
        )
    )
    assert scan_.secrets["ops-password-1"] == "password"
    assert scan_.secrets["client-secret-77"] == "OAuth client secret"
    assert "password (basic auth header)" in scan_.secrets.values()


def test_the_session_scan_is_on_and_keeps_gateway_records_only() -> None:
    # the session hook wraps UpstreamSettings: a new one's token is now a known credential
    UpstreamSettings(name=Upstream.AWX, url="http://awx.invalid", token="session-token-5e1")
    assert SESSION.secrets.get("session-token-5e1") == "token"
    before = len(SESSION.captures)
    logging.getLogger("gateway.test_secret_scan").warning("kept %s", "here")
    logging.getLogger("elsewhere").warning("not kept")
    assert [c.where for c in SESSION.captures[before:]] == ["log gateway.test_secret_scan"]


def test_answers_and_forwarded_tokens_of_a_gateway_client_are_kept() -> None:
    scan_ = SecretScan()

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"echo": PLANTED})

    with httpx.Client(
        transport=httpx.MockTransport(answer),
        base_url="http://gw.invalid",
        event_hooks={"request": [scan_.request], "response": [scan_.response]},
    ) as client:
        client.post("/graphql", headers={"Authorization": "Bearer forwarded-token-3"})
    assert scan_.secrets["forwarded-token-3"] == "forwarded token"
    scan_.secret(PLANTED, "access token")
    assert [(h.kind, h.where) for h in scan_.hits()] == [("access token", "answer POST /graphql")]
