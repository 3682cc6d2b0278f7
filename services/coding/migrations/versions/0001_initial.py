"""Coding: coded claims and messaging tables.

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
SCHEMA = "coding"


def upgrade() -> None:
    create_messaging_tables(SCHEMA)
    op.create_table(
        "coded_claims",
        sa.Column("claim_id", pg.UUID(as_uuid=False), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("diagnoses", pg.JSONB, nullable=False),
        sa.Column("procedures", pg.JSONB, nullable=False),
        sa.Column("findings", pg.JSONB, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )


def downgrade() -> None:
    for table in ("coded_claims", "api_keys", "inbox", "outbox", "claim_events"):
        op.drop_table(table, schema=SCHEMA)
