"""Migration operation for a service's PHI audit log, frozen as of its first version.

Append-only in the database itself: a trigger refuses UPDATE, DELETE and TRUNCATE, so whatever
code (or person) tries to rewrite history fails. Intake's log was made this way in its 0002.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def create_audit_log(schema: str) -> None:
    """audit_log in schema, its indexes, and the triggers that keep it append-only."""
    op.create_table(
        "audit_log",
        sa.Column("audit_id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("principal_kind", sa.String(20), nullable=False),
        sa.Column("principal_id", sa.String(64), nullable=False),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("endpoint", sa.String(200), nullable=False),
        sa.Column("claim_id", sa.String(64)),
        sa.Column("resource_id", sa.String(64)),
        sa.Column("client_ip", sa.String(64)),
        sa.Column("user_agent", sa.String(500)),
        sa.Column("trace_id", sa.String(32)),
        schema=schema,
    )
    op.create_index("audit_log_tenant_time_idx", "audit_log", ["tenant_id", "occurred_at"], schema=schema)
    op.create_index("audit_log_claim_idx", "audit_log", ["claim_id", "occurred_at"], schema=schema)
    op.execute(f"""
        CREATE FUNCTION {schema}.audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
        END $$
    """)
    op.execute(f"""
        CREATE TRIGGER audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON {schema}.audit_log
        FOR EACH ROW EXECUTE FUNCTION {schema}.audit_log_is_append_only()
    """)
    op.execute(f"""
        CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON {schema}.audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION {schema}.audit_log_is_append_only()
    """)


def drop_audit_log(schema: str) -> None:
    op.drop_table("audit_log", schema=schema)
    op.execute(f"DROP FUNCTION {schema}.audit_log_is_append_only()")
