"""Submission: learned edits accepted in denials, per tenant.

Revision ID: 0005
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None
SCHEMA = "submission"


def upgrade() -> None:
    op.create_table(
        "learned_edits",
        sa.Column("tenant_id", sa.String(64), primary_key=True),
        sa.Column("edit_id", sa.String(20), primary_key=True),
        sa.Column("proposal_id", pg.UUID(as_uuid=False), nullable=False, unique=True),
        sa.Column("reason_code", sa.String(10), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("fix_hint", sa.Text, nullable=False),
        sa.Column("condition", pg.JSONB, nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("learned_edits", schema=SCHEMA)
