"""docker-compose.yml checked without a Docker engine: services, pinned images, the variables
the code reads, the search attributes the workflow upserts, and ports that do not collide."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from mnd.settings import Settings
from workflows.search_attributes import ALL_KEYS

ROOT = Path(__file__).parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
APP_SERVICES = {name for name, s in SERVICES.items() if s.get("build") == "."}
# What temporalio.envconfig reads (ClientConfig.load_client_connect_config).
TEMPORAL_VARS = {
    "TEMPORAL_ADDRESS",
    "TEMPORAL_NAMESPACE",
    "TEMPORAL_API_KEY",
    "TEMPORAL_TLS",
    "TEMPORAL_PROFILE",
    "TEMPORAL_CONFIG_FILE",
}
CLI_TYPES = {
    "KEYWORD": "Keyword",
    "KEYWORD_LIST": "KeywordList",
    "DATETIME": "Datetime",
    "INT": "Int",
    "BOOL": "Bool",
    "DOUBLE": "Double",
    "TEXT": "Text",
}


def test_services_of_the_production_stack() -> None:
    assert {
        "postgresql",
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
    else:
        dockerfile = (ROOT / "Dockerfile").read_text()
        base = re.search(r"^FROM (\S+)", dockerfile, re.M)
        assert base and re.search(r":\d+\.\d+\.\d+", base.group(1)), (
            "Dockerfile base image not pinned"
        )


def _app_env(name: str) -> dict[str, str]:
    return {k: str(v) for k, v in SERVICES[name].get("environment", {}).items()}


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_every_variable_is_read_by_the_code(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    env = _app_env(name)
    fields = {f"MND_{field.upper()}" for field in Settings.model_fields}
    unknown = {k for k in env if k.startswith("MND_") and k not in fields}
    assert not unknown, f"{name}: variables no setting reads: {unknown}"
    assert {k for k in env if k.startswith("TEMPORAL_")} <= TEMPORAL_VARS
    assert not {k for k in env if not k.startswith(("MND_", "TEMPORAL_"))}
    # The values parse: the settings a service would build from its environment are valid.
    for key, value in env.items():
        monkeypatch.setenv(
            key,
            value.replace(
                "${MND_SECRET_KEY:?set MND_SECRET_KEY (signs the client approval links)}", "s3cr3t"
            ),
        )
    settings = Settings()
    if name != "migrate":
        assert settings.environment == "production" and settings.db_auto_migrate is False
        assert settings.smtp_host == "mailpit"


def test_secret_key_is_required_in_production() -> None:
    with pytest.raises(ValueError, match="MND_SECRET_KEY"):
        Settings(environment="production")


def test_search_attributes_registered_match_the_workflow() -> None:
    script = (ROOT / "deploy" / "register-search-attributes.sh").read_text()
    registered = dict(re.findall(r"^\s+(Mnd\w+)=(\w+)", script, re.M))
    expected = {key.name: CLI_TYPES[key.indexed_value_type.name] for key in ALL_KEYS}
    assert registered == expected


def test_host_ports_do_not_collide() -> None:
    published = [p.split(":")[0] for s in SERVICES.values() for p in s.get("ports", [])]
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
