"""Remittance: the outbox relay wakes on work (a NOTIFY trigger), deletes what it published and parks
what the broker refuses (shared/messaging/migration.py: create_outbox_relay_support).

Revision ID: 0005_outbox_relay
Revises: 0004_adjudications_in_force
"""

from shared.messaging.migration import create_outbox_relay_support, drop_outbox_relay_support

revision = "0005_outbox_relay"
down_revision = "0004_adjudications_in_force"
branch_labels = None
depends_on = None
SCHEMA = "remittance"


def upgrade() -> None:
    create_outbox_relay_support(SCHEMA)


def downgrade() -> None:
    drop_outbox_relay_support(SCHEMA)
