"""Intake: each tenant's coding policy (hold undercoding; what to hold when no ICD-10-CM release covers a date).

Revision ID: 0006_coding_release
Revises: 0005_trust_access
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_coding_release"
down_revision = "0005_trust_access"
branch_labels = None
depends_on = None
SCHEMA = "intake"


def upgrade() -> None:
    op.create_table(
        "tenant_coding_policies",
        sa.Column("tenant_id", sa.String(64), sa.ForeignKey(f"{SCHEMA}.tenants.tenant_id"), primary_key=True),
        sa.Column("hold_undercoding", sa.Boolean, nullable=False),
        sa.Column("when_no_release_covers", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("when_no_release_covers IN ('hold_unknown_codes', 'hold_all')",
                           name="tenant_coding_policies_when_no_release_covers"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("tenant_coding_policies", schema=SCHEMA)
