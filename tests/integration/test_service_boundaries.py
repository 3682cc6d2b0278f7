"""Each running service is held to its own part of the database and its own secrets.

Against the stack `make test` started: each service's PostgreSQL role reads and writes its own schema
only, and each process was given only the secrets it uses; the stack's secrets files are 0600.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import asyncpg
import pytest

pytestmark = pytest.mark.integration
SERVICES = ("intake", "coding", "submission", "remittance", "denials")


def dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def connect_as(service: str) -> asyncpg.Connection:
    return await asyncpg.connect(dsn(os.environ[f"{service.upper()}_DATABASE_URL"]))


async def test_codings_role_cannot_read_intakes_claims_but_reads_its_own() -> None:
    connection = await connect_as("coding")
    try:
        assert await connection.fetchval("SELECT current_user") == "claimline_coding"
        await connection.fetchval("SELECT count(*) FROM coding.coded_claims")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await connection.fetchval("SELECT count(*) FROM intake.claims")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await connection.execute("DELETE FROM intake.outbox")
    finally:
        await connection.close()


@pytest.mark.parametrize("service", SERVICES)
async def test_no_service_role_reads_another_schema_or_changes_any_schema(service: str) -> None:
    connection = await connect_as(service)
    try:
        for other in SERVICES:
            if other != service:
                with pytest.raises(asyncpg.InsufficientPrivilegeError):
                    await connection.fetchval(f"SELECT count(*) FROM {other}.inbox")
        await connection.fetchval(f"SELECT count(*) FROM {service}.inbox")
        for ddl in (f"CREATE TABLE {service}.smuggled (id int)", "CREATE TABLE public.smuggled (id int)",
                    f"DROP TABLE {service}.inbox"):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await connection.execute(ddl)
    finally:
        await connection.close()


async def test_intakes_role_can_only_append_to_the_phi_audit_log() -> None:
    connection = await connect_as("intake")
    try:
        await connection.fetchval("SELECT count(*) FROM intake.audit_log")
        for change in ("UPDATE intake.audit_log SET tenant_id = tenant_id", "DELETE FROM intake.audit_log"):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await connection.execute(change)
    finally:
        await connection.close()


def process_environment(run_dir: Path, name: str) -> dict[str, str]:
    pid = int((run_dir / "pids" / f"{name}.pid").read_text())
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    return dict(entry.split("=", 1) for entry in raw.decode().split("\0") if "=" in entry)


@pytest.mark.parametrize(("process", "secrets"), [
    ("intake", {"OAUTH_SIGNING_KEY", "TENANT_EVENTS_SIGNING_KEY"}),
    ("coding", set()),
    ("submission", {"WEBHOOK_SECRET"}),
    ("remittance", {"WEBHOOK_SECRET"}),
    ("denials", set()),
    ("clearinghouse", {"WEBHOOK_SECRET"}),
    ("console", {"ADMIN_TOKEN"}),
])
def test_each_process_holds_only_the_secrets_it_uses(stack: dict[str, str], process: str, secrets: set[str]) -> None:
    environment = process_environment(Path(stack["RUN_DIR"]), process)
    every_secret = {"ADMIN_TOKEN", "OAUTH_SIGNING_KEY", "TENANT_EVENTS_SIGNING_KEY", "WEBHOOK_SECRET", "API_KEY"}
    assert {name for name in every_secret if environment.get(name)} == secrets
    # a service checks the operator's token by its hash; only the console, which signs in with it, holds it
    assert bool(environment.get("ADMIN_TOKEN_SHA256")) == (process in SERVICES)
    assert environment.get("TENANT_EVENTS_TRUSTED_KEYS") == os.environ["TENANT_EVENTS_TRUSTED_KEYS"]
    if process in SERVICES:
        assert environment["DATABASE_URL"].split("://", 1)[1].startswith(f"claimline_{process}@")
    else:
        assert not any(name.endswith("DATABASE_URL") for name in environment), "no database for this process"


@pytest.mark.parametrize("name", ["secrets.json", "stack.env"])
def test_local_secrets_files_are_readable_by_their_owner_only(stack: dict[str, str], name: str) -> None:
    mode = stat.S_IMODE((Path(stack["RUN_DIR"]) / name).stat().st_mode)
    assert mode == 0o600, f"{name} is {oct(mode)}"
