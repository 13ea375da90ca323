"""The ``jobs-gateway`` command: schema, sandbox start-up faults, bad configuration."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from gateway.config import load_settings
from sandbox.faults import FaultMode, parse_fault_options
from sandbox.server import SandboxSet
from sandbox.settings import SANDBOX_TOKEN
from tests.conftest import CONTROL

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "gateway.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=ROOT,
        check=False,
    )


def test_schema_command_prints_the_committed_sdl() -> None:
    result = _cli("schema")
    assert result.returncode == 0
    assert result.stdout == (ROOT / "schema.graphql").read_text()


def test_fault_options_parse_per_upstream() -> None:
    faults = parse_fault_options(['awx={"mode": "503", "error_rate": 0.5}'], 20.0)
    assert set(faults) == {"awx"}
    assert faults["awx"].mode is FaultMode.UNAVAILABLE_503
    assert faults["awx"].error_rate == 0.5
    assert faults["awx"].latency_ms == 20.0


@pytest.mark.parametrize(
    "option",
    [
        "nosuch={}",
        "awx",
        "awx=not json",
        "awx=[1]",
        'awx={"mode": "explode"}',
        'awx={"x": 1}',
        'awx={"error_rate": 2}',
    ],
)
def test_bad_fault_options_are_refused(option: str) -> None:
    with pytest.raises(ValueError, match=r"--faults"):
        parse_fault_options([option], 0.0)


def test_sandbox_starts_with_faults(free_port: int) -> None:
    process = subprocess.Popen(  # noqa: S603 - our own CLI
        [
            sys.executable,
            "-m",
            "gateway.cli",
            "sandbox",
            "--only",
            "awx",
            "--awx-port",
            str(free_port),
            "--faults",
            'awx={"mode": "500", "error_rate": 1.0}',
        ],
        cwd=ROOT,
    )
    try:
        base = f"http://127.0.0.1:{free_port}"
        for _ in range(300):
            try:
                faults = CONTROL.get(f"{base}/_sandbox/faults").json()
                break
            except httpx.TransportError:
                time.sleep(0.05)
        else:
            raise AssertionError("the sandbox did not start")
        assert faults["mode"] == "500"
        response = CONTROL.get(
            f"{base}/api/v2/workflow_jobs/", headers={"Authorization": "Bearer sandbox-token"}
        )
        assert response.status_code == 500
        assert response.json() == {"detail": "Internal Server Error"}
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_without_upstream_settings_names_them_all() -> None:
    result = _cli("serve", env={"PATH": "", "GATEWAY_AWX_AUTH_MODE": "forward"})
    assert result.returncode == 2
    assert "GATEWAY_JOBSTORE_URL, GATEWAY_JOBSTORE_TOKEN, GATEWAY_OPSMANAGER_URL" in result.stderr
    assert "GATEWAY_AWX_URL" in result.stderr
    assert "GATEWAY_AWX_TOKEN" not in result.stderr  # forward mode needs none
    assert "Traceback" not in result.stderr


def test_demo_settings_reach_the_sandboxes_with_their_token() -> None:
    sandboxes = SandboxSet.create(ports={"jobstore": 18101, "opsmanager": 18102, "awx": 18103})
    # What `serve --demo` does: the sandboxes' settings over whatever the shell had.
    env = {"GATEWAY_AWX_URL": "https://awx.example.test", "GATEWAY_AWX_TOKEN": "real"}
    env.update(sandboxes.gateway_env())
    settings = load_settings(env)
    assert settings.jobstore.url == "http://127.0.0.1:18101"
    assert settings.opsmanager.url == "http://127.0.0.1:18102"
    assert settings.awx.url == "http://127.0.0.1:18103"
    for upstream in (settings.jobstore, settings.opsmanager, settings.awx):
        assert upstream.token == SANDBOX_TOKEN


def test_serve_with_bad_configuration_names_the_setting() -> None:
    result = _cli("serve", env={"GATEWAY_AWX_TIMEOUT": "soon", "PATH": ""})
    assert result.returncode == 2
    assert "GATEWAY_AWX_TIMEOUT" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
