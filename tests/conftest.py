"""Shared fixtures: the sandbox upstreams as real HTTP servers on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from hypothesis import settings as hypothesis_settings

from sandbox.server import TOKEN_PATHS, UPSTREAMS, SandboxSet, SandboxThread
from sandbox.settings import SANDBOX_TOKEN
from tests import secret_scan
from tests.redis_fixtures import redis_prefix, redis_url

__all__ = ["redis_prefix", "redis_url"]  # fixtures for every test module

# No time limit per generated example: hypothesis's deadline is a timed assertion, and a
# loaded machine (CI, parallel work) trips it; speed is measured in bench/, not here.
hypothesis_settings.register_profile("gateway", deadline=None)
hypothesis_settings.load_profile("gateway")

TOKEN = SANDBOX_TOKEN
UNIT_TOKEN = "unit-test-token"


def complete_env(**env: str) -> dict[str, str]:
    """Every required ``GATEWAY_*`` setting, for tests that never dial the upstreams.

    The URLs are under ``.invalid`` and the token is :data:`UNIT_TOKEN`;
    ``env`` overrides or adds settings.
    """
    base: dict[str, str] = {}
    for name in UPSTREAMS:
        base[f"GATEWAY_{name.upper()}_URL"] = f"http://{name}.invalid"
        base[f"GATEWAY_{name.upper()}_TOKEN"] = UNIT_TOKEN
    base.update(env)
    return base


CONTROL = httpx.Client(timeout=30)
"""One client for the control routes: building an httpx client per call costs ~20 ms."""


@pytest.fixture(scope="session")
def sandbox_servers() -> Iterator[SandboxThread]:
    """The three sandbox upstreams on ephemeral loopback ports, for the whole run."""
    sandboxes = SandboxSet.create(ports=dict.fromkeys(UPSTREAMS, 0), seed=0)
    with SandboxThread(sandboxes) as thread:
        yield thread


def sandbox_reset(thread: SandboxThread, *, data: bool = False) -> None:
    """Zero the request counts and clear faults on every upstream (and the data if asked).

    The token endpoints go back to their default lifetime, every token they
    issued revoked.
    """
    for name in UPSTREAMS:
        base = thread.url(name)
        CONTROL.put(f"{base}/_sandbox/faults", json={}).raise_for_status()
        if name in TOKEN_PATHS:
            CONTROL.put(f"{base}/_sandbox/oauth", json={"lifetime": 3600}).raise_for_status()
            CONTROL.post(f"{base}/_sandbox/oauth/revoke").raise_for_status()
        CONTROL.post(
            f"{base}/_sandbox/reset", json={"data": True} if data else {}
        ).raise_for_status()


def sandbox_stats(thread: SandboxThread, name: str) -> dict[str, object]:
    """``GET /_sandbox/stats`` of one upstream."""
    response = CONTROL.get(f"{thread.url(name)}/_sandbox/stats")
    response.raise_for_status()
    result: dict[str, object] = response.json()
    return result


@pytest.fixture
def sandbox(sandbox_servers: SandboxThread) -> Iterator[SandboxThread]:
    """The shared sandbox with counts zeroed and no faults; faults cleared again after."""
    sandbox_reset(sandbox_servers)
    yield sandbox_servers
    sandbox_reset(sandbox_servers)


@pytest.fixture
def auth_headers() -> dict[str, str]:
    """The sandbox's default Bearer credential."""
    return {"Authorization": f"Bearer {TOKEN}"}


def pytest_sessionstart(session: pytest.Session) -> None:
    """Start the suite-wide secret scan (see :mod:`tests.secret_scan`)."""
    secret_scan.start()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if a credential reached the gateway's logs or answers."""
    hits = secret_scan.finish()
    scanned = secret_scan.SESSION
    lines = [
        f"secret scan: {len(scanned.captures)} gateway log records and answers, "
        f"{len(scanned.secrets)} credentials, {len(hits)} hit(s)"
    ]
    lines += [f"  {hit.kind} {hit.masked} in {hit.where}" for hit in hits[:50]]
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    text = "\n".join(lines)
    if reporter is not None:
        reporter.write_line(text, red=bool(hits))
    else:
        print(text)
    if hits:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
