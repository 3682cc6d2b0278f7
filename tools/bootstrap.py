"""Prepare a deployment's data before the services start: every schema's migrations, then the topics.

    python -m tools.bootstrap [--replication-factor 3] [--partitions 12]

Idempotent: migrations run to head, each service's role (claimline_<service>, its own schema only) is
created or re-granted, and only missing topics are created, so it runs before every rollout (the
compose `bootstrap` service, the Kubernetes `claimline-bootstrap` Job). DATABASE_URL (the schemas'
owner), KAFKA_BOOTSTRAP, KAFKA_NAMESPACE and <SERVICE>_DATABASE_PASSWORD come from the environment.
"""

from __future__ import annotations

import argparse
import asyncio
import os

from sqlalchemy import pool
from sqlalchemy.ext.asyncio import create_async_engine

from shared.database_roles import ensure_service_role
from shared.messaging.topics import DEFAULT_PARTITIONS, SERVICES, ensure_topics, stack_topics
from shared.migrations import upgrade


def prepare(database_url: str, kafka_bootstrap: str, namespace: str = "", partitions: int = DEFAULT_PARTITIONS,
            replication_factor: int = 1, role_passwords: dict[str, str] | None = None) -> list[str]:
    """Migrate every schema to head (as the owner), give each service its own role, then create the missing
    topics; returns the topics created."""
    for service in SERVICES:
        upgrade(service, database_url)
    asyncio.run(ensure_service_roles(database_url, role_passwords or {}))
    return asyncio.run(ensure_topics(kafka_bootstrap, stack_topics(partitions, replication_factor),
                                     replication_factor=replication_factor, namespace=namespace))


async def ensure_service_roles(database_url: str, passwords: dict[str, str]) -> None:
    """claimline_<service> for each service, limited to its schema (shared/database_roles.py)."""
    engine = create_async_engine(database_url, poolclass=pool.NullPool)
    try:
        async with engine.begin() as connection:
            for service in SERVICES:
                await ensure_service_role(connection, service, passwords.get(service))
    finally:
        await engine.dispose()


def role_passwords_from_environment() -> dict[str, str]:
    """<SERVICE>_DATABASE_PASSWORD for each service that has one (a deployment's; the local stack trusts loopback)."""
    return {service: os.environ[f"{service.upper()}_DATABASE_PASSWORD"] for service in SERVICES
            if os.environ.get(f"{service.upper()}_DATABASE_PASSWORD")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bootstrap", description=__doc__.split("\n")[0])
    parser.add_argument("--replication-factor", type=int, default=int(os.environ.get("KAFKA_REPLICATION_FACTOR", 1)))
    parser.add_argument("--partitions", type=int, default=int(os.environ.get("KAFKA_PARTITIONS", DEFAULT_PARTITIONS)))
    args = parser.parse_args(argv)
    created = prepare(os.environ["DATABASE_URL"], os.environ["KAFKA_BOOTSTRAP"], os.environ.get("KAFKA_NAMESPACE", ""),
                      args.partitions, args.replication_factor, role_passwords_from_environment())
    print(f"schemas at head: {', '.join(SERVICES)}; a role per service: claimline_<service>")
    print(f"topics created: {', '.join(created) if created else 'none (all exist)'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
