"""Remittance: an ERA keeps the warnings its parse raised (an unreadable BPR16 date) beside its status.

Revision ID: 0003_era_warnings
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0003_era_warnings"
down_revision = "0002"
branch_labels = None
depends_on = None
SCHEMA = "remittance"


def upgrade() -> None:
    op.add_column("eras", sa.Column("warnings", pg.JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
                  schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("eras", "warnings", schema=SCHEMA)
