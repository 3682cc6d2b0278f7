"""Intake: outbound webhooks to practice-management systems (endpoints, deliveries, attempts).

Endpoint secrets are stored as issued, not hashed: they are symmetric HMAC keys, and signing a
delivery needs the key itself (a hash could only check a signature, never make one).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None
SCHEMA = "intake"


def upgrade() -> None:
    op.create_table(
        "webhook_endpoints",
        sa.Column("endpoint_id", sa.String(40), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("description", sa.String(500)),
        sa.Column("event_types", pg.ARRAY(sa.String(80)), nullable=False),
        sa.Column("secret", sa.String(128), nullable=False),
        sa.Column("previous_secret", sa.String(128)),
        sa.Column("previous_secret_expires_at", sa.DateTime(timezone=True)),
        sa.Column("status", sa.String(16), nullable=False, server_default="enabled"),
        sa.Column("disabled_reason", sa.String(200)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    op.create_index("webhook_endpoints_tenant_idx", "webhook_endpoints", ["tenant_id", "created_at"], schema=SCHEMA)
    op.create_table(
        "webhook_deliveries",
        sa.Column("delivery_id", sa.String(40), primary_key=True),
        sa.Column("sequence", sa.BigInteger, sa.Identity(), nullable=False, unique=True),
        sa.Column("endpoint_id", sa.String(40),
                  sa.ForeignKey(f"{SCHEMA}.webhook_endpoints.endpoint_id", ondelete="CASCADE"), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("event_type", sa.String(80), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("claim_id", pg.UUID(as_uuid=False), nullable=False),
        sa.Column("claim_status", sa.String(32), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("traceparent", sa.String(55)),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("attempt_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("window_failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True)),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True)),
        sa.Column("delivered_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        # a redelivered Kafka event (or a replayed projection) cannot queue the same change twice
        sa.UniqueConstraint("endpoint_id", "event_id", "claim_status", name="webhook_deliveries_event_key"),
        schema=SCHEMA,
    )
    # the dispatcher's poll: only pending rows, by due time
    op.create_index("webhook_deliveries_due_idx", "webhook_deliveries", ["next_attempt_at"], schema=SCHEMA,
                    postgresql_where=sa.text("status = 'pending'"))
    op.create_index("webhook_deliveries_endpoint_idx", "webhook_deliveries", ["endpoint_id", "sequence"],
                    schema=SCHEMA)
    op.create_table(
        "webhook_delivery_attempts",
        sa.Column("attempt_id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("delivery_id", sa.String(40),
                  sa.ForeignKey(f"{SCHEMA}.webhook_deliveries.delivery_id", ondelete="CASCADE"), nullable=False),
        sa.Column("attempt_number", sa.Integer, nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_code", sa.Integer),
        sa.Column("error", sa.String(80)),
        sa.Column("duration_ms", sa.Integer, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("webhook_delivery_attempts_delivery_idx", "webhook_delivery_attempts",
                    ["delivery_id", "attempt_number"], schema=SCHEMA)


def downgrade() -> None:
    for table in ("webhook_delivery_attempts", "webhook_deliveries", "webhook_endpoints"):
        op.drop_table(table, schema=SCHEMA)
