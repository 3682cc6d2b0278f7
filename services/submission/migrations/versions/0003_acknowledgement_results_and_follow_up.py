"""Acknowledgement results per submission, unmatched references and digests on acks, claim follow-up (276/277).

Revision ID: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None
SCHEMA = "submission"


def upgrade() -> None:
    op.add_column("acknowledgements", sa.Column("content_digest", sa.String(64)), schema=SCHEMA)
    op.add_column("acknowledgements", sa.Column("unmatched_references", pg.JSONB), schema=SCHEMA)
    op.create_index("acknowledgements_digest_idx", "acknowledgements", ["content_digest"], schema=SCHEMA)
    op.create_index("acknowledgements_unmatched_idx", "acknowledgements", ["received_at"], schema=SCHEMA,
                    postgresql_where=sa.text("outcome IN ('unmatched', 'partial', 'parse_error')"))
    op.create_table(
        "acknowledgement_results",
        sa.Column("delivery_id", sa.String(200), primary_key=True),
        sa.Column("submission_id", pg.UUID(as_uuid=False), primary_key=True),
        sa.Column("claim_id", pg.UUID(as_uuid=False), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("accepted", sa.Boolean, nullable=False),
        sa.Column("applied", sa.Boolean, nullable=False),
        sa.Column("reasons", pg.JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    op.create_index("acknowledgement_results_claim_idx", "acknowledgement_results", ["claim_id"], schema=SCHEMA)
    op.create_table(
        "claim_follow_ups",
        sa.Column("claim_id", pg.UUID(as_uuid=False), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("remittance_posted_at", sa.DateTime(timezone=True)),
        sa.Column("era_id", sa.String(64)),
        sa.Column("last_inquiry_id", pg.UUID(as_uuid=False)),
        sa.Column("last_inquiry_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    op.create_table(
        "claim_status_inquiries",
        sa.Column("inquiry_id", pg.UUID(as_uuid=False), primary_key=True),
        sa.Column("claim_id", pg.UUID(as_uuid=False), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("submission_id", pg.UUID(as_uuid=False), nullable=False),
        sa.Column("payer_id", sa.String(80), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("trace_number", sa.String(50), nullable=False, unique=True),
        sa.Column("x12_276", sa.Text, nullable=False),
        sa.Column("x12_277", sa.Text),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("status_category", sa.String(3)),
        sa.Column("status_code", sa.String(10)),
        sa.Column("entity_code", sa.String(3)),
        sa.Column("status_text", sa.Text),
        sa.Column("statuses", pg.JSONB),
        sa.Column("payer_claim_control_number", sa.String(50)),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    op.create_index("claim_status_inquiries_claim_idx", "claim_status_inquiries", ["claim_id", "as_of"],
                    schema=SCHEMA)


def downgrade() -> None:
    for table in ("claim_status_inquiries", "claim_follow_ups", "acknowledgement_results"):
        op.drop_table(table, schema=SCHEMA)
    op.drop_index("acknowledgements_unmatched_idx", "acknowledgements", schema=SCHEMA)
    op.drop_index("acknowledgements_digest_idx", "acknowledgements", schema=SCHEMA)
    op.drop_column("acknowledgements", "unmatched_references", schema=SCHEMA)
    op.drop_column("acknowledgements", "content_digest", schema=SCHEMA)
