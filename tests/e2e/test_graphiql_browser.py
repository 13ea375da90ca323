"""GraphiQL in a real browser, with every address but 127.0.0.1 blocked.

Debian's Chromium (``/usr/bin/chromium``; the Makefile's set-up installs it
when it runs as root) driven by Playwright for Python, which downloads no
browser of its own here. The gateway and the sandbox upstreams run as real
servers on 127.0.0.1. Every request the page tries to anything else is
recorded and refused: the test fails if there was one, which shows the page
needs no CDN. The screenshot is left at ``test-artifacts/graphiql.png``.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Route,
    WebSocketRoute,
    expect,
    sync_playwright,
)

from gateway.graphiql.examples import load_examples
from sandbox.server import UPSTREAMS, SandboxThread
from tests.e2e.conftest import GatewayClient, reset_counts, upstream_requests

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "graphiql.png"
LOOPBACK = "127.0.0.1"
CHROMIUM_FLAGS = [
    "--no-sandbox",  # the set-up and CI run as root
    "--disable-gpu",
    # no calls home: on a closed network they only fail, many at a time
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

TABS = [
    "FailingJobs",
    "FailuresBySystem",
    "JobDetail",
    "DurationsReport",
    "CreateFlowJob",
    "LiveJobStatus",
    "WhatFailedInside",
    "RelaunchJob",
]
"""The example operations, opened as GraphiQL's first tabs (named after the operations)."""

AWX_FAILED = "{ jobCounts(filter: {sources: [AWX], states: [FAILED]}) { bySource { count } } }"
WEBSOCKET_OPERATION = """(query) => new Promise((resolve, reject) => {
  const url = location.origin.replace(/^http/, "ws") + "/graphql";
  const client = graphqlWs.createClient({ url });
  const data = [];
  client.subscribe({ query }, {
    next: (result) => data.push(result.data),
    error: (error) => reject(new Error(String((error && error.reason) || error))),
    complete: () => { client.dispose(); resolve(data); },
  });
})"""
"""Run in the page: one operation over the page's own graphql-ws client."""

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no chromium binary: install Debian's `chromium` (make test does, as root)",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM is not None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


class Offline:
    """A browser page that may reach 127.0.0.1 only; what else it tried is kept."""

    def __init__(self, browser: Browser) -> None:
        self.blocked: list[str] = []
        self.requested: list[str] = []
        self.problems: list[str] = []
        self.websockets: list[str] = []
        self.context = browser.new_context(viewport={"width": 1440, "height": 1000})
        self.context.route("**/*", self._http)
        self.context.route_web_socket(re.compile(".*"), self._websocket)
        self.page: Page = self.context.new_page()
        self.page.on("request", lambda request: self.requested.append(request.url))
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    def _http(self, route: Route) -> None:
        if urlsplit(route.request.url).hostname == LOOPBACK:
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort("blockedbyclient")

    def _websocket(self, ws: WebSocketRoute) -> None:
        self.websockets.append(ws.url)
        if urlsplit(ws.url).hostname == LOOPBACK:
            ws.connect_to_server()
        else:
            self.blocked.append(ws.url)
            ws.close()

    def _console(self, message: ConsoleMessage) -> None:
        text = message.text
        if "Content Security Policy" in text or "Failed to load resource" in text:
            self.problems.append(text)


def test_graphiql_runs_the_dashboard_with_no_cdn(
    browser: Browser, gateway: GatewayClient, sandbox: SandboxThread
) -> None:
    dashboard = load_examples()[0]
    # What the dashboard shows, and the upstream calls it takes, asked over plain HTTP.
    expected = gateway.data(dashboard.query, dashboard.variables)
    reset_counts(sandbox)
    gateway.data(dashboard.query, dashboard.variables)
    calls = {name: upstream_requests(sandbox, name) for name in UPSTREAMS}
    reset_counts(sandbox)
    first_job = expected["jobs"]["edges"][0]["node"]
    awx_failed = next(
        row["count"] for row in expected["failedPerSystem"]["bySource"] if row["source"] == "AWX"
    )

    offline = Offline(browser)
    page = offline.page
    try:
        page.goto(f"{gateway.url}/graphql")
        expect(page.locator(".graphiql-query-editor .CodeMirror")).to_be_visible(timeout=30_000)
        expect(page.locator(".graphiql-tab-button")).to_have_text(TABS)
        expect(page.get_by_label("Show GraphiQL Explorer")).to_be_visible()
        expect(page.get_by_role("button", name="Headers", exact=True)).to_be_visible()
        expect(page.locator(".graphiql-query-editor")).to_contain_text("query FailingJobs")
        expect(page.locator(".graphiql-editor-tool")).to_contain_text('"first": 20')

        page.locator(".graphiql-execute-button").click()
        result = page.locator(".result-window")
        expect(result).to_contain_text(f'"id": "{first_job["id"]}"', timeout=30_000)
        expect(result).to_contain_text(f'"name": "{first_job["name"]}"')
        expect(result).to_contain_text(f'"count": {awx_failed}')
        ARTIFACT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACT))
        print(f"GraphiQL screenshot: {ARTIFACT}")
        calls_over_http = {name: upstream_requests(sandbox, name) for name in UPSTREAMS}

        # Subscriptions take the page's graphql-ws client (its local UMD build) to
        # ws://.../graphql, under the page's CSP: an operation over it answers.
        over_websocket = page.evaluate(WEBSOCKET_OPERATION, AWX_FAILED)
    finally:
        offline.context.close()

    # tried elsewhere: refused by the CSP (a request event, no network) or by the route
    elsewhere = [url for url in offline.requested if urlsplit(url).hostname != LOOPBACK]
    assert elsewhere + offline.blocked == [], "the page tried to reach beyond 127.0.0.1"
    assert any("/graphiql/static/graphiql.min.js" in url for url in offline.requested)
    assert offline.problems == []
    # the run went through the gateway to the sandbox: the same calls as over HTTP
    assert calls_over_http == calls
    assert sum(sum(counts.values()) for counts in calls.values()) > 0
    assert over_websocket == [{"jobCounts": {"bySource": [{"count": awx_failed}]}}]
    assert any(url.startswith("ws://127.0.0.1") for url in offline.websockets)
