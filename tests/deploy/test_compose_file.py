"""deploy/docker-compose.yml loads as `docker compose config` loads it (compose-go: schema,
interpolation, normalization, consistency), needs its secrets, wires every process, and is hardened:
no default passwords, images pinned by digest, capabilities dropped, no simulator, a role and only the
secrets it uses per process. Each service runs as two processes that scale apart: `<service>`, its HTTP
API (`python -m services.<service> api`), and `<service>-worker`, its consumers, outbox relay and loops
(`... worker`). deploy/docker-compose.dev.yml adds the simulator and Jaeger for development."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "deploy" / "docker-compose.yml"
DEV_FILE = ROOT / "deploy" / "docker-compose.dev.yml"
COMPOSE_CONFIG = Path(os.environ.get("COMPOSE_CONFIG", ROOT / ".run" / "cache" / "bin" / "compose-config"))
SERVICES = ("intake", "coding", "submission", "remittance", "denials")
WORKERS = {f"{service}-worker": service for service in SERVICES}
CLAIMLINE = {*SERVICES, *WORKERS, "console", "bootstrap"}
SECRETS = {"ADMIN_TOKEN": "admin-token", "ADMIN_TOKEN_SHA256": hashlib.sha256(b"admin-token").hexdigest(),
           "WEBHOOK_SECRET": "whsec_c2VjcmV0", "POSTGRES_PASSWORD": "pg-owner",
           "OAUTH_SIGNING_KEY": "oauth-seed", "TENANT_EVENTS_SIGNING_KEY": "tenant-events-seed",
           **{f"{s.upper()}_DATABASE_PASSWORD": f"{s}-password" for s in SERVICES}}
SETTINGS = {"TENANT_EVENTS_TRUSTED_KEYS": "public-key", "CLEARINGHOUSE_URL": "https://clearinghouse.example",
            "TRACES_BACKEND_ENDPOINT": "tempo:4317"}
# Each process's secrets; a service's database password travels inside its DATABASE_URL. Every API checks
# the operator's token by its hash (its admin API); only the console, which signs in with it, holds the
# token. Intake's worker announces the public half of the token key the API signs with (the announcement
# is a signed tenants-topic record), so it holds both of intake's keys; the other workers hold no secret.
PROCESS_SECRETS = {"intake": {"ADMIN_TOKEN_SHA256", "OAUTH_SIGNING_KEY", "TENANT_EVENTS_SIGNING_KEY"},
                   "intake-worker": {"OAUTH_SIGNING_KEY", "TENANT_EVENTS_SIGNING_KEY"},
                   "coding": {"ADMIN_TOKEN_SHA256"}, "denials": {"ADMIN_TOKEN_SHA256"},
                   "submission": {"ADMIN_TOKEN_SHA256", "WEBHOOK_SECRET"},
                   "remittance": {"ADMIN_TOKEN_SHA256", "WEBHOOK_SECRET"}, "console": {"ADMIN_TOKEN"},
                   "bootstrap": {f"{s.upper()}_DATABASE_PASSWORD" for s in SERVICES}}
# Ports published on the host today: intake's API and the console. A worker publishes none.
PUBLISHED = {"intake": "8001", "console": "8010"}


def compose_config(*files: Path, **env: str) -> subprocess.CompletedProcess:
    if not COMPOSE_CONFIG.exists():
        pytest.fail(f"{COMPOSE_CONFIG} is missing: make test builds it (deploy/local/ensure_compose_config.sh)")
    clean = {k: v for k, v in os.environ.items() if k not in {*SECRETS, *SETTINGS}}
    return subprocess.run([str(COMPOSE_CONFIG), *(str(f) for f in files or (COMPOSE_FILE,))],
                          env={**clean, **env}, capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def resolved() -> dict:
    loaded = compose_config(**SECRETS, **SETTINGS)
    assert loaded.returncode == 0, loaded.stderr
    return yaml.safe_load(loaded.stdout)


def test_every_process_and_its_dependencies_are_declared(resolved: dict) -> None:
    services = resolved["services"]
    assert set(services) == CLAIMLINE | {"postgres", "kafka", "otel-collector"}
    for name in CLAIMLINE:
        module = services[name]["command"][2]
        assert importlib.util.find_spec(module) is not None, f"{name} runs {module}, which does not exist"
        assert services[name]["image"].startswith("claimline:")
    for name in CLAIMLINE - {"bootstrap"}:
        assert services[name]["depends_on"]["bootstrap"]["condition"] == "service_completed_successfully"
        assert services[name]["environment"]["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel-collector:4318"
        assert "readyz" in " ".join(services[name]["healthcheck"]["test"]) or name == "console"
    kafka = services["kafka"]["environment"]
    assert kafka["KAFKA_PROCESS_ROLES"] == "broker,controller", "Kafka runs in KRaft mode"
    assert services["bootstrap"]["depends_on"]["kafka"]["condition"] == "service_healthy"


def test_each_service_runs_its_api_and_its_workers_as_processes_of_their_own(resolved: dict) -> None:
    services = resolved["services"]
    for service in SERVICES:
        assert services[service]["command"] == ["python", "-m", f"services.{service}", "api"], service
        worker = services[f"{service}-worker"]
        assert worker["command"] == ["python", "-m", f"services.{service}", "worker"], service
        # A worker serves only /healthz, /readyz and /metrics, on its own port inside its container.
        assert "readyz" in " ".join(worker["healthcheck"]["test"]) and worker["environment"]["HTTP_PORT"] == "8000"
    published = {name: [port["published"] for port in service.get("ports", [])]
                 for name, service in services.items() if name in CLAIMLINE}
    assert {name: ports for name, ports in published.items() if ports} == {
        name: [port] for name, port in PUBLISHED.items()}


def test_callers_reach_the_api_processes(resolved: dict) -> None:
    """The console and denials call services by name: each name is an API process (a worker has no routes)."""
    services = resolved["services"]
    console = services["console"]["environment"]
    for service in SERVICES:
        host = urlparse(console[f"{service.upper()}_URL"]).hostname
        assert services[host]["command"][-1] == "api", f"the console reads {service} from {host}"
    # Denials drafts an appeal with the claim's codes, asked of coding's API with the caller's credential.
    coding = urlparse(services["denials"]["environment"]["CODING_URL"]).hostname
    assert services[coding]["command"] == ["python", "-m", "services.coding", "api"]
    assert "CODING_URL" not in services["denials-worker"]["environment"]


@pytest.mark.parametrize("secret", sorted(SECRETS))
def test_every_secret_is_required_none_has_a_default(secret: str) -> None:
    missing = compose_config(**{k: v for k, v in SECRETS.items() if k != secret}, **SETTINGS)
    assert missing.returncode != 0 and secret in missing.stderr


def test_no_variable_that_names_a_secret_has_a_default_value() -> None:
    for path in (COMPOSE_FILE, DEV_FILE):
        defaulted = re.findall(r"\$\{([A-Z0-9_]+):?-", path.read_text())
        assert not [name for name in defaulted if re.search(r"PASSWORD|TOKEN|SECRET|KEY", name)], path.name


def test_each_process_gets_its_own_database_role_and_only_its_secrets(resolved: dict) -> None:
    every_secret = set(SECRETS) - {"POSTGRES_PASSWORD"}
    for name in CLAIMLINE:
        environment = resolved["services"][name]["environment"]
        assert {key for key in environment if key in every_secret} == PROCESS_SECRETS.get(name, set()), name
        url = environment.get("DATABASE_URL", "")
        if name in SERVICES or name in WORKERS:
            service = WORKERS.get(name, name)  # both halves of a service log in as its role
            assert url.startswith(f"postgresql+asyncpg://claimline_{service}:{service}-password@"), name
        elif name == "bootstrap":
            assert url.startswith("postgresql+asyncpg://claimline:pg-owner@"), "migrations run as the owner"
        else:
            assert not url, f"{name} has no business in the database"


def test_every_container_is_hardened_and_every_image_pinned_by_digest(resolved: dict) -> None:
    for name, service in resolved["services"].items():
        assert service["cap_drop"] == ["ALL"], name
        assert "no-new-privileges:true" in service["security_opt"], name
        assert "privileged" not in service and "seccomp:unconfined" not in service["security_opt"], name
        if name in CLAIMLINE:
            assert service["read_only"] is True and service["user"] == "10001:10001", name
        else:
            assert re.search(r"@sha256:[0-9a-f]{64}$", service["image"]), f"{name} image is not pinned by digest"


def test_the_simulator_is_only_in_the_development_file() -> None:
    assert "clearinghouse" not in yaml.safe_load(COMPOSE_FILE.read_text())["services"]
    loaded = compose_config(COMPOSE_FILE, DEV_FILE, **SECRETS, **SETTINGS)
    assert loaded.returncode == 0, loaded.stderr
    services = yaml.safe_load(loaded.stdout)["services"]
    assert services["clearinghouse"]["command"] == ["python", "-m", "tools.clearinghouse"]
    assert services["clearinghouse"]["environment"] == {
        **services["clearinghouse"]["environment"], "WEBHOOK_SECRET": SECRETS["WEBHOOK_SECRET"]}
    assert {"jaeger", *CLAIMLINE} <= set(services)
    for variable in ("CLEARINGHOUSE_ACK_WEBHOOK_URL", "CLEARINGHOUSE_ERA_WEBHOOK_URL"):
        receiver = urlparse(services["clearinghouse"]["environment"][variable]).hostname
        assert services[receiver]["command"][-1] == "api", f"{variable} reaches {receiver}, which serves no routes"


def test_the_collector_redacts_before_export(resolved: dict) -> None:
    collector = yaml.safe_load((ROOT / "deploy" / "otel-collector.yaml").read_text())
    traces = collector["service"]["pipelines"]["traces"]
    assert "redaction" in traces["processors"] and traces["exporters"] == ["otlp/jaeger"]
    redaction = collector["processors"]["redaction"]
    assert redaction["allow_all_keys"] is False
    assert {"claim.id", "tenant.id", "payer.id", "claim.stage"} <= set(redaction["allowed_keys"])
    volume = resolved["services"]["otel-collector"]["volumes"][0]
    assert Path(volume["source"]) == ROOT / "deploy" / "otel-collector.yaml"
