"""Coding: the append-only audit log of PHI reads (shared/phi_audit.py), as intake has had since its 0002.

Revision ID: 0004_trust_access
Revises: 0003_outbox_relay
"""

from shared.phi_audit_migration import create_audit_log, drop_audit_log

revision = "0004_trust_access"
down_revision = "0003_outbox_relay"
branch_labels = None
depends_on = None
SCHEMA = "coding"


def upgrade() -> None:
    create_audit_log(SCHEMA)


def downgrade() -> None:
    drop_audit_log(SCHEMA)
