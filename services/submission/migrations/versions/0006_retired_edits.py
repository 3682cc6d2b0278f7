"""Submission: learned edits retired in denials, per tenant, by the proposal they came from.

A table of its own rather than a column on learned_edits: the retirement may arrive before the acceptance
(the two travel on the streams of different claims), and must still win.

Revision ID: 0006_retired_edits
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0006_retired_edits"
down_revision = "0002"  # the chain head: 0001 0003 0004 0005 0002
branch_labels = None
depends_on = None
SCHEMA = "submission"


def upgrade() -> None:
    op.create_table(
        "retired_learned_edits",
        sa.Column("tenant_id", sa.String(64), primary_key=True),
        sa.Column("proposal_id", pg.UUID(as_uuid=False), primary_key=True),
        sa.Column("edit_id", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("retired_by", sa.String(120), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("retired_learned_edits", schema=SCHEMA)
