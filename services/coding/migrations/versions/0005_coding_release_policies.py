"""Coding: tenants' coding policies (projected from the tenants topic) and the code sets each claim was checked with.

Revision ID: 0005_coding_release
Revises: 0004_trust_access
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0005_coding_release"
down_revision = "0004_trust_access"
branch_labels = None
depends_on = None
SCHEMA = "coding"


def upgrade() -> None:
    op.add_column("coded_claims", sa.Column("code_sets", pg.JSONB), schema=SCHEMA)
    op.create_table(
        "tenant_coding_policies",
        sa.Column("tenant_id", sa.String(64), primary_key=True),
        sa.Column("hold_undercoding", sa.Boolean, nullable=False),
        sa.Column("when_no_release_covers", sa.String(32), nullable=False),
        sa.Column("announced_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("tenant_coding_policies", schema=SCHEMA)
    op.drop_column("coded_claims", "code_sets", schema=SCHEMA)
