"""``deploy/compose.yaml``: 3 gateway replicas, Redis and the sandbox behind haproxy.

``docker compose config`` checks the file where the compose plugin is installed (it needs
no daemon); everywhere, the structure is read and checked against the gateway's own
settings and CLI, and ``haproxy -c`` checks the load balancer's file where haproxy is.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from gateway.cli import build_parser
from gateway.config import Settings
from gateway.shutdown import CLOSE_WAIT
from tests.deploy.manifests import DEPLOY, ROOT, gateway_settings

COMPOSE = DEPLOY / "compose.yaml"
HAPROXY = DEPLOY / "haproxy.cfg"


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    compose = yaml.safe_load(COMPOSE.read_text())
    found: dict[str, Any] = compose["services"]
    return found


def _compose_plugin() -> bool:
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(
        ["docker", "compose", "version"],  # noqa: S607
        capture_output=True,
        check=False,
        timeout=30,
    )
    return probe.returncode == 0


def test_docker_compose_accepts_the_file() -> None:
    if not _compose_plugin():
        pytest.skip("the docker CLI's compose plugin is not installed: structure checked below")
    result = subprocess.run(  # noqa: S603 - fixed arguments
        ["docker", "compose", "-f", str(COMPOSE), "config", "-q"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_haproxy_accepts_its_configuration() -> None:
    if shutil.which("haproxy") is None:
        pytest.skip("haproxy is not installed: its file's structure is checked below")
    result = subprocess.run(  # noqa: S603 - fixed arguments
        ["haproxy", "-c", "-f", str(HAPROXY)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_services_and_the_three_gateway_replicas(services: dict[str, Any]) -> None:
    assert set(services) == {"redis", "sandbox", "gateway", "lb"}
    assert services["gateway"]["deploy"]["replicas"] == 3
    assert "ports" not in services["gateway"], "the replicas are reached through the lb only"
    for name, service in services.items():
        assert service["healthcheck"]["test"], name
        assert service.get("read_only") is True, name
        assert service.get("cap_drop") == ["ALL"], name
        assert "no-new-privileges:true" in service.get("security_opt", []), name


def test_builds_use_files_that_exist_and_images_run_as_non_root(
    services: dict[str, Any],
) -> None:
    for name in ("gateway", "sandbox"):
        build = services[name]["build"]
        context = (COMPOSE.parent / build["context"]).resolve()
        assert context == ROOT, name
        dockerfile = context / build.get("dockerfile", "Dockerfile")
        text = dockerfile.read_text()
        final_stage = text.rsplit("\nFROM ", 1)[-1]
        users = re.findall(r"^USER (\S+)", final_stage, flags=re.MULTILINE)
        assert users, f"{dockerfile.name} sets no USER"
        assert users[-1].split(":")[0] not in {"0", "root"}, dockerfile.name
    assert services["redis"]["user"] not in {"0", "root"}


def _sandbox_ports() -> dict[str, int]:
    args = build_parser().parse_args(["sandbox"])
    return {
        "JOBSTORE": args.jobstore_port,
        "OPSMANAGER": args.opsmanager_port,
        "AWX": args.awx_port,
    }


def test_the_gateways_point_at_the_sandbox_and_redis(services: dict[str, Any]) -> None:
    env: dict[str, str] = services["gateway"]["environment"]
    for upstream, port in _sandbox_ports().items():
        assert env[f"GATEWAY_{upstream}_URL"] == f"http://sandbox:{port}"
        assert env[f"GATEWAY_{upstream}_TOKEN"] == "sandbox-token"
    assert env["GATEWAY_REDIS_URL"] == "redis://redis:6379/0"
    redis_password = env["GATEWAY_REDIS_PASSWORD"]
    command = services["redis"]["command"]
    assert command[command.index("--requirepass") + 1] == redis_password
    # no setting the gateway does not read (a typo would be silently ignored)
    unknown = sorted(set(env) - gateway_settings())
    assert not unknown, unknown
    sandbox_command = services["sandbox"]["command"]
    assert sandbox_command[:2] == ["jobs-gateway", "sandbox"]
    # the sandbox binds 127.0.0.1 by default: unreachable from the gateways' containers
    assert sandbox_command[sandbox_command.index("--host") + 1] == "0.0.0.0"  # noqa: S104
    depends = services["gateway"]["depends_on"]
    assert depends == {
        "redis": {"condition": "service_healthy"},
        "sandbox": {"condition": "service_healthy"},
    }


def test_the_load_balancer_spreads_over_the_ready_replicas(services: dict[str, Any]) -> None:
    lb = services["lb"]
    assert lb["image"].startswith("haproxy:")
    (mount,) = lb["volumes"]
    source, target, mode = mount.split(":")
    assert (COMPOSE.parent / source).resolve() == HAPROXY
    assert target == "/usr/local/etc/haproxy/haproxy.cfg"
    assert mode == "ro"
    config = HAPROXY.read_text()
    (port_mapping,) = lb["ports"]
    published_to = port_mapping.rsplit(":", 1)[1]
    assert re.search(rf"^\s*bind :{published_to}$", config, flags=re.MULTILINE)
    assert re.search(r"^\s*option httpchk GET /readyz$", config, flags=re.MULTILINE)
    server = re.search(r"^\s*server-template \S+ 1-(\d+) (\S+):(\d+) ", config, re.MULTILINE)
    assert server is not None
    assert int(server.group(1)) >= services["gateway"]["deploy"]["replicas"]
    assert server.group(2) == "gateway"
    assert server.group(3) == "8000"
    assert "timeout tunnel" in config, "WebSocket subscriptions need a tunnel timeout"
    assert lb["depends_on"] == {"gateway": {"condition": "service_healthy"}}


def test_a_stopping_gateway_gets_its_shutdown_grace(services: dict[str, Any]) -> None:
    grace = services["gateway"]["stop_grace_period"]
    assert grace.endswith("s")
    shutdown_grace = Settings.__dataclass_fields__["shutdown_grace"].default
    assert isinstance(shutdown_grace, float)
    assert int(grace[:-1]) > math.ceil(shutdown_grace) + CLOSE_WAIT


def test_the_readme_says_how_to_start_it() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "docker compose -f deploy/compose.yaml up" in readme
    assert Path(ROOT / "deploy" / "sandbox.Dockerfile").is_file()
