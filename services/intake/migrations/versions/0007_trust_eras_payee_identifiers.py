"""Intake: the payee identifiers (NPIs, tax ids) each tenant is paid under, one tenant per identifier.

Revision ID: 0007_trust_eras
Revises: 0006_coding_release
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_trust_eras"
down_revision = "0006_coding_release"
branch_labels = None
depends_on = None
SCHEMA = "intake"


def upgrade() -> None:
    op.create_table(
        "payee_identifiers",
        sa.Column("kind", sa.String(3), primary_key=True),
        sa.Column("identifier", sa.String(10), primary_key=True),
        sa.Column("tenant_id", sa.String(64), sa.ForeignKey(f"{SCHEMA}.tenants.tenant_id"), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("kind IN ('npi', 'tin')", name="payee_identifiers_kind_check"),
        schema=SCHEMA,
    )
    op.create_index("ix_payee_identifiers_tenant_id", "payee_identifiers", ["tenant_id"], schema=SCHEMA)
    op.create_table(
        "payee_registrations",
        sa.Column("tenant_id", sa.String(64), sa.ForeignKey(f"{SCHEMA}.tenants.tenant_id"), primary_key=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("payee_registrations", schema=SCHEMA)
    op.drop_table("payee_identifiers", schema=SCHEMA)
