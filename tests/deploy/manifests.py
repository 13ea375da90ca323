"""Reading ``deploy/``: the Kubernetes resources as kustomize builds them, and the settings
the gateway reads (derived from :mod:`gateway.config`, so a new setting is seen here)."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from gateway import config
from gateway.upstream_names import Upstream

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
CONFIG_SOURCE = Path(config.__file__)

Resource = dict[str, Any]

SECRET_SUFFIXES = ("_TOKEN", "_PASSWORD", "_CLIENT_SECRET")
"""A setting whose name ends so holds a credential: a Secret's, never a ConfigMap's."""

INTERNAL_SETTINGS = frozenset({"GATEWAY_UVICORN_LOG_LEVEL"})
"""Set by ``jobs-gateway serve`` itself for its ``--workers`` processes, not by an operator."""


def load_yaml_documents(path: Path) -> list[Resource]:
    """The non-empty documents of one YAML file."""
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def kustomization() -> Resource:
    """``deploy/kubernetes/kustomization.yaml``."""
    docs = load_yaml_documents(KUBERNETES / "kustomization.yaml")
    assert len(docs) == 1
    return docs[0]


def _add_labels(resource: Resource, labels: dict[str, str]) -> None:
    resource.setdefault("metadata", {}).setdefault("labels", {}).update(labels)


def assembled_resources() -> list[Resource]:
    """The resources of ``kustomization.yaml``, read as kustomize would for what it uses.

    Only ``resources`` and ``labels`` (metadata labels, no selectors) are supported; a
    kustomization using anything else fails here, so this never silently differs from
    ``kubectl kustomize``.
    """
    kust = kustomization()
    supported = {"apiVersion", "kind", "resources", "labels"}
    assert set(kust) <= supported, f"assembled_resources cannot emulate {set(kust) - supported}"
    labels: dict[str, str] = {}
    for entry in kust.get("labels", []):
        assert not entry.get("includeSelectors"), "selector labels are not emulated"
        labels.update(entry["pairs"])
    resources: list[Resource] = []
    for name in kust["resources"]:
        for resource in load_yaml_documents(KUBERNETES / name):
            _add_labels(resource, labels)
            resources.append(resource)
    return resources


def kubectl_kustomize() -> list[Resource] | None:
    """``kubectl kustomize deploy/kubernetes`` (or ``kustomize build``); None without either."""
    if shutil.which("kubectl"):
        command = ["kubectl", "kustomize", str(KUBERNETES)]
    elif shutil.which("kustomize"):
        command = ["kustomize", "build", str(KUBERNETES)]
    else:
        return None
    out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=60)  # noqa: S603
    return [doc for doc in yaml.safe_load_all(out.stdout) if doc]


def built_resources() -> list[Resource]:
    """What ``kubectl apply -k deploy/kubernetes`` would send (emulated without kubectl)."""
    built = kubectl_kustomize()
    return assembled_resources() if built is None else built


def pod_specs(resources: list[Resource]) -> Iterator[tuple[str, Resource]]:
    """``(workload name, pod spec)`` of every workload."""
    for resource in resources:
        if resource["kind"] in {"Deployment", "StatefulSet", "DaemonSet", "Job"}:
            yield resource["metadata"]["name"], resource["spec"]["template"]["spec"]


def one(resources: list[Resource], kind: str, name: str) -> Resource:
    """The resource of this kind and name (exactly one)."""
    found = [r for r in resources if r["kind"] == kind and r["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} found"
    return found[0]


class _RecordingEnv(dict[str, str]):
    """An environment that remembers every key looked up."""

    def __init__(self, values: dict[str, str]) -> None:
        super().__init__(values)
        self.read: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)


def _refused_settings() -> set[str]:
    """Settings the gateway reads only to refuse them for an upstream that lacks the feature."""
    refused: set[str] = set()
    for upstream in Upstream:
        prefix = f"GATEWAY_{upstream.value.upper()}_"
        if upstream not in config.BASIC_AUTH_UPSTREAMS:
            refused |= {prefix + "USERNAME", prefix + "PASSWORD"}
        if upstream not in config.OAUTH_UPSTREAMS:
            refused |= {prefix + s for s in ("TOKEN_URL", "CLIENT_ID", "CLIENT_SECRET", "SCOPE")}
    return refused


def gateway_settings() -> set[str]:
    """Every ``GATEWAY_*`` setting the gateway reads, from :mod:`gateway.config` itself.

    The union of what :func:`gateway.config.load_settings` looks up in a complete
    environment (Redis on, so its companions are read too) and every ``GATEWAY_*`` name
    the module's source spells out (its docstring included; ``<UP>`` and
    ``prefix + "X"`` expanded for the three upstreams), less the per-upstream settings
    that exist only to be refused (basic auth on the jobs store, OAuth2 on AWX).
    """
    env = {"GATEWAY_REDIS_URL": "redis://redis.invalid:6379/0"}
    for upstream in Upstream:
        env[f"GATEWAY_{upstream.value.upper()}_URL"] = f"http://{upstream.value}.invalid"
        env[f"GATEWAY_{upstream.value.upper()}_TOKEN"] = "t"
    recording = _RecordingEnv(env)
    config.load_settings(recording)
    names = {key for key in recording.read if key.startswith("GATEWAY_")}
    source = CONFIG_SOURCE.read_text()
    names |= set(re.findall(r"\bGATEWAY_[A-Z0-9]+(?:_[A-Z0-9]+)*\b", source))
    suffixes = set(re.findall(r"GATEWAY_<UP>_([A-Z0-9_]*[A-Z0-9])", source))
    suffixes |= set(re.findall(r'prefix \+ "([A-Z0-9_]+)"', source))
    for upstream in Upstream:
        names |= {f"GATEWAY_{upstream.value.upper()}_{suffix}" for suffix in suffixes}
    # TOKEN_IN_QUERY is the operations manager's alone (its login-token style)
    others = (u for u in Upstream if u is not Upstream.OPSMANAGER)
    names -= {f"GATEWAY_{u.value.upper()}_TOKEN_IN_QUERY" for u in others}
    return names - _refused_settings() - INTERNAL_SETTINGS


def is_secret_setting(name: str) -> bool:
    """Whether a setting holds a credential."""
    return name.endswith(SECRET_SUFFIXES)
