"""Remittance: encounters' coverages and patients, payer accounts (PLB), patient payments, statements.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None
SCHEMA = "remittance"


def upgrade() -> None:
    op.add_column("billed_claims", sa.Column("billing_provider_npi", sa.String(10)), schema=SCHEMA)
    op.add_column("billed_claims", sa.Column("patient_account_number", sa.String(38)), schema=SCHEMA)
    op.add_column("billed_claims", sa.Column("forwarded", sa.Boolean, nullable=False, server_default="false"),
                  schema=SCHEMA)
    op.add_column("billed_claims", sa.Column("first_submitted_at", sa.DateTime(timezone=True), nullable=False,
                                             server_default=sa.func.now()), schema=SCHEMA)
    op.add_column("era_claims", sa.Column("hold_reason", sa.Text), schema=SCHEMA)
    op.add_column("era_claims", sa.Column("forwarded", sa.Boolean, nullable=False, server_default="false"),
                  schema=SCHEMA)
    op.create_table(
        "claim_encounters",
        sa.Column("claim_id", pg.UUID(as_uuid=False), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("patient_key", sa.String(64), nullable=False),
        sa.Column("patient", pg.JSONB, nullable=False),
        sa.Column("coverages", pg.JSONB, nullable=False),
        sa.Column("date_of_service", sa.Date, nullable=False),
        sa.Column("billing_provider_name", sa.String(60), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    op.create_index("claim_encounters_patient_idx", "claim_encounters", ["tenant_id", "patient_key"], schema=SCHEMA)
    op.create_table(
        "payer_account_entries",
        sa.Column("entry_id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("era_id", pg.UUID(as_uuid=False), nullable=False),
        sa.Column("tenant_id", sa.String(64)),
        sa.Column("payer_identifier", sa.String(80), nullable=False),
        sa.Column("provider_id", sa.String(50), nullable=False),
        sa.Column("fiscal_period_date", sa.Date, nullable=False),
        sa.Column("reason_code", sa.String(2), nullable=False),
        sa.Column("reference_id", sa.String(50)),
        sa.Column("claim_id", pg.UUID(as_uuid=False)),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    op.create_index("payer_account_entries_payer_idx", "payer_account_entries", ["tenant_id", "payer_identifier"],
                    schema=SCHEMA)
    op.create_index("payer_account_entries_claim_idx", "payer_account_entries", ["claim_id"], schema=SCHEMA)
    op.create_table(
        "patient_transactions",
        sa.Column("transaction_id", pg.UUID(as_uuid=False), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("patient_key", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("request_fingerprint", sa.String(64), nullable=False),
        sa.Column("received_on", sa.Date, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("tenant_id", "idempotency_key", name="patient_transactions_idempotency_key"),
        schema=SCHEMA,
    )
    op.create_index("patient_transactions_patient_idx", "patient_transactions", ["tenant_id", "patient_key"],
                    schema=SCHEMA)
    op.create_table(
        "statements",
        sa.Column("statement_id", pg.UUID(as_uuid=False), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("patient_key", sa.String(64), nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("document", pg.JSONB, nullable=False),
        sa.Column("pdf", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("tenant_id", "patient_key", "as_of", name="statements_patient_as_of_key"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    for table in ("statements", "patient_transactions", "payer_account_entries", "claim_encounters"):
        op.drop_table(table, schema=SCHEMA)
    for column in ("hold_reason", "forwarded"):
        op.drop_column("era_claims", column, schema=SCHEMA)
    for column in ("billing_provider_npi", "patient_account_number", "forwarded", "first_submitted_at"):
        op.drop_column("billed_claims", column, schema=SCHEMA)
