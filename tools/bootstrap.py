"""Prepare a deployment's data before the services start: every schema's migrations, then the topics.

    python -m tools.bootstrap [--replication-factor 3] [--partitions 12]

Idempotent: migrations run to head and only missing topics are created, so it runs before every
rollout (the compose `migrate` service, the Kubernetes `claimline-bootstrap` Job). DATABASE_URL,
KAFKA_BOOTSTRAP and KAFKA_NAMESPACE come from the environment.
"""

from __future__ import annotations

import argparse
import asyncio
import os

from shared.messaging.topics import DEFAULT_PARTITIONS, SERVICES, ensure_topics, stack_topics
from shared.migrations import upgrade


def prepare(database_url: str, kafka_bootstrap: str, namespace: str = "", partitions: int = DEFAULT_PARTITIONS,
            replication_factor: int = 1) -> list[str]:
    """Migrate every schema to head, then create the missing topics; returns the topics created."""
    for service in SERVICES:
        upgrade(service, database_url)
    return asyncio.run(ensure_topics(kafka_bootstrap, stack_topics(partitions, replication_factor),
                                     replication_factor=replication_factor, namespace=namespace))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bootstrap", description=__doc__.split("\n")[0])
    parser.add_argument("--replication-factor", type=int, default=int(os.environ.get("KAFKA_REPLICATION_FACTOR", 1)))
    parser.add_argument("--partitions", type=int, default=int(os.environ.get("KAFKA_PARTITIONS", DEFAULT_PARTITIONS)))
    args = parser.parse_args(argv)
    created = prepare(os.environ["DATABASE_URL"], os.environ["KAFKA_BOOTSTRAP"], os.environ.get("KAFKA_NAMESPACE", ""),
                      args.partitions, args.replication_factor)
    print(f"schemas at head: {', '.join(SERVICES)}")
    print(f"topics created: {', '.join(created) if created else 'none (all exist)'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
