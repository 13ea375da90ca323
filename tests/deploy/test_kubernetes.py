"""``deploy/kubernetes``: valid for a pinned Kubernetes version, and the project's rules.

Schemas: kubernetes-validate's, shipped with the package (no network), strict (an unknown
field fails). The resources are those ``kubectl kustomize`` builds, or, without kubectl or
kustomize, the files ``kustomization.yaml`` lists, read the same way.
"""

from __future__ import annotations

import math
from typing import Any

import kubernetes_validate
import pytest
import yaml

from gateway.config import Settings
from tests.deploy.manifests import (
    KUBERNETES,
    Resource,
    assembled_resources,
    built_resources,
    gateway_settings,
    is_secret_setting,
    kubectl_kustomize,
    kustomization,
    load_yaml_documents,
    one,
    pod_specs,
)

KUBERNETES_VERSION = "1.31.0"
"""The Kubernetes version the manifests are checked against (its API, strictly)."""

SECRET_NAME = "jobs-gateway-secrets"
EXAMPLE_SECRET = KUBERNETES / "secret.example.yaml"


@pytest.fixture(scope="module")
def resources() -> list[Resource]:
    return built_resources()


def every_manifest() -> list[tuple[str, Resource]]:
    """Every Kubernetes resource in deploy/kubernetes (the example Secret included)."""
    found = []
    for path in sorted(KUBERNETES.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for resource in load_yaml_documents(path):
            name = f"{path.name}:{resource['kind']}/{resource['metadata']['name']}"
            found.append((name, resource))
    return found


MANIFESTS = every_manifest()


@pytest.mark.parametrize(("where", "resource"), MANIFESTS, ids=[where for where, _ in MANIFESTS])
def test_every_manifest_validates_strictly_against_the_pinned_kubernetes(
    where: str, resource: Resource
) -> None:
    try:
        kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        path = ".".join(str(part) for part in error.path)
        pytest.fail(f"{where}: {path}: {error.message}")


def test_the_strict_validation_refuses_an_unknown_field() -> None:
    service = one(assembled_resources(), "Service", "jobs-gateway")
    broken = yaml.safe_load(yaml.safe_dump(service))
    broken["spec"]["ports"][0]["targetPortt"] = 8000
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_kustomization_lists_every_manifest_but_the_example_secret() -> None:
    listed = set(kustomization()["resources"])
    present = {p.name for p in KUBERNETES.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == present - {EXAMPLE_SECRET.name}


def test_kustomize_builds_what_the_test_assembles() -> None:
    built = kubectl_kustomize()
    if built is None:
        pytest.skip(
            "neither kubectl nor kustomize is installed: the resources are assembled by the test"
        )

    def key(r: Resource) -> tuple[str, str]:
        return (r["kind"], r["metadata"]["name"])

    assert sorted(map(key, built)) == sorted(map(key, assembled_resources()))
    assembled = {key(r): r for r in assembled_resources()}
    for resource in built:
        assert resource == assembled[key(resource)], key(resource)


def test_the_kinds_the_deployment_needs_are_there(resources: list[Resource]) -> None:
    kinds = {(r["kind"], r["metadata"]["name"]) for r in resources}
    assert {
        ("Deployment", "jobs-gateway"),
        ("Service", "jobs-gateway"),
        ("PodDisruptionBudget", "jobs-gateway"),
        ("HorizontalPodAutoscaler", "jobs-gateway"),
        ("ConfigMap", "jobs-gateway"),
        ("Deployment", "jobs-gateway-redis"),
        ("Service", "jobs-gateway-redis"),
    } <= kinds
    assert not any(r["kind"] == "Secret" for r in resources), "a build must ship no Secret"


def _probe_path(container: Resource, probe: str) -> str:
    return str(container[probe]["httpGet"]["path"])


def test_gateway_probes_and_shutdown_timings(resources: list[Resource]) -> None:
    deployment = one(resources, "Deployment", "jobs-gateway")
    assert deployment["spec"]["replicas"] == 3
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert _probe_path(container, "readinessProbe") == "/readyz"
    assert _probe_path(container, "livenessProbe") == "/healthz"
    settings = one(resources, "ConfigMap", "jobs-gateway")["data"]
    defaults = Settings.__dataclass_fields__
    # /readyz may spend GATEWAY_READY_PROBE_TIMEOUT probing the upstreams: the probe waits longer
    probe_timeout = float(settings["GATEWAY_READY_PROBE_TIMEOUT"])
    assert container["readinessProbe"]["timeoutSeconds"] > probe_timeout
    # the grace period covers the preStop sleep, the WebSocket closes and the request grace
    pre_stop = container["lifecycle"]["preStop"]["exec"]["command"]
    assert pre_stop[0] == "sleep"
    from gateway.shutdown import CLOSE_WAIT

    shutdown_grace = float(settings["GATEWAY_SHUTDOWN_GRACE"])
    assert shutdown_grace == defaults["shutdown_grace"].default
    needed = float(pre_stop[1]) + CLOSE_WAIT + math.ceil(shutdown_grace)
    assert pod["terminationGracePeriodSeconds"] > needed
    assert int(pre_stop[1]) >= 5, "the load balancer needs time to drop the endpoint"


def _merged_security(pod: Resource, container: Resource) -> dict[str, Any]:
    merged = dict(pod.get("securityContext", {}))
    merged.update(container.get("securityContext", {}))
    return merged


def test_every_container_is_non_root_with_a_read_only_root(resources: list[Resource]) -> None:
    seen = 0
    for name, pod in pod_specs(resources):
        assert pod.get("automountServiceAccountToken") is False, name
        for container in pod.get("initContainers", []) + pod["containers"]:
            seen += 1
            security = _merged_security(pod, container)
            where = f"{name}/{container['name']}"
            assert security.get("runAsNonRoot") is True, where
            assert isinstance(security.get("runAsUser"), int), where
            assert security["runAsUser"] > 0, where
            assert security.get("readOnlyRootFilesystem") is True, where
            assert security.get("allowPrivilegeEscalation") is False, where
            assert security.get("capabilities", {}).get("drop") == ["ALL"], where
            assert not security.get("capabilities", {}).get("add"), where
            assert security.get("seccompProfile", {}).get("type") == "RuntimeDefault", where
            resources_ = container["resources"]
            assert {"cpu", "memory"} <= set(resources_["requests"]), where
            assert "memory" in resources_["limits"], where
    assert seen == 2


def test_the_gateway_runs_as_the_images_user() -> None:
    dockerfile = (KUBERNETES.parent.parent / "Dockerfile").read_text()
    pod = one(assembled_resources(), "Deployment", "jobs-gateway")["spec"]["template"]["spec"]
    uid = pod["securityContext"]["runAsUser"]
    assert f"--uid {uid}" in dockerfile
    assert f"\nUSER {uid}:" in dockerfile, "a numeric USER, which runAsNonRoot can check"


def _container_env(resources: list[Resource]) -> tuple[Resource, dict[str, Resource]]:
    deployment = one(resources, "Deployment", "jobs-gateway")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return container, {item["name"]: item for item in container.get("env", [])}


def test_every_setting_the_gateway_reads_is_in_the_configmap_or_a_secret_ref(
    resources: list[Resource],
) -> None:
    settings = gateway_settings()
    assert len(settings) > 70  # the derivation found the settings (77 when written)
    configmap = one(resources, "ConfigMap", "jobs-gateway")["data"]
    container, env = _container_env(resources)
    assert {"configMapRef": {"name": "jobs-gateway"}} in container["envFrom"]
    secret_refs = {
        name
        for name, item in env.items()
        if item.get("valueFrom", {}).get("secretKeyRef", {}).get("name") == SECRET_NAME
    }
    missing = sorted(settings - set(configmap) - secret_refs)
    assert not missing, f"settings in no ConfigMap entry nor secret ref: {missing}"
    unknown = sorted((set(configmap) | secret_refs) - settings)
    assert not unknown, f"entries the gateway does not read: {unknown}"
    for name in settings:
        if is_secret_setting(name):
            assert name in secret_refs, f"{name} is a credential: a secretKeyRef, not the ConfigMap"
            assert name not in configmap, name
        else:
            assert name in configmap, f"{name} is not a credential: it belongs in the ConfigMap"
    # each secretKeyRef reads the key of its own name
    for name in secret_refs:
        assert env[name]["valueFrom"]["secretKeyRef"]["key"] == name
    # the Redis password is required (Redis refuses to start without one too)
    assert env["GATEWAY_REDIS_PASSWORD"]["valueFrom"]["secretKeyRef"].get("optional") is not True
    assert "value" not in env.get("GATEWAY_REDIS_PASSWORD", {})


def test_the_configmap_defaults_are_the_gateways_and_load(resources: list[Resource]) -> None:
    from gateway.config import load_settings

    configmap: dict[str, str] = one(resources, "ConfigMap", "jobs-gateway")["data"]
    assert all(isinstance(value, str) for value in configmap.values())
    env = dict(configmap)
    for upstream in ("JOBSTORE", "OPSMANAGER", "AWX"):
        env[f"GATEWAY_{upstream}_TOKEN"] = "placeholder"
    env["GATEWAY_REDIS_PASSWORD"] = "placeholder"
    loaded = load_settings(env)
    defaults = load_settings(
        {
            **{k: v for k, v in env.items() if k.endswith(("_URL", "_TOKEN"))},
            "GATEWAY_REDIS_URL": configmap["GATEWAY_REDIS_URL"],
        }
    )
    # every value but the places is the gateway's own default
    different = [
        field
        for field in Settings.__dataclass_fields__
        if field not in {"jobstore", "opsmanager", "awx", "redis"}
        and getattr(loaded, field) != getattr(defaults, field)
    ]
    assert not different, f"ConfigMap values that are not the defaults: {different}"
    assert loaded.redis is not None
    assert loaded.redis.url == "redis://jobs-gateway-redis:6379/0"
    assert loaded.redis.password == "placeholder"


def test_no_secret_value_in_the_configmap(resources: list[Resource]) -> None:
    configmap: dict[str, str] = one(resources, "ConfigMap", "jobs-gateway")["data"]
    assert not [key for key in configmap if is_secret_setting(key)]
    (example,) = load_yaml_documents(EXAMPLE_SECRET)
    for value in example["stringData"].values():
        assert value not in configmap.values()
    for key, value in configmap.items():
        if key.endswith("_URL") and value:
            assert "@" not in value, f"{key} carries credentials"


def test_the_example_secret_holds_placeholders_for_the_refs(resources: list[Resource]) -> None:
    (example,) = load_yaml_documents(EXAMPLE_SECRET)
    assert example["metadata"]["name"] == SECRET_NAME
    assert all(value.startswith("PLACEHOLDER") for value in example["stringData"].values())
    _, env = _container_env(resources)
    required = {
        name
        for name, item in env.items()
        if "secretKeyRef" in item.get("valueFrom", {})
        and not item["valueFrom"]["secretKeyRef"].get("optional")
    }
    assert required <= set(example["stringData"])


def test_redis_takes_its_password_from_the_secret_and_keeps_nothing(
    resources: list[Resource],
) -> None:
    pod = one(resources, "Deployment", "jobs-gateway-redis")["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    env = {item["name"]: item for item in container["env"]}
    ref = env["REDIS_PASSWORD"]["valueFrom"]["secretKeyRef"]
    assert ref == {"name": SECRET_NAME, "key": "GATEWAY_REDIS_PASSWORD"}
    args = container["args"]
    assert args[args.index("--requirepass") + 1] == "$(REDIS_PASSWORD)"
    assert args[args.index("--save") + 1] == ""
    assert args[args.index("--appendonly") + 1] == "no"
    service = one(resources, "Service", "jobs-gateway-redis")
    url = one(resources, "ConfigMap", "jobs-gateway")["data"]["GATEWAY_REDIS_URL"]
    assert url == f"redis://{service['metadata']['name']}:{service['spec']['ports'][0]['port']}/0"


def test_services_pdb_and_hpa_select_the_pods(resources: list[Resource]) -> None:
    for name in ("jobs-gateway", "jobs-gateway-redis"):
        pod_labels = one(resources, "Deployment", name)["spec"]["template"]["metadata"]["labels"]
        selector = one(resources, "Service", name)["spec"]["selector"]
        assert selector.items() <= pod_labels.items(), name
    gateway_labels = one(resources, "Deployment", "jobs-gateway")["spec"]["template"]["metadata"][
        "labels"
    ]
    pdb = one(resources, "PodDisruptionBudget", "jobs-gateway")["spec"]
    assert pdb["selector"]["matchLabels"].items() <= gateway_labels.items()
    hpa = one(resources, "HorizontalPodAutoscaler", "jobs-gateway")
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "jobs-gateway",
    }
    assert hpa["spec"]["minReplicas"] >= 3
    (metric,) = hpa["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu"
