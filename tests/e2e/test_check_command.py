"""``jobs-gateway check`` as a deployment pipeline runs it: a subprocess, the sandbox running."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from sandbox.awx import VERSION
from sandbox.server import SandboxThread
from sandbox.settings import SANDBOX_CLIENT_SECRET
from tests.conftest import TOKEN
from tests.e2e.conftest import upstream_requests

ROOT = Path(__file__).resolve().parents[2]


def _check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
    return subprocess.run(
        [sys.executable, "-m", "gateway.cli", "check", "--timeout", "5"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**base, **env},
        cwd=ROOT,
        check=False,
    )


def _row(output: str, upstream: str) -> list[str]:
    rows = [line.split() for line in output.splitlines()]
    matching = [row for row in rows if row and row[0] == upstream]
    assert len(matching) == 1, output
    return matching[0]


def test_every_upstream_reached_exits_zero_with_the_table(sandbox: SandboxThread) -> None:
    env = {
        **sandbox.sandboxes.gateway_env(),
        **sandbox.sandboxes.client_credentials_env("jobstore"),
    }
    result = _check(env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].split() == [
        "upstream", "url", "auth", "reachable", "latency", "ms", "version",
    ]  # fmt: skip
    jobstore = _row(result.stdout, "jobstore")
    assert jobstore[:4] == ["jobstore", sandbox.url("jobstore"), "oauth2", "yes"]
    assert jobstore[4].isdigit()
    assert jobstore[5] == "-"
    assert _row(result.stdout, "opsmanager")[2:4] == ["bearer", "yes"]
    awx = _row(result.stdout, "awx")
    assert awx[2:4] == ["bearer", "yes"]
    assert awx[5] == VERSION
    # One token, then the one cheap GET with it.
    assert upstream_requests(sandbox, "jobstore") == {"POST /connect/token": 1, "GET /jobs/v1/": 1}
    assert upstream_requests(sandbox, "awx") == {
        "GET /api/v2/workflow_jobs/": 1,
        "GET /api/v2/ping/": 1,
    }
    for secret in (TOKEN, SANDBOX_CLIENT_SECRET):
        assert secret not in result.stdout + result.stderr


def test_a_refused_credential_exits_one_naming_the_upstream(sandbox: SandboxThread) -> None:
    env = {**sandbox.sandboxes.gateway_env(), "GATEWAY_AWX_TOKEN": "wrong-awx-token-77"}
    env.update(sandbox.sandboxes.client_credentials_env("opsmanager"))
    env["GATEWAY_OPSMANAGER_CLIENT_SECRET"] = "wrong-client-secret-12"
    result = _check(env)
    assert result.returncode == 1
    assert _row(result.stdout, "awx")[3] == "yes"  # reached, but the token was refused
    assert _row(result.stdout, "jobstore")[3] == "yes"
    problems = [line for line in result.stderr.splitlines() if line.startswith("jobs-gateway")]
    assert problems == [
        "jobs-gateway check: opsmanager: the opsmanager token endpoint refused the gateway's"
        " client credentials (HTTP 401) (invalid_client); check GATEWAY_OPSMANAGER_CLIENT_ID,"
        " GATEWAY_OPSMANAGER_CLIENT_SECRET and GATEWAY_OPSMANAGER_TOKEN_URL",
        "jobs-gateway check: awx: the awx upstream refused the credential:"
        " Authentication credentials were not provided.",
    ]
    for secret in ("wrong-awx-token-77", "wrong-client-secret-12", TOKEN):
        assert secret not in result.stdout + result.stderr


def test_an_upstream_down_exits_one(sandbox: SandboxThread) -> None:
    with socket.socket() as sock:  # a port nobody listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**sandbox.sandboxes.gateway_env(), "GATEWAY_OPSMANAGER_URL": f"http://127.0.0.1:{port}"}
    result = _check(env)
    assert result.returncode == 1
    assert _row(result.stdout, "opsmanager")[3:5] == ["no", "-"]
    assert "jobs-gateway check: opsmanager: the opsmanager upstream could not be reached" in (
        result.stderr
    )


def test_missing_settings_exit_two_without_dialing_anything(sandbox: SandboxThread) -> None:
    env = sandbox.sandboxes.gateway_env()
    del env["GATEWAY_AWX_URL"]
    result = _check(env)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "configuration error: missing settings: set GATEWAY_AWX_URL" in result.stderr
    assert TOKEN not in result.stderr
    assert upstream_requests(sandbox, "jobstore") == {}
