"""Denials: the append-only audit log of PHI reads (shared/phi_audit.py), as intake has had since its 0002.

Revision ID: 0005_trust_access
Revises: 0004_outbox_relay
"""

from shared.phi_audit_migration import create_audit_log, drop_audit_log

revision = "0005_trust_access"
down_revision = "0004_outbox_relay"
branch_labels = None
depends_on = None
SCHEMA = "denials"


def upgrade() -> None:
    create_audit_log(SCHEMA)


def downgrade() -> None:
    drop_audit_log(SCHEMA)
