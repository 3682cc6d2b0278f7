"""Rebuild a service's projection from the event log (the runbook's command).

    python -m tools.rebuild_projection intake.timeline

Stop the service first (the command refuses while its consumer group has members), run this,
then start the service: its consumer reads every topic from the earliest retained offset and
applies each event again. Events older than the topics' retention (30 days) are not replayed.
DATABASE_URL, KAFKA_BOOTSTRAP and KAFKA_NAMESPACE come from the environment.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import CommitFailedError
from aiokafka.structs import OffsetAndMetadata
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.adapters.timeline_rebuild import TIMELINE_CONSUMER, reset_timeline_projection
from services.intake.entrypoints.consumers import TIMELINE_TOPICS
from shared.db import create_engine, session_factory, unit_of_work
from shared.messaging.kafka_security import kafka_client_options
from shared.messaging.topics import physical_topic

Reset = Callable[[AsyncSession], Awaitable[dict[str, int]]]
PROJECTIONS: dict[str, tuple[list[str], Reset]] = {
    TIMELINE_CONSUMER: (TIMELINE_TOPICS, reset_timeline_projection),
}


class GroupActive(RuntimeError):
    """The consumer group still has members: the service is running."""


async def rewind_group(bootstrap: str, group: str, topics: list[str]) -> int:
    """Commit the earliest offsets of every partition for the group; returns the partitions.

    The broker refuses an offset commit from outside the group while the group has members, which
    is exactly the check wanted: a running service keeps its offsets and nothing is changed.
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **kafka_client_options())
    await admin.start()
    try:
        partitions = [TopicPartition(d["topic"], p["partition"]) for d in await admin.describe_topics(topics)
                      for p in d["partitions"]]
    finally:
        await admin.close()
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False,
                                **kafka_client_options())
    await consumer.start()
    try:
        consumer.assign(partitions)
        earliest = await consumer.beginning_offsets(partitions)
        try:
            await consumer.commit({tp: OffsetAndMetadata(offset, "") for tp, offset in earliest.items()})
        except CommitFailedError:
            raise GroupActive(f"consumer group {group} has members: stop the service first") from None
    finally:
        await consumer.stop()
    return len(partitions)


async def rebuild(projection: str, database_url: str, bootstrap: str, namespace: str) -> dict[str, int]:
    topics, reset = PROJECTIONS[projection]
    group = physical_topic(projection, namespace)
    physical = [physical_topic(t, namespace) for t in topics]
    engine = create_engine(database_url, instrument=False)
    try:
        # Refuse before touching anything while the service runs; rewind before clearing so a
        # failure in between leaves a projection that is complete, only re-applied on restart.
        partitions = await rewind_group(bootstrap, group, physical)
        async with unit_of_work(session_factory(engine)) as session:
            cleared = await reset(session)
    finally:
        await engine.dispose()
    return {**cleared, "partitions_rewound": partitions}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.rebuild_projection", description=__doc__.split("\n")[0])
    parser.add_argument("projection", choices=sorted(PROJECTIONS))
    args = parser.parse_args(argv)
    try:
        done = asyncio.run(rebuild(args.projection, os.environ["DATABASE_URL"], os.environ["KAFKA_BOOTSTRAP"],
                                   os.environ.get("KAFKA_NAMESPACE", "")))
    except GroupActive as active:
        print(f"not rebuilt: {active}", file=sys.stderr)
        return 2
    print(" ".join(f"{name}={count}" for name, count in done.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
