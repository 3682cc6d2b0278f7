"""Submission: each claim version keeps what it billed (encounter, payer responsibility, the prior payer's
adjudication), what asked for it, what the payer's 835 made of it, and the payer claim control number a
replacement or void corrects; a billing claim notes a re-coding that waits for the version in flight.

Revision ID: 0004
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0004"
down_revision = "0003"  # re-chained after submission-followup merged into main
branch_labels = None
depends_on = None
SCHEMA = "submission"


def upgrade() -> None:
    op.add_column("submissions", sa.Column("encounter", pg.JSONB), schema=SCHEMA)
    op.add_column("submissions", sa.Column("payer_responsibility", sa.String(10), nullable=False,
                                           server_default="primary"), schema=SCHEMA)
    op.add_column("submissions", sa.Column("trigger", sa.String(32), nullable=False, server_default="coded"),
                  schema=SCHEMA)
    op.add_column("submissions", sa.Column("corrects_payer_claim_control_number", sa.String(50)), schema=SCHEMA)
    op.add_column("submissions", sa.Column("prior_payer", pg.JSONB), schema=SCHEMA)
    op.add_column("submissions", sa.Column("adjudication", sa.String(20)), schema=SCHEMA)
    op.add_column("billing_claims", sa.Column("correction_pending", sa.Boolean, nullable=False,
                                              server_default=sa.false()), schema=SCHEMA)
    op.create_index("submissions_claim_idx", "submissions", ["claim_id", "claim_version"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_index("submissions_claim_idx", "submissions", schema=SCHEMA)
    op.drop_column("billing_claims", "correction_pending", schema=SCHEMA)
    for column in ("adjudication", "prior_payer", "corrects_payer_claim_control_number", "trigger",
                   "payer_responsibility", "encounter"):
        op.drop_column("submissions", column, schema=SCHEMA)
