"""Migration operations for the messaging and api_keys tables, frozen as of their first version.

Each service's first migration calls these; later changes get migrations of their own.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg


def create_messaging_tables(schema: str) -> None:
    """claim_events, outbox, inbox and api_keys in schema."""
    op.create_table(
        "claim_events",
        sa.Column("event_id", pg.UUID(as_uuid=False), primary_key=True),
        sa.Column("claim_id", pg.UUID(as_uuid=False), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("event_type", sa.String(80), nullable=False),
        sa.Column("schema_version", sa.Integer, nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", pg.JSONB, nullable=False),
        sa.Column("traceparent", sa.String(64)),
        sa.UniqueConstraint("claim_id", "version", name="claim_events_claim_version_key"),
        schema=schema,
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("message_key", sa.LargeBinary),
        sa.Column("headers", pg.JSONB, nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.Column("traceparent", sa.String(64)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        schema=schema,
    )
    op.create_index("outbox_unpublished_idx", "outbox", ["id"], schema=schema,
                    postgresql_where=sa.text("published_at IS NULL"))
    op.create_table(
        "inbox",
        sa.Column("consumer", sa.String(100), nullable=False),
        sa.Column("event_id", sa.String(200), nullable=False),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("partition", sa.Integer, nullable=False),
        sa.Column("offset", sa.BigInteger, nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("consumer", "event_id", name="inbox_pkey"),
        schema=schema,
    )
    op.create_table(
        "api_keys",
        sa.Column("key_id", sa.String(64), primary_key=True),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        schema=schema,
    )


def create_outbox_relay_support(schema: str) -> None:
    """What the relay that wakes on work needs (shared/messaging/relay.py), as of its first version:

    a statement-level trigger NOTIFYing `<schema>.outbox` after every insert into the outbox; a table for
    rows the broker refused; and rows deleted once published (the event store keeps the history), so the
    published_at column and its partial index go (rows already published are dropped first)."""
    op.execute(f'DELETE FROM "{schema}".outbox WHERE published_at IS NOT NULL')
    op.drop_index("outbox_unpublished_idx", table_name="outbox", schema=schema)
    op.drop_column("outbox", "published_at", schema=schema)
    op.create_table(
        "outbox_parked",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("message_key", sa.LargeBinary),
        sa.Column("headers", pg.JSONB, nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.Column("traceparent", sa.String(64)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("parked_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("reason", sa.Text, nullable=False),
        schema=schema,
    )
    op.execute(f"""
        CREATE FUNCTION "{schema}".notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{schema}.outbox', '');
            RETURN NULL;
        END $$""")
    op.execute(f'CREATE TRIGGER outbox_notify AFTER INSERT ON "{schema}".outbox '
               f'FOR EACH STATEMENT EXECUTE FUNCTION "{schema}".notify_outbox()')


def drop_outbox_relay_support(schema: str) -> None:
    """Undo create_outbox_relay_support (rows published since are gone: the event store has them)."""
    op.execute(f'DROP TRIGGER outbox_notify ON "{schema}".outbox')
    op.execute(f'DROP FUNCTION "{schema}".notify_outbox()')
    op.drop_table("outbox_parked", schema=schema)
    op.add_column("outbox", sa.Column("published_at", sa.DateTime(timezone=True)), schema=schema)
    op.create_index("outbox_unpublished_idx", "outbox", ["id"], schema=schema,
                    postgresql_where=sa.text("published_at IS NULL"))
