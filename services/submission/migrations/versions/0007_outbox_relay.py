"""Submission: the outbox relay wakes on work (a NOTIFY trigger), deletes what it published and parks
what the broker refuses (shared/messaging/migration.py: create_outbox_relay_support).

Revision ID: 0007_outbox_relay
Revises: 0006_retired_edits
"""

from shared.messaging.migration import create_outbox_relay_support, drop_outbox_relay_support

revision = "0007_outbox_relay"
down_revision = "0006_retired_edits"
branch_labels = None
depends_on = None
SCHEMA = "submission"


def upgrade() -> None:
    create_outbox_relay_support(SCHEMA)


def downgrade() -> None:
    drop_outbox_relay_support(SCHEMA)
