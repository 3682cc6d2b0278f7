"""Remittance: each billed claim keeps its trace context (the traceparent of the claim.submitted it learned it
from), so the events an 835 posts for it continue that claim's trace, not the webhook's or another claim's.

Revision ID: 0008_claim_traces
Revises: 0007_trust_eras
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_claim_traces"
down_revision = "0007_trust_eras"
branch_labels = None
depends_on = None
SCHEMA = "remittance"


def upgrade() -> None:
    op.add_column("billed_claims", sa.Column("traceparent", sa.String(55)), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("billed_claims", "traceparent", schema=SCHEMA)
