"""deploy/kubernetes/ checked without a cluster: every manifest against the Kubernetes schemas
kubernetes-validate ships (offline, strict), the variables the code reads, probes on real
endpoints, graceful shutdown, disruption budgets, the frontend's network policy, and the Helm
values of the Temporal cluster (PostgreSQL, the versions the tests run on, a read-only UI)."""

from __future__ import annotations

import re
from typing import Any

import kubernetes_validate
import pytest
import yaml

from mnd.api.__main__ import GRACEFUL_SHUTDOWN_SECONDS
from mnd.api.routes.health import router as health_router
from mnd.settings import Settings
from tests.unit.deployment import (
    ROOT,
    dev_server_versions,
    image_tag,
    unknown_variables,
    worker_stop_seconds,
)

K8S = ROOT / "deploy" / "kubernetes"
# The oldest Kubernetes the manifests are meant for: 1.31 is past its upstream end of life
# (October 2025; upstream maintains the three newest minors), but managed clusters on extended
# support still run it. Each manifest is also validated against the newest schemas the
# installed kubernetes-validate ships, so a field removed or renamed since fails too.
KUBERNETES_VERSION = "1.31.0"
KUBERNETES_VERSIONS = sorted({KUBERNETES_VERSION, kubernetes_validate.latest_version()})
NOT_MANIFESTS = {"kustomization.yaml", "temporal-values.yaml"}
MANIFEST_FILES = sorted(p.name for p in K8S.glob("*.yaml") if p.name not in NOT_MANIFESTS)
DOCS: list[dict[str, Any]] = [
    doc for name in MANIFEST_FILES for doc in yaml.safe_load_all((K8S / name).read_text()) if doc
]
VALUES: dict[str, Any] = yaml.safe_load((K8S / "temporal-values.yaml").read_text())
APP_IMAGE = "mnd-orchestrator"
# The Temporal Helm chart whose templates temporal-values.yaml was checked against (its comment
# says why); the install commands must name it.
HELM_CHART_VERSION = "1.6.0"


def _find(kind: str, name: str) -> dict[str, Any]:
    return next(d for d in DOCS if d["kind"] == kind and d["metadata"]["name"] == name)


def _pod_specs() -> list[dict[str, Any]]:
    return [d["spec"]["template"]["spec"] for d in DOCS if d["kind"] in {"Deployment", "Job"}]


def _container(kind: str, name: str) -> dict[str, Any]:
    containers: list[dict[str, Any]] = _find(kind, name)["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


def _env(container: dict[str, Any]) -> dict[str, str]:
    """The container's variables: the ConfigMap it loads, then its own (values or refs)."""
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        env.update(_find("ConfigMap", source["configMapRef"]["name"])["data"])
    for var in container.get("env", []):
        env[var["name"]] = var["value"] if "value" in var else f"<{next(iter(var['valueFrom']))}>"
    return env


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("doc", DOCS, ids=[f"{d['kind']}/{d['metadata']['name']}" for d in DOCS])
def test_manifest_matches_the_kubernetes_schema(doc: dict[str, Any], version: str) -> None:
    error = None
    try:
        kubernetes_validate.validate(doc, version, strict=True)
    except kubernetes_validate.ValidationError as exc:
        error = f"{'.'.join(map(str, exc.path))}: {exc.message}"
    except kubernetes_validate.SchemaNotFoundError:
        error = f"{doc['apiVersion']} {doc['kind']}: not served by Kubernetes {version}"
    # Outside the handler, so the report is this line and not the whole schema.
    assert error is None, error


def test_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    assert sorted(kustomization["resources"]) == MANIFEST_FILES
    assert [image["name"] for image in kustomization["images"]] == [APP_IMAGE]


def test_every_variable_is_read_by_the_code(monkeypatch: pytest.MonkeyPatch) -> None:
    for spec in _pod_specs():
        for container in spec["containers"]:
            env = _env(container)
            if container["image"] != APP_IMAGE:
                continue
            assert not unknown_variables(set(env)), f"{container['name']}: nothing reads them"
            for var in container.get("env", []):
                ref = var.get("valueFrom", {}).get("secretKeyRef")
                assert ref is None or ref == {**ref, "name": "mnd-secrets", "key": var["name"]}
    # What a replica builds from the ConfigMap (secrets filled in) is a valid production config.
    for key, value in _find("ConfigMap", "mnd-config")["data"].items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("MND_SECRET_KEY", "k" * 43)
    settings = Settings()
    assert settings.environment == "production" and settings.db_auto_migrate is False


def test_namespace_job_runs_the_compose_script() -> None:
    script = (ROOT / "deploy" / "temporal-namespace.sh").read_text()
    assert (
        _find("ConfigMap", "temporal-namespace-script")["data"]["temporal-namespace.sh"] == script
    )
    container = _container("Job", "temporal-namespace")
    assert (
        image_tag(container["image"], "temporalio/admin-tools") == dev_server_versions()["server"]
    )
    env = _env(container)
    assert set(env) == {"TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "NAMESPACE_RETENTION"}
    assert all(f"${{{name}:-" in script for name in env)


def test_probes_hit_real_endpoints() -> None:
    api = _container("Deployment", "mnd-api")
    routes = {getattr(route, "path", "") for route in health_router.routes}
    assert api["readinessProbe"]["httpGet"]["path"] in routes
    # Liveness must not follow Temporal or the database: an outage would restart every replica.
    assert "tcpSocket" in api["livenessProbe"]
    worker = _container("Deployment", "mnd-worker")
    metrics_port = int(_env(worker)["MND_METRICS_BIND"].rsplit(":", 1)[1])
    assert {p["name"]: p["containerPort"] for p in worker["ports"]} == {"metrics": metrics_port}
    for probe in ("startupProbe", "livenessProbe"):
        assert worker[probe]["httpGet"] == {"path": "/metrics", "port": "metrics"}


@pytest.mark.parametrize("name", ["mnd-worker", "mnd-api"])
def test_deployment_resources_budget_and_service(name: str) -> None:
    deployment = _find("Deployment", name)
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    resources = _container("Deployment", name)["resources"]
    assert resources["requests"]["memory"] and resources["limits"]["memory"]
    assert deployment["spec"]["replicas"] >= 2
    budget = _find("PodDisruptionBudget", name)["spec"]
    assert budget["selector"]["matchLabels"].items() <= labels.items()
    assert budget.get("maxUnavailable", 1) == 1 and budget.get("minAvailable", 1) >= 1
    services = [
        d
        for d in DOCS
        if d["kind"] == "Service" and d["spec"]["selector"] == {"app.kubernetes.io/name": name}
    ]
    assert services, f"no Service selects {name}"


def test_worker_shuts_down_within_the_grace_period() -> None:
    spec = _find("Deployment", "mnd-worker")["spec"]["template"]["spec"]
    # From the code and the container's own variables: raising GRACEFUL_SHUTDOWN or the SMTP
    # timeout past the grace period fails here, instead of the kubelet killing a mail send.
    needed = worker_stop_seconds(_env(_container("Deployment", "mnd-worker")))
    assert spec["terminationGracePeriodSeconds"] > needed


def test_api_shuts_down_within_the_grace_period() -> None:
    spec = _find("Deployment", "mnd-api")["spec"]["template"]["spec"]
    # The grace period counts from before preStop: the sleep that lets the endpoint leave the
    # Service, then uvicorn's bounded drain of the requests in flight (and a margin for the
    # app's own shutdown, which is why this is strict).
    command = _container("Deployment", "mnd-api")["lifecycle"]["preStop"]["exec"]["command"]
    assert command[0] == "sleep"
    needed = int(command[1]) + GRACEFUL_SHUTDOWN_SECONDS
    assert spec["terminationGracePeriodSeconds"] > needed


def test_frontend_network_policy_admits_only_the_sale_clients() -> None:
    policy = _find("NetworkPolicy", "temporal-frontend-clients")
    assert policy["metadata"]["namespace"] == "temporal"
    assert policy["spec"]["podSelector"]["matchLabels"] == {
        "app.kubernetes.io/component": "frontend"
    }
    [rule] = policy["spec"]["ingress"]
    in_namespace, from_mnd = rule["from"]
    assert in_namespace == {"podSelector": {}}
    [expression] = from_mnd["podSelector"]["matchExpressions"]
    clients = {"mnd-worker", "mnd-api", "temporal-namespace"}
    assert expression["operator"] == "In" and set(expression["values"]) == clients
    for name in clients:
        kind = "Job" if name == "temporal-namespace" else "Deployment"
        pod = _find(kind, name)["spec"]["template"]["metadata"]
        assert pod["labels"]["app.kubernetes.io/name"] == name


def test_helm_values_point_at_postgresql_and_the_tested_versions() -> None:
    versions = dev_server_versions()
    assert (
        image_tag(
            f"{VALUES['server']['image']['repository']}:{VALUES['server']['image']['tag']}",
            "temporalio/server",
        )
        == versions["server"]
    )
    assert VALUES["admintools"]["image"]["tag"] == versions["server"]
    assert VALUES["web"]["image"]["tag"] == versions["ui"]
    persistence = VALUES["server"]["config"]["persistence"]
    stores = persistence["datastores"]
    databases = set()
    for store in (persistence["defaultStore"], persistence["visibilityStore"]):
        sql = stores[store]["sql"]
        assert sql["pluginName"] == "postgres12"
        assert sql["createDatabase"] is True and sql["manageSchema"] is True
        assert sql["existingSecret"] and "password" not in sql
        databases.add(sql["databaseName"])
    assert len(databases) == 2
    assert persistence["numHistoryShards"] == 512
    compose_config = yaml.safe_load((ROOT / "deploy" / "temporal-dynamicconfig.yaml").read_text())
    assert VALUES["server"]["dynamicConfig"] == compose_config
    web_env = {var["name"]: var["value"] for var in VALUES["web"]["additionalEnv"]}
    assert web_env["TEMPORAL_DISABLE_WRITE_ACTIONS"] == "true"
    # Server 1.30 and later need none of the chart's compatibility shims (1.6.0 enables them).
    assert VALUES["shims"] == {"dockerize": False, "elasticsearchTool": False}
    # The ConfigMap's address is the frontend Service of release `temporal` in `temporal`.
    address = _find("ConfigMap", "mnd-config")["data"]["TEMPORAL_ADDRESS"]
    assert address == "temporal-frontend.temporal.svc.cluster.local:7233"


def test_helm_install_names_the_checked_chart_version() -> None:
    # An install of another chart version may render these values differently (or ignore them).
    for path in (K8S / "temporal-values.yaml", ROOT / "README.md"):
        text = " ".join(path.read_text().split())  # the README wraps the command
        versions = set(re.findall(r"helm install temporal temporal .*?--version (\S+)", text))
        assert versions == {HELM_CHART_VERSION}, f"{path.name}: {versions}"
