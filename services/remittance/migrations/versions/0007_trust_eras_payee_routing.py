"""Remittance: ERAs are routed to a tenant by their payee. Tenants' payee identifiers are projected from the
tenants topic; an ERA keeps the payee it names, and one no tenant (or two) is paid under waits for an operator.

Revision ID: 0007_trust_eras
Revises: 0006_trust_access
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_trust_eras"
down_revision = "0006_trust_access"
branch_labels = None
depends_on = None
SCHEMA = "remittance"


def upgrade() -> None:
    op.create_table(
        "payee_identifiers",
        sa.Column("kind", sa.String(3), primary_key=True),
        sa.Column("identifier", sa.String(10), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("payee_identifiers_tenant_idx", "payee_identifiers", ["tenant_id"], schema=SCHEMA)
    op.create_table(
        "payee_registrations",
        sa.Column("tenant_id", sa.String(64), primary_key=True),
        sa.Column("revision", sa.Integer, nullable=False),
        schema=SCHEMA,
    )
    op.add_column("eras", sa.Column("payee_name", sa.String(60)), schema=SCHEMA)
    op.add_column("eras", sa.Column("payee_npi", sa.String(80)), schema=SCHEMA)
    op.add_column("eras", sa.Column("payee_tin", sa.String(80)), schema=SCHEMA)
    # The operator queue: ERAs no tenant owns, newest first.
    op.create_index("eras_unrouted_idx", "eras", ["received_at"], schema=SCHEMA,
                    postgresql_where=sa.text("tenant_id IS NULL"))
    # Matching reads a tenant's billed claims by patient control number.
    op.create_index("billed_claims_tenant_pcn_idx", "billed_claims", ["tenant_id", "patient_control_number"],
                    schema=SCHEMA)


def downgrade() -> None:
    op.drop_index("billed_claims_tenant_pcn_idx", "billed_claims", schema=SCHEMA)
    op.drop_index("eras_unrouted_idx", "eras", schema=SCHEMA)
    for column in ("payee_tin", "payee_npi", "payee_name"):
        op.drop_column("eras", column, schema=SCHEMA)
    op.drop_table("payee_registrations", schema=SCHEMA)
    op.drop_table("payee_identifiers", schema=SCHEMA)
