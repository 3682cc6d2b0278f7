"""Denials: denial records and messaging tables.

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
SCHEMA = "denials"


def upgrade() -> None:
    create_messaging_tables(SCHEMA)
    op.create_table(
        "denials",
        sa.Column("denial_id", pg.UUID(as_uuid=False), primary_key=True),
        sa.Column("claim_id", pg.UUID(as_uuid=False), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("era_id", sa.String(64), nullable=False),
        sa.Column("payer_id", sa.String(80), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("root_cause", sa.Text, nullable=False),
        sa.Column("preventable", sa.Boolean, nullable=False),
        sa.Column("recommended_action", sa.Text, nullable=False),
        sa.Column("reason_codes", pg.JSONB, nullable=False),
        sa.Column("remark_codes", pg.JSONB, nullable=False),
        sa.Column("denied_amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("claim_id", "era_id", name="denials_claim_era_key"),
        schema=SCHEMA,
    )
    op.create_index("denials_tenant_idx", "denials", ["tenant_id", "created_at"], schema=SCHEMA)


def downgrade() -> None:
    for table in ("denials", "api_keys", "inbox", "outbox", "claim_events"):
        op.drop_table(table, schema=SCHEMA)
