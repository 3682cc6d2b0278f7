"""Submission batches: claims travel in one 837 interchange per tenant, clearinghouse, payer and kind.

Several submissions now share their batch's interchange control number, so that column is no
longer unique (it stays indexed: a 999 finds its claims by it).

Revision ID: 0002
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0002"
down_revision = "0005"  # revisions merged from parallel branches are chained in merge order: 0001 0003 0004 0005 0002
branch_labels = None
depends_on = None
SCHEMA = "submission"


def upgrade() -> None:
    op.create_table(
        "submission_batches",
        sa.Column("batch_id", pg.UUID(as_uuid=False), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("clearinghouse", sa.String(64), nullable=False),
        sa.Column("payer_id", sa.String(80), nullable=False),
        sa.Column("implementation_guide", sa.String(12), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("claim_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("interchange_control_number", sa.BigInteger, unique=True),
        sa.Column("idempotency_key", sa.String(100), unique=True),
        sa.Column("file_name", sa.String(100)),
        sa.Column("x12", sa.Text),
        sa.Column("send_attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    op.create_index("submission_batches_active_idx", "submission_batches", ["state", "next_attempt_at"],
                    schema=SCHEMA, postgresql_where=sa.text("state IN ('open', 'sending')"))
    op.add_column("submissions", sa.Column("batch_id", pg.UUID(as_uuid=False)), schema=SCHEMA)
    op.create_index("ix_submission_submissions_batch_id", "submissions", ["batch_id"], schema=SCHEMA)
    op.create_index("submissions_unbatched_idx", "submissions", ["created_at"], schema=SCHEMA,
                    postgresql_where=sa.text("status = 'pending' AND batch_id IS NULL"))
    op.drop_constraint("submissions_interchange_control_number_key", "submissions", schema=SCHEMA)
    op.create_index("ix_submission_submissions_interchange_control_number", "submissions",
                    ["interchange_control_number"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_index("ix_submission_submissions_interchange_control_number", "submissions", schema=SCHEMA)
    op.create_unique_constraint("submissions_interchange_control_number_key", "submissions",
                                ["interchange_control_number"], schema=SCHEMA)
    op.drop_index("submissions_unbatched_idx", "submissions", schema=SCHEMA)
    op.drop_index("ix_submission_submissions_batch_id", "submissions", schema=SCHEMA)
    op.drop_column("submissions", "batch_id", schema=SCHEMA)
    op.drop_index("submission_batches_active_idx", "submission_batches", schema=SCHEMA)
    op.drop_table("submission_batches", schema=SCHEMA)
