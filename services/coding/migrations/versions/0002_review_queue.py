"""Coding: the coder review queue, its decisions, and richer coded claims (encounter, suggestions, round).

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
SCHEMA = "coding"
EMPTY_LIST = sa.text("'[]'::jsonb")


def upgrade() -> None:
    op.add_column("coded_claims", sa.Column("encounter", pg.JSONB), schema=SCHEMA)
    op.add_column("coded_claims", sa.Column("suggestions", pg.JSONB, nullable=False, server_default=EMPTY_LIST),
                  schema=SCHEMA)
    op.add_column("coded_claims", sa.Column("reasons", pg.JSONB, nullable=False, server_default=EMPTY_LIST),
                  schema=SCHEMA)
    op.add_column("coded_claims", sa.Column("note_status", sa.String(16)), schema=SCHEMA)
    op.add_column("coded_claims", sa.Column("review_id", pg.UUID(as_uuid=False)), schema=SCHEMA)
    op.add_column("coded_claims", sa.Column("coding_round", sa.Integer, nullable=False, server_default=sa.text("1")),
                  schema=SCHEMA)
    op.create_table(
        "coding_reviews",
        sa.Column("review_id", pg.UUID(as_uuid=False), primary_key=True),
        sa.Column("sequence", sa.BigInteger, sa.Identity(), nullable=False, unique=True),
        sa.Column("claim_id", pg.UUID(as_uuid=False), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("trigger", sa.String(32), nullable=False),
        sa.Column("reasons", pg.JSONB, nullable=False),
        sa.Column("payer_id", sa.String(80), nullable=False),
        sa.Column("date_of_service", sa.Date, nullable=False),
        sa.Column("coding_round", sa.Integer, nullable=False),
        sa.Column("encounter", pg.JSONB, nullable=False),
        sa.Column("diagnoses", pg.JSONB, nullable=False),
        sa.Column("lines", pg.JSONB, nullable=False),
        sa.Column("skipped", pg.JSONB, nullable=False, server_default=EMPTY_LIST),
        sa.Column("assigned_to", sa.String(128)),
        sa.Column("assigned_at", sa.DateTime(timezone=True)),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("closed_by", sa.String(128)),
        schema=SCHEMA,
    )
    op.create_index("coding_reviews_queue", "coding_reviews", ["tenant_id", "status", "sequence"], schema=SCHEMA)
    op.create_index("coding_reviews_one_open_per_claim", "coding_reviews", ["claim_id"], unique=True, schema=SCHEMA,
                    postgresql_where=sa.text("status IN ('open', 'assigned')"))
    op.create_table(
        "coding_review_decisions",
        sa.Column("decision_id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("review_id", pg.UUID(as_uuid=False), nullable=False),
        sa.Column("claim_id", pg.UUID(as_uuid=False), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("decided_by", sa.String(128), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("code", sa.String(16)),
        sa.Column("new_code", sa.String(16)),
        sa.Column("line_number", sa.Integer),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    op.create_index("ix_coding_review_decisions_review_id", "coding_review_decisions", ["review_id"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_table("coding_review_decisions", schema=SCHEMA)
    op.drop_table("coding_reviews", schema=SCHEMA)
    for column in ("coding_round", "review_id", "note_status", "reasons", "suggestions", "encounter"):
        op.drop_column("coded_claims", column, schema=SCHEMA)
