"""Submission: billing claims, submissions with their 837 text, acknowledgements, control numbers.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

from shared.messaging.migration import create_messaging_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None
SCHEMA = "submission"


def upgrade() -> None:
    create_messaging_tables(SCHEMA)
    op.execute(sa.schema.CreateSequence(sa.Sequence("interchange_control_numbers", schema=SCHEMA, start=1,
                                                    maxvalue=999_999_999, cycle=True)))
    op.create_table(
        "billing_claims",
        sa.Column("claim_id", pg.UUID(as_uuid=False), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("patient_control_number", sa.String(20), nullable=False, unique=True),
        sa.Column("encounter", pg.JSONB, nullable=False),
        sa.Column("current_version", sa.Integer, nullable=False),
        sa.Column("payer_claim_control_number", sa.String(50)),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    op.create_table(
        "submissions",
        sa.Column("submission_id", pg.UUID(as_uuid=False), primary_key=True),
        sa.Column("claim_id", pg.UUID(as_uuid=False), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("claim_version", sa.Integer, nullable=False),
        sa.Column("frequency_code", sa.String(1), nullable=False),
        sa.Column("payer_id", sa.String(80), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("interchange_control_number", sa.BigInteger, nullable=False, unique=True),
        sa.Column("x12", sa.Text, nullable=False),
        sa.Column("traceparent", sa.String(64)),
        sa.Column("send_attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text),
        sa.Column("ack_999", sa.String(2)),
        sa.Column("ack_277ca", pg.JSONB),
        sa.Column("payer_claim_control_number", sa.String(50)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("claim_id", "claim_version", name="submissions_claim_version_key"),
        schema=SCHEMA,
    )
    op.create_index("submissions_pending_idx", "submissions", ["next_attempt_at"], schema=SCHEMA,
                    postgresql_where=sa.text("status = 'pending'"))
    op.create_table(
        "acknowledgements",
        sa.Column("delivery_id", sa.String(200), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("x12", sa.Text, nullable=False),
        sa.Column("parse_error", sa.Text),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )


def downgrade() -> None:
    for table in ("acknowledgements", "submissions", "billing_claims", "api_keys", "inbox", "outbox",
                  "claim_events"):
        op.drop_table(table, schema=SCHEMA)
    op.execute(f"DROP SEQUENCE {SCHEMA}.interchange_control_numbers")
