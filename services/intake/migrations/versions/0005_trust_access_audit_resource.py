"""Intake: the audit log names the resource a read disclosed besides its claim, as every service's log does.

Revision ID: 0005_trust_access
Revises: 0004_outbox_relay
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_trust_access"
down_revision = "0004_outbox_relay"
branch_labels = None
depends_on = None
SCHEMA = "intake"


def upgrade() -> None:
    # ADD COLUMN is not an UPDATE: the append-only triggers let it through, and old rows read NULL.
    op.add_column("audit_log", sa.Column("resource_id", sa.String(64)), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("audit_log", "resource_id", schema=SCHEMA)
