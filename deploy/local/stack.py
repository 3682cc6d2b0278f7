"""The local stack: Kafka (KRaft), PostgreSQL, the five services and the clearinghouse simulator.

    python deploy/local/stack.py up|down|clean|status [--run-dir DIR] [--instances N]

`up` is safe to repeat: what runs is left running. Ports are chosen free on first start and kept
in <run>/ports.json; secrets in <run>/secrets.json; the result in <run>/stack.env.
"""

from __future__ import annotations

import argparse
import asyncio
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


def _load_json(path: Path, make: dict) -> dict:
    if path.exists():
        stored = json.loads(path.read_text())
        if all(key in stored for key in make):
            return stored
        make = {**make, **stored}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(make, indent=2))
    return make


def ports(run_dir: Path) -> dict[str, int]:
    return _load_json(run_dir / "ports.json", {name: stack_process.free_port() for name in PORT_NAMES})


def stack_secrets(run_dir: Path) -> dict[str, str]:
    from shared.tenancy import new_api_key

    key_id, key = new_api_key()
    return _load_json(run_dir / "secrets.json", {
        "webhook_secret": "whsec_" + __import__("base64").b64encode(secrets.token_bytes(32)).decode(),
        "api_key_id": key_id, "api_key": key, "tenant_id": "dev-practice",
        "admin_token": secrets.token_urlsafe(32),  # intake's admin API (tenants, keys, OAuth clients, audit)
    })


def environment(run_dir: Path) -> dict[str, str]:
    """What the services and the tests need to know, as in stack.env."""
    port = ports(run_dir)
    secret = stack_secrets(run_dir)
    env = {
        "KAFKA_BOOTSTRAP": f"127.0.0.1:{port['kafka']}",
        "DATABASE_URL": f"postgresql+asyncpg://{stack_postgres.USER}@127.0.0.1:{port['postgres']}/{stack_postgres.DATABASE}",
        "API_KEY": secret["api_key"],
        "TENANT_ID": secret["tenant_id"],
        "ADMIN_TOKEN": secret["admin_token"],
        "WEBHOOK_SECRET": secret["webhook_secret"],
        "CLEARINGHOUSE_URL": f"http://127.0.0.1:{port['clearinghouse']}",
        "CONSOLE_URL": f"http://127.0.0.1:{port['console']}",
        "RUN_DIR": str(run_dir),
    }
    for service in SERVICES:
        env[f"{service.upper()}_URL"] = f"http://127.0.0.1:{port[service]}"
    return env


def _process_env(stack_env: dict[str, str], **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_") or k == "OTEL_EXPORTER_OTLP_ENDPOINT"}
    env.update(stack_env)
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


def start_service(run_dir: Path, service: str, stack_env: dict[str, str], number: int = 1) -> None:
    name = instance_name(service, number)
    port = instance_port(run_dir, name)
    stack_process.start(run_dir, name, [sys.executable, "-m", f"services.{service}"],
                        _process_env(stack_env, HTTP_PORT=str(port)), ROOT)


def start_clearinghouse(run_dir: Path, stack_env: dict[str, str]) -> None:
    stack_process.start(run_dir, "clearinghouse", [sys.executable, "-m", "tools.clearinghouse"], _process_env(
        stack_env, CLEARINGHOUSE_PORT=str(ports(run_dir)["clearinghouse"]),
        CLEARINGHOUSE_ACK_WEBHOOK_URL=stack_env["SUBMISSION_URL"] + "/v1/webhooks/clearinghouse",
        CLEARINGHOUSE_ERA_WEBHOOK_URL=stack_env["REMITTANCE_URL"] + "/v1/webhooks/clearinghouse"), ROOT)


def start_console(run_dir: Path, stack_env: dict[str, str]) -> None:
    stack_process.start(run_dir, "console", [sys.executable, "-m", "services.console"], _process_env(
        stack_env, CONSOLE_PORT=str(ports(run_dir)["console"])), ROOT)


def prepare_data(stack_env: dict[str, str], run_dir: Path) -> None:
    """Migrations for every schema, topics, and the development tenant's API key and payee identifiers."""
    from services.intake.adapters.tenant_admin import ensure_tenant_key
    from services.intake.service_layer.payees import ensure_payee_identifiers
    from tools.bootstrap import prepare

    prepare(stack_env["DATABASE_URL"], stack_env["KAFKA_BOOTSTRAP"])  # what `python -m tools.bootstrap` does
    secret = stack_secrets(run_dir)
    asyncio.run(ensure_tenant_key(stack_env["DATABASE_URL"], secret["tenant_id"], secret["api_key_id"],
                                  secret["api_key"]))
    # 835s are routed by payee: the dev tenant is paid under the demo and test encounters' billing provider.
    asyncio.run(ensure_payee_identifiers(stack_env["DATABASE_URL"], secret["tenant_id"], list(DEV_PAYEE_NPIS),
                                         list(DEV_PAYEE_TINS)))


def up(run_dir: Path, instances: int = 1) -> dict[str, str]:
    run_dir.mkdir(parents=True, exist_ok=True)
    port = ports(run_dir)
    stack_env = environment(run_dir)
    stack_postgres.up(run_dir, port["postgres"])
    stack_kafka.up(run_dir, port["kafka"], port["kafka_controller"])
    prepare_data(stack_env, run_dir)
    for number in range(1, instances + 1):
        for service in SERVICES:
            start_service(run_dir, service, stack_env, number)
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
    # Extra instances join the same consumer groups (partitions are shared); each has its own HTTP port.
    for number in range(2, instances + 1):
        for service in SERVICES:
            name = instance_name(service, number)
            url = f"http://127.0.0.1:{instance_port(run_dir, name)}"
            stack_process.wait_for_http(url + "/readyz", 90, name, run_dir / "logs" / f"{name}.log")
            stack_env[f"{service.upper()}_{number}_URL"] = url
    (run_dir / "stack.env").write_text("".join(f"export {k}={json.dumps(v)}\n" for k, v in stack_env.items()))
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
    args = parser.parse_args()
    run_dir = Path(args.run_dir).resolve()
    if args.command in {"stop-service", "start-service"} and not args.service:
        parser.error(f"{args.command} needs a service name")
    if args.command == "stop-service":
        stack_process.stop(run_dir, args.service)
        print(f"{args.service} stopped")
    elif args.command == "start-service":
        stack_env = environment(run_dir)
        start_service(run_dir, args.service, stack_env)
        stack_process.wait_for_http(stack_env[f"{args.service.upper()}_URL"] + "/readyz", 90, args.service,
                                    run_dir / "logs" / f"{args.service}.log")
        print(f"{args.service} started")
    elif args.command == "up":
        up(run_dir, args.instances)
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
