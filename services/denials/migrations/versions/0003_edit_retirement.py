"""Denials: an accepted scrubber edit can be retired (who, when, why).

Revision ID: 0003_edit_retirement
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_edit_retirement"
down_revision = "0002"
branch_labels = None
depends_on = None
SCHEMA = "denials"
COLUMNS = ("retired_by", "retired_at", "retirement_reason")


def upgrade() -> None:
    op.add_column("scrubber_proposals", sa.Column("retired_by", sa.String(120), nullable=True), schema=SCHEMA)
    op.add_column("scrubber_proposals", sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
                  schema=SCHEMA)
    op.add_column("scrubber_proposals", sa.Column("retirement_reason", sa.Text, nullable=True), schema=SCHEMA)


def downgrade() -> None:
    for column in COLUMNS:
        op.drop_column("scrubber_proposals", column, schema=SCHEMA)
