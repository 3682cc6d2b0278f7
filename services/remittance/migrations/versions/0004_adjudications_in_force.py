"""Remittance: every billed version keeps its lines; ledger entries say whose adjudication they belong to and
which earlier adjudication they offset (a replacement supersedes the original, a later payer replaces the
patient share, a reversal undoes a posting), so the ledger stays append-only and balances to the cent.

Revision ID: 0004_adjudications_in_force
Revises: 0003_era_warnings
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0004_adjudications_in_force"
down_revision = "0003_era_warnings"
branch_labels = None
depends_on = None
SCHEMA = "remittance"


def upgrade() -> None:
    op.create_table(
        "billed_claim_versions",
        sa.Column("claim_id", pg.UUID(as_uuid=False), primary_key=True),
        sa.Column("claim_version", sa.Integer, primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("payer_id", sa.String(80), nullable=False),
        sa.Column("frequency_code", sa.String(1)),
        sa.Column("submission_id", sa.String(64), nullable=False),
        sa.Column("billed", sa.Numeric(12, 2), nullable=False),
        sa.Column("lines", pg.JSONB, nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA)
    # Only the latest version of a claim was kept before: it is the one version known.
    op.execute(f"INSERT INTO {SCHEMA}.billed_claim_versions (claim_id, claim_version, tenant_id, payer_id, "
               "submission_id, billed, lines, submitted_at) SELECT claim_id, claim_version, tenant_id, payer_id, "
               f"submission_id, billed, lines, updated_at FROM {SCHEMA}.billed_claims")
    op.add_column("era_claims", sa.Column("claim_version", sa.Integer), schema=SCHEMA)
    op.add_column("ledger_entries", sa.Column("payer_identifier", sa.String(80)), schema=SCHEMA)
    op.add_column("ledger_entries", sa.Column("claim_version", sa.Integer), schema=SCHEMA)
    op.add_column("ledger_entries", sa.Column("offsets_era_id", pg.UUID(as_uuid=False)), schema=SCHEMA)
    op.add_column("ledger_entries", sa.Column("offset_reason", sa.String(40)), schema=SCHEMA)


def downgrade() -> None:
    for column in ("offset_reason", "offsets_era_id", "claim_version", "payer_identifier"):
        op.drop_column("ledger_entries", column, schema=SCHEMA)
    op.drop_column("era_claims", "claim_version", schema=SCHEMA)
    op.drop_table("billed_claim_versions", schema=SCHEMA)
