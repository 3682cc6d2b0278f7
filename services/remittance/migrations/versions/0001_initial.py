"""Remittance: billed claims, ERA files and transactions, claim payments, ledger entries.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

from shared.messaging.migration import create_messaging_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None
SCHEMA = "remittance"


def upgrade() -> None:
    create_messaging_tables(SCHEMA)
    op.create_table(
        "billed_claims",
        sa.Column("claim_id", pg.UUID(as_uuid=False), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("patient_control_number", sa.String(20), nullable=False),
        sa.Column("payer_id", sa.String(80), nullable=False),
        sa.Column("claim_version", sa.Integer, nullable=False),
        sa.Column("submission_id", sa.String(64), nullable=False),
        sa.Column("billed", sa.Numeric(12, 2), nullable=False),
        sa.Column("lines", pg.JSONB, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    op.create_index("billed_claims_pcn_idx", "billed_claims", ["patient_control_number"], schema=SCHEMA)
    op.create_table(
        "era_files",
        sa.Column("delivery_id", sa.String(200), primary_key=True),
        sa.Column("x12", sa.Text, nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("parse_error", sa.Text),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    op.create_table(
        "eras",
        sa.Column("era_id", pg.UUID(as_uuid=False), primary_key=True),
        sa.Column("delivery_id", sa.String(200), nullable=False),
        sa.Column("transaction_index", sa.Integer, nullable=False),
        sa.Column("tenant_id", sa.String(64)),
        sa.Column("payer_identifier", sa.String(80)),
        sa.Column("payer_name", sa.String(120)),
        sa.Column("trace_number", sa.String(80)),
        sa.Column("total_paid", sa.Numeric(14, 2)),
        sa.Column("payment_method", sa.String(10)),
        sa.Column("payment_date", sa.Date),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("hold_reason", sa.Text),
        sa.Column("claims_total", sa.Integer, nullable=False, server_default="0"),
        sa.Column("claims_matched", sa.Integer, nullable=False, server_default="0"),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    op.create_index("eras_payer_trace_key", "eras", ["payer_identifier", "trace_number"], unique=True,
                    schema=SCHEMA, postgresql_where=sa.text("status <> 'held'"))
    op.create_index("eras_tenant_idx", "eras", ["tenant_id", "received_at"], schema=SCHEMA)
    op.create_table(
        "era_claims",
        sa.Column("era_id", pg.UUID(as_uuid=False), primary_key=True),
        sa.Column("claim_index", sa.Integer, primary_key=True),
        sa.Column("claim_id", pg.UUID(as_uuid=False)),
        sa.Column("patient_control_number", sa.String(38), nullable=False),
        sa.Column("status_code", sa.String(2), nullable=False),
        sa.Column("outcome", sa.String(20)),
        sa.Column("billed", sa.Numeric(12, 2), nullable=False),
        sa.Column("paid", sa.Numeric(12, 2), nullable=False),
        sa.Column("patient_responsibility", sa.Numeric(12, 2)),
        sa.Column("payer_claim_control_number", sa.String(50)),
        sa.Column("posted", sa.Boolean, nullable=False),
        schema=SCHEMA,
    )
    op.create_index("era_claims_claim_idx", "era_claims", ["claim_id"], schema=SCHEMA)
    op.create_index("era_claims_unposted_pcn_idx", "era_claims", ["patient_control_number"], schema=SCHEMA,
                    postgresql_where=sa.text("NOT posted"))
    op.create_table(
        "ledger_entries",
        sa.Column("entry_id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("claim_id", pg.UUID(as_uuid=False), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("era_id", pg.UUID(as_uuid=False), nullable=False),
        sa.Column("line_control_number", sa.String(50)),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("group_code", sa.String(2)),
        sa.Column("reason_code", sa.String(5)),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    op.create_index("ledger_entries_claim_idx", "ledger_entries", ["claim_id"], schema=SCHEMA)


def downgrade() -> None:
    for table in ("ledger_entries", "era_claims", "eras", "era_files", "billed_claims", "api_keys", "inbox",
                  "outbox", "claim_events"):
        op.drop_table(table, schema=SCHEMA)
