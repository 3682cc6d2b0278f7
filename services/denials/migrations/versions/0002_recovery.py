"""Denials: denial lines and work-queue fields, billed-claim facts, appeals, write-offs, comments, scrubber proposals.

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
SCHEMA = "denials"
NEW_TABLES = ("scrubber_proposals", "denial_comments", "write_offs", "appeals", "claim_facts")
NEW_DENIAL_COLUMNS = (
    "source", "lines", "liability", "review_required", "unknown_codes", "recoverability", "denied_on",
    "billing_provider_npi", "procedure_codes", "assigned_to", "snoozed_until", "sla_due_at", "resolved_at",
    "resolution", "recovered_amount", "appeal_deadline", "deadline_alerted_at",
)


def _add(column: sa.Column) -> None:
    op.add_column("denials", column, schema=SCHEMA)


def upgrade() -> None:
    _add(sa.Column("source", sa.String(10), nullable=False, server_default="835"))
    _add(sa.Column("lines", pg.JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")))
    _add(sa.Column("liability", sa.String(10), nullable=False, server_default="provider"))
    _add(sa.Column("review_required", sa.Boolean, nullable=False, server_default=sa.text("false")))
    _add(sa.Column("unknown_codes", pg.JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")))
    _add(sa.Column("recoverability", sa.Numeric(4, 3), nullable=False, server_default=sa.text("0.3")))
    _add(sa.Column("denied_on", sa.Date, nullable=True))
    _add(sa.Column("billing_provider_npi", sa.String(10), nullable=True))
    _add(sa.Column("procedure_codes", pg.JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")))
    _add(sa.Column("assigned_to", sa.String(120), nullable=True))
    _add(sa.Column("snoozed_until", sa.DateTime(timezone=True), nullable=True))
    _add(sa.Column("sla_due_at", sa.DateTime(timezone=True), nullable=True))
    _add(sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True))
    _add(sa.Column("resolution", sa.String(30), nullable=True))
    _add(sa.Column("recovered_amount", sa.Numeric(12, 2), nullable=False, server_default=sa.text("0")))
    _add(sa.Column("appeal_deadline", sa.Date, nullable=True))
    _add(sa.Column("deadline_alerted_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "claim_facts",
        sa.Column("claim_id", pg.UUID(as_uuid=False), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("payer_id", sa.String(80), nullable=False),
        sa.Column("billing_provider_npi", sa.String(10), nullable=False),
        sa.Column("patient_control_number", sa.String(38), nullable=False),
        sa.Column("claim_version", sa.Integer, nullable=False),
        sa.Column("frequency_code", sa.String(1), nullable=False),
        sa.Column("total_charge", sa.Numeric(12, 2), nullable=False),
        sa.Column("lines", pg.JSONB, nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "appeals",
        sa.Column("appeal_id", pg.UUID(as_uuid=False), primary_key=True),
        sa.Column("denial_id", pg.UUID(as_uuid=False), nullable=False),
        sa.Column("claim_id", pg.UUID(as_uuid=False), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("denied_on", sa.Date, nullable=False),
        sa.Column("deadline", sa.Date, nullable=False),
        sa.Column("deadline_rule", sa.Text, nullable=False),
        sa.Column("letter_pdf", sa.LargeBinary, nullable=False),
        sa.Column("letter_sha256", sa.String(64), nullable=False),
        sa.Column("evidence_source", sa.String(20), nullable=False),
        sa.Column("appealed_amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("overturned_amount", sa.Numeric(12, 2), nullable=True),
        sa.Column("override_reason", sa.Text, nullable=True),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.Column("sent_by", sa.String(120), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deadline_alerted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("denial_id", "level", name="appeals_denial_level_key"),
        schema=SCHEMA,
    )
    op.create_table(
        "write_offs",
        sa.Column("write_off_id", pg.UUID(as_uuid=False), primary_key=True),
        sa.Column("denial_id", pg.UUID(as_uuid=False), nullable=False),
        sa.Column("claim_id", pg.UUID(as_uuid=False), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("reason_code", sa.String(40), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("requested_by", sa.String(120), nullable=False),
        sa.Column("decided_by", sa.String(120), nullable=True),
        sa.Column("decision_note", sa.Text, nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    op.create_table(
        "denial_comments",
        sa.Column("comment_id", pg.UUID(as_uuid=False), primary_key=True),
        sa.Column("denial_id", pg.UUID(as_uuid=False), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("author", sa.String(120), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    op.create_table(
        "scrubber_proposals",
        sa.Column("proposal_id", pg.UUID(as_uuid=False), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("payer_id", sa.String(80), nullable=False),
        sa.Column("procedure_code", sa.String(10), nullable=False),
        sa.Column("reason_code", sa.String(10), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("occurrences", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("edit_id", sa.String(20), nullable=False),
        sa.Column("last_claim_id", pg.UUID(as_uuid=False), nullable=False),
        sa.Column("decided_by", sa.String(120), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("tenant_id", "payer_id", "procedure_code", "reason_code",
                            name="scrubber_proposals_pattern_key"),
        schema=SCHEMA,
    )
    op.create_index("appeals_denial_idx", "appeals", ["denial_id"], schema=SCHEMA)
    op.create_index("appeals_claim_idx", "appeals", ["claim_id"], schema=SCHEMA)
    op.create_index("write_offs_denial_idx", "write_offs", ["denial_id"], schema=SCHEMA)
    op.create_index("denial_comments_denial_idx", "denial_comments", ["denial_id"], schema=SCHEMA)


def downgrade() -> None:
    for table in NEW_TABLES:
        op.drop_table(table, schema=SCHEMA)
    for column in NEW_DENIAL_COLUMNS:
        op.drop_column("denials", column, schema=SCHEMA)
