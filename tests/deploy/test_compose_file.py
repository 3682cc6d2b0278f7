"""deploy/docker-compose.yml loads as `docker compose config` loads it (compose-go: schema,
interpolation, normalization, consistency), needs its secrets, and wires every process."""

from __future__ import annotations

import importlib.util
import os
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "deploy" / "docker-compose.yml"
COMPOSE_CONFIG = Path(os.environ.get("COMPOSE_CONFIG", ROOT / ".run" / "cache" / "bin" / "compose-config"))
CLAIMLINE = {"intake", "coding", "submission", "remittance", "denials", "console", "clearinghouse", "bootstrap"}


def compose_config(**env: str) -> subprocess.CompletedProcess:
    if not COMPOSE_CONFIG.exists():
        pytest.fail(f"{COMPOSE_CONFIG} is missing: make test builds it (deploy/local/ensure_compose_config.sh)")
    clean = {k: v for k, v in os.environ.items() if k not in {"ADMIN_TOKEN", "WEBHOOK_SECRET"}}
    return subprocess.run([str(COMPOSE_CONFIG), str(COMPOSE_FILE)], env={**clean, **env}, capture_output=True,
                          text=True, timeout=60)


@pytest.fixture(scope="module")
def resolved() -> dict:
    loaded = compose_config(ADMIN_TOKEN="admin-token", WEBHOOK_SECRET="whsec_c2VjcmV0")
    assert loaded.returncode == 0, loaded.stderr
    return yaml.safe_load(loaded.stdout)


def test_every_process_and_its_dependencies_are_declared(resolved: dict) -> None:
    services = resolved["services"]
    assert set(services) == CLAIMLINE | {"postgres", "kafka", "otel-collector", "jaeger"}
    for name in CLAIMLINE:
        module = services[name]["command"][2]
        assert importlib.util.find_spec(module) is not None, f"{name} runs {module}, which does not exist"
        assert services[name]["image"].startswith("claimline:")
    for name in CLAIMLINE - {"bootstrap", "clearinghouse"}:
        assert services[name]["depends_on"]["bootstrap"]["condition"] == "service_completed_successfully"
        assert services[name]["environment"]["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel-collector:4318"
        assert "readyz" in " ".join(services[name]["healthcheck"]["test"]) or name == "console"
    kafka = services["kafka"]["environment"]
    assert kafka["KAFKA_PROCESS_ROLES"] == "broker,controller", "Kafka runs in KRaft mode"
    assert services["bootstrap"]["depends_on"]["kafka"]["condition"] == "service_healthy"


def test_secrets_are_required(resolved: dict) -> None:
    missing = compose_config(WEBHOOK_SECRET="whsec_c2VjcmV0")
    assert missing.returncode != 0 and "ADMIN_TOKEN" in missing.stderr
    assert resolved["services"]["intake"]["environment"]["ADMIN_TOKEN"] == "admin-token"


def test_the_collector_redacts_before_jaeger(resolved: dict) -> None:
    collector = yaml.safe_load((ROOT / "deploy" / "otel-collector.yaml").read_text())
    traces = collector["service"]["pipelines"]["traces"]
    assert "redaction" in traces["processors"] and traces["exporters"] == ["otlp/jaeger"]
    redaction = collector["processors"]["redaction"]
    assert redaction["allow_all_keys"] is False
    assert {"claim.id", "tenant.id", "payer.id", "claim.stage"} <= set(redaction["allowed_keys"])
    volume = resolved["services"]["otel-collector"]["volumes"][0]
    assert Path(volume["source"]) == ROOT / "deploy" / "otel-collector.yaml"
