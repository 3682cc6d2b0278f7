"""The local stack: Kafka (KRaft), PostgreSQL, the five services and the clearinghouse simulator.

    python deploy/local/stack.py up|down|clean|status [--run-dir DIR] [--instances N]

`up` is safe to repeat: what runs is left running. Ports are chosen free on first start and kept
in <run>/ports.json; secrets in <run>/secrets.json; the result in <run>/stack.env.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import os
import secrets
import shutil
import sys
from pathlib import Path

import stack_kafka
import stack_postgres
import stack_process

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("intake", "coding", "submission", "remittance", "denials")
# The billing provider of deploy/demo/encounters and of the test suite's encounters (NPI, EIN).
DEV_PAYEE_NPIS, DEV_PAYEE_TINS = ("1234567893",), ("371234567",)
PORT_NAMES = ("kafka", "kafka_controller", "postgres", *SERVICES, "clearinghouse", "console")


def write_private(path: Path, content: str) -> None:
    """Write a file only its owner can read (secrets, stack.env), whatever the umask; tightens an older one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(content)


def _load_json(path: Path, make: dict) -> dict:
    if path.exists():
        stored = json.loads(path.read_text())
        if all(key in stored for key in make):
            path.chmod(0o600)
            return stored
        make = {**make, **stored}
    write_private(path, json.dumps(make, indent=2))
    return make


def ports(run_dir: Path) -> dict[str, int]:
    return _load_json(run_dir / "ports.json", {name: stack_process.free_port() for name in PORT_NAMES})


def stack_secrets(run_dir: Path) -> dict[str, str]:
    from shared.tenancy import new_api_key
    from shared.tenant_event_signing import new_signing_key

    key_id, key = new_api_key()
    tenant_events_key, tenant_events_public_key = new_signing_key()
    return _load_json(run_dir / "secrets.json", {
        "webhook_secret": "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "api_key_id": key_id, "api_key": key, "tenant_id": "dev-practice",
        "admin_token": secrets.token_urlsafe(32),  # intake's admin API (tenants, keys, OAuth clients, audit)
        # intake's keys: tenants-topic events and access tokens (the public halves reach the others)
        "tenant_events_signing_key": tenant_events_key, "tenant_events_public_key": tenant_events_public_key,
        "oauth_signing_key": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("="),
    })


# Each process gets only the secrets it uses: intake alone signs tokens and tenants-topic events; submission
# and remittance verify the clearinghouse's webhooks; the console signs in with the admin token itself, while
# every service only checks it (its admin API: the PHI audit log, cross-tenant queues) and so gets its hash.
# stack.env (the tests' and the operator's view) has them all.
SERVICE_SECRETS = {
    "intake": ("ADMIN_TOKEN_SHA256", "OAUTH_SIGNING_KEY", "TENANT_EVENTS_SIGNING_KEY"),
    "coding": ("ADMIN_TOKEN_SHA256",),
    "submission": ("ADMIN_TOKEN_SHA256", "WEBHOOK_SECRET"),
    "remittance": ("ADMIN_TOKEN_SHA256", "WEBHOOK_SECRET"),
    "denials": ("ADMIN_TOKEN_SHA256",),
    "clearinghouse": ("WEBHOOK_SECRET",),
    "console": ("ADMIN_TOKEN",),
}
SECRET_NAMES = frozenset(name for names in SERVICE_SECRETS.values() for name in names) | {"API_KEY"}


def process_environment(stack_env: dict[str, str], process: str) -> dict[str, str]:
    """What one process is given: the public settings, its own database role and its own secrets."""
    env = {k: v for k, v in stack_env.items() if k not in SECRET_NAMES and not k.endswith("DATABASE_URL")}
    env.update({name: stack_env[name] for name in SERVICE_SECRETS.get(process, ())})
    if process in SERVICES:
        env["DATABASE_URL"] = stack_env[f"{process.upper()}_DATABASE_URL"]
    return env


def environment(run_dir: Path) -> dict[str, str]:
    """What the services and the tests need to know, as in stack.env."""
    from shared.database_roles import service_role

    port = ports(run_dir)
    secret = stack_secrets(run_dir)
    env = {
        "KAFKA_BOOTSTRAP": f"127.0.0.1:{port['kafka']}",
        # The schemas' owner: migrations, tests and admin commands. Each service connects as its own role.
        "DATABASE_URL": f"postgresql+asyncpg://{stack_postgres.USER}@127.0.0.1:{port['postgres']}/{stack_postgres.DATABASE}",
        "API_KEY": secret["api_key"],
        "TENANT_ID": secret["tenant_id"],
        "ADMIN_TOKEN": secret["admin_token"],
        "ADMIN_TOKEN_SHA256": hashlib.sha256(secret["admin_token"].encode()).hexdigest(),
        "WEBHOOK_SECRET": secret["webhook_secret"],
        "OAUTH_SIGNING_KEY": secret["oauth_signing_key"],
        "TENANT_EVENTS_SIGNING_KEY": secret["tenant_events_signing_key"],
        "TENANT_EVENTS_TRUSTED_KEYS": secret["tenant_events_public_key"],
        "CLEARINGHOUSE_URL": f"http://127.0.0.1:{port['clearinghouse']}",
        "CONSOLE_URL": f"http://127.0.0.1:{port['console']}",
        "RUN_DIR": str(run_dir),
        # webhook receivers in the tests listen on 127.0.0.1 over http, which production refuses
        "OUTBOUND_WEBHOOK_DEVELOPMENT": "true",
    }
    for service in SERVICES:
        env[f"{service.upper()}_URL"] = f"http://127.0.0.1:{port[service]}"
        env[f"{service.upper()}_DATABASE_URL"] = (f"postgresql+asyncpg://{service_role(service)}@127.0.0.1:"
                                                  f"{port['postgres']}/{stack_postgres.DATABASE}")
    return env


def launch_environment(stack_env: dict[str, str], process: str, **extra: str) -> dict[str, str]:
    """The whole environment one process of the stack starts with: the stack's settings for that process (only
    the secrets it uses) and `extra`. Tests that start a process of their own (a reconfigured submission) use it
    too, so the process they start holds exactly what the stack's would."""
    # Nothing secret is inherited from whoever ran `make up` (a sourced stack.env, say): only what is given here.
    env = {k: v for k, v in os.environ.items() if k not in SECRET_NAMES and not k.startswith("TENANT_EVENTS_")
           and not k.endswith("DATABASE_URL") and (not k.startswith("OTEL_") or k == "OTEL_EXPORTER_OTLP_ENDPOINT")}
    env.update(process_environment(stack_env, process))
    env.update(extra)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def instance_name(service: str, number: int) -> str:
    """The first instance keeps the service's name (pid file, log, port); later ones are <service>-N."""
    return service if number == 1 else f"{service}-{number}"


def instance_port(run_dir: Path, name: str) -> int:
    """A port for an extra instance, chosen free once and kept in ports.json beside the others."""
    known = ports(run_dir)
    return known[name] if name in known else _load_json(run_dir / "ports.json",
                                                        {**known, name: stack_process.free_port()})[name]


def start_service(run_dir: Path, service: str, stack_env: dict[str, str], number: int = 1,
                  role: str = "all") -> None:
    """One process of a service: `all` (HTTP and workers), or its `api` / `worker` half (see --split). The
    worker of a split service is <service>-worker, with a port of its own for its health checks."""
    name = f"{service}-worker" if role == "worker" else instance_name(service, number)
    port = instance_port(run_dir, name)
    stack_process.start(run_dir, name, [sys.executable, "-m", f"services.{service}", role],
                        launch_environment(stack_env, service, HTTP_PORT=str(port)), ROOT)


def start_clearinghouse(run_dir: Path, stack_env: dict[str, str]) -> None:
    stack_process.start(run_dir, "clearinghouse", [sys.executable, "-m", "tools.clearinghouse"], launch_environment(
        stack_env, "clearinghouse", CLEARINGHOUSE_PORT=str(ports(run_dir)["clearinghouse"]),
        CLEARINGHOUSE_ACK_WEBHOOK_URL=stack_env["SUBMISSION_URL"] + "/v1/webhooks/clearinghouse",
        CLEARINGHOUSE_ERA_WEBHOOK_URL=stack_env["REMITTANCE_URL"] + "/v1/webhooks/clearinghouse"), ROOT)


def start_console(run_dir: Path, stack_env: dict[str, str]) -> None:
    stack_process.start(run_dir, "console", [sys.executable, "-m", "services.console"], launch_environment(
        stack_env, "console", CONSOLE_PORT=str(ports(run_dir)["console"])), ROOT)


def prepare_data(stack_env: dict[str, str], run_dir: Path) -> None:
    """Migrations for every schema, topics, and the development tenant's API key and payee identifiers."""
    from services.intake.adapters.tenant_admin import ensure_tenant_key
    from services.intake.service_layer.payees import ensure_payee_identifiers
    from tools.bootstrap import prepare

    prepare(stack_env["DATABASE_URL"], stack_env["KAFKA_BOOTSTRAP"])  # what `python -m tools.bootstrap` does
    secret = stack_secrets(run_dir)
    os.environ["TENANT_EVENTS_SIGNING_KEY"] = secret["tenant_events_signing_key"]  # the key's announcement is signed
    asyncio.run(ensure_tenant_key(stack_env["DATABASE_URL"], secret["tenant_id"], secret["api_key_id"],
                                  secret["api_key"]))
    # 835s are routed by payee: the dev tenant is paid under the demo and test encounters' billing provider.
    asyncio.run(ensure_payee_identifiers(stack_env["DATABASE_URL"], secret["tenant_id"], list(DEV_PAYEE_NPIS),
                                         list(DEV_PAYEE_TINS)))


def up(run_dir: Path, instances: int = 1, split: bool = False) -> dict[str, str]:
    run_dir.mkdir(parents=True, exist_ok=True)
    port = ports(run_dir)
    stack_env = environment(run_dir)
    stack_postgres.up(run_dir, port["postgres"])
    stack_kafka.up(run_dir, port["kafka"], port["kafka_controller"])
    prepare_data(stack_env, run_dir)
    for number in range(1, instances + 1):
        for service in SERVICES:
            start_service(run_dir, service, stack_env, number, "api" if split else "all")
    if split:  # each service's workers (consumers, relay, loops) in a process apart from its HTTP API
        for service in SERVICES:
            start_service(run_dir, service, stack_env, role="worker")
    start_clearinghouse(run_dir, stack_env)
    start_console(run_dir, stack_env)
    for service in SERVICES:
        stack_process.wait_for_http(stack_env[f"{service.upper()}_URL"] + "/readyz", 90, service,
                                    run_dir / "logs" / f"{service}.log")
    stack_process.wait_for_http(stack_env["CLEARINGHOUSE_URL"] + "/healthz", 30, "clearinghouse",
                                run_dir / "logs" / "clearinghouse.log")
    stack_process.wait_for_http(stack_env["CONSOLE_URL"] + "/healthz", 30, "console", run_dir / "logs" / "console.log")
    # 835s are routed by payee: the dev tenant's first ERA must not arrive before remittance knows its payee.
    stack_process.wait_for_json(
        f"{stack_env['REMITTANCE_URL']}/v1/admin/payee-identifiers/{DEV_PAYEE_NPIS[0]}",
        {"Authorization": f"Bearer {stack_env['ADMIN_TOKEN']}"},
        lambda body: {o["tenant_id"] for o in body["owners"]} == {stack_secrets(run_dir)["tenant_id"]}, 90,
        "remittance routing the dev tenant's 835s")
    for service in SERVICES if split else ():
        name = f"{service}-worker"
        url = f"http://127.0.0.1:{instance_port(run_dir, name)}"
        stack_process.wait_for_http(url + "/readyz", 90, name, run_dir / "logs" / f"{name}.log")
        stack_env[f"{service.upper()}_WORKER_URL"] = url
    # Extra instances join the same consumer groups (partitions are shared); each has its own HTTP port.
    for number in range(2, instances + 1):
        for service in SERVICES:
            name = instance_name(service, number)
            url = f"http://127.0.0.1:{instance_port(run_dir, name)}"
            stack_process.wait_for_http(url + "/readyz", 90, name, run_dir / "logs" / f"{name}.log")
            stack_env[f"{service.upper()}_{number}_URL"] = url
    write_private(run_dir / "stack.env", "".join(f"export {k}={json.dumps(v)}\n" for k, v in stack_env.items()))
    return stack_env


def extra_instances(run_dir: Path) -> list[str]:
    """Names of the running or recorded extra instances (<service>-N), from their pid files."""
    return sorted(path.stem for path in (run_dir / "pids").glob("*-*.pid")
                  if path.stem.rsplit("-", 1)[0] in SERVICES)


def down(run_dir: Path) -> None:
    for name in ("console", "clearinghouse", *extra_instances(run_dir), *reversed(SERVICES)):
        stack_process.stop(run_dir, name)
    stack_process.stop(run_dir, "kafka", timeout=30)
    stack_postgres.down(run_dir)


def status(run_dir: Path) -> int:
    names = ["kafka", *SERVICES, *extra_instances(run_dir), "clearinghouse", "console"]
    for name in names:
        pid = stack_process.pid_of(run_dir, name)
        print(f"{name:14} {'running pid ' + str(pid) if pid else 'stopped'}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["up", "down", "clean", "status", "env", "stop-service",
                                            "start-service"])
    parser.add_argument("service", nargs="?", choices=SERVICES, help="for stop-service and start-service")
    parser.add_argument("--run-dir", default=os.environ.get("RUN_DIR", str(ROOT / ".run")))
    parser.add_argument("--instances", type=int, default=1, help="for up: instances of each service (default 1)")
    parser.add_argument("--role", choices=["all", "api", "worker"], default="all",
                        help="for stop-service and start-service: which process of a split stack (default all)")
    parser.add_argument("--split", action="store_true", help="for up: each service as two processes, its HTTP API "
                        "(api) and its consumers, relay and loops (worker), as a deployment runs them")
    args = parser.parse_args()
    run_dir = Path(args.run_dir).resolve()
    if args.command in {"stop-service", "start-service"} and not args.service:
        parser.error(f"{args.command} needs a service name")
    name = f"{args.service}-worker" if args.role == "worker" else args.service
    if args.command == "stop-service":
        stack_process.stop(run_dir, name)
        print(f"{name} stopped")
    elif args.command == "start-service":
        stack_env = environment(run_dir)
        start_service(run_dir, args.service, stack_env, role=args.role)
        url = f"http://127.0.0.1:{instance_port(run_dir, name)}"
        stack_process.wait_for_http(url + "/readyz", 90, name, run_dir / "logs" / f"{name}.log")
        print(f"{name} started")
    elif args.command == "up":
        up(run_dir, args.instances, args.split)
        print(f"stack is up; source {run_dir / 'stack.env'}")
    elif args.command == "down":
        down(run_dir)
        print("stack stopped (data kept)")
    elif args.command == "clean":
        down(run_dir)
        shutil.rmtree(run_dir, ignore_errors=True)
        print(f"removed {run_dir}")
    elif args.command == "env":
        for key, value in environment(run_dir).items():
            print(f"export {key}={json.dumps(value)}")
    else:
        return status(run_dir)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
