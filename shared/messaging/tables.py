"""The messaging tables every service keeps in its own schema.

claim_events: the service's part of each claim's event stream, unique (claim_id, version):
  optimistic concurrency for free.
outbox: rows written in the business transaction, deleted by the relay once published
  (a row the broker refuses moves to outbox_parked with its reason).
inbox: one row per (consumer, event id) applied, written with the effect: redelivery is a no-op.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID


@dataclass(frozen=True)
class MessagingTables:
    claim_events: Table
    outbox: Table
    inbox: Table


def messaging_tables(metadata: MetaData) -> MessagingTables:
    """Declare the three tables on a service's metadata (its schema comes from the metadata)."""
    claim_events = Table(
        "claim_events", metadata,
        Column("event_id", UUID(as_uuid=False), primary_key=True),
        Column("claim_id", UUID(as_uuid=False), nullable=False),
        Column("version", Integer, nullable=False),
        Column("event_type", String(80), nullable=False),
        Column("schema_version", Integer, nullable=False),
        Column("tenant_id", String(64), nullable=False),
        Column("occurred_at", DateTime(timezone=True), nullable=False),
        Column("data", JSONB, nullable=False),
        Column("traceparent", String(64)),
        UniqueConstraint("claim_id", "version", name="claim_events_claim_version_key"),
    )
    outbox = Table(
        "outbox", metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("event_id", String(64), nullable=False),
        Column("topic", String(200), nullable=False),
        Column("message_key", LargeBinary),
        Column("headers", JSONB, nullable=False),
        Column("payload", LargeBinary, nullable=False),
        Column("traceparent", String(64)),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
    inbox = Table(
        "inbox", metadata,
        Column("consumer", String(100), nullable=False),
        Column("event_id", String(200), nullable=False),
        Column("topic", String(200), nullable=False),
        Column("partition", Integer, nullable=False),
        Column("offset", BigInteger, nullable=False),
        Column("outcome", String(20), nullable=False),
        Column("reason", Text),
        Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        PrimaryKeyConstraint("consumer", "event_id", name="inbox_pkey"),
    )
    return MessagingTables(claim_events=claim_events, outbox=outbox, inbox=inbox)
