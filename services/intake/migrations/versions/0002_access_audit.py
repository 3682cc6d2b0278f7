"""Intake: tenant rate limits, OAuth clients, the append-only audit log, claim balances, list index.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None
SCHEMA = "intake"
MONEY = sa.Numeric(12, 2)


def upgrade() -> None:
    op.add_column("tenants", sa.Column("rate_limit_per_second", sa.Float), schema=SCHEMA)
    op.add_column("tenants", sa.Column("rate_limit_burst", sa.Integer), schema=SCHEMA)
    op.create_table(
        "oauth_clients",
        sa.Column("client_id", sa.String(64), primary_key=True),
        sa.Column("tenant_id", sa.String(64), sa.ForeignKey(f"{SCHEMA}.tenants.tenant_id"), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("scopes", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        schema=SCHEMA,
    )
    op.create_index("oauth_clients_tenant_idx", "oauth_clients", ["tenant_id"], schema=SCHEMA)
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
        sa.Column("client_ip", sa.String(64)),
        sa.Column("user_agent", sa.String(500)),
        sa.Column("trace_id", sa.String(32)),
        schema=SCHEMA,
    )
    op.create_index("audit_log_tenant_time_idx", "audit_log", ["tenant_id", "occurred_at"], schema=SCHEMA)
    op.create_index("audit_log_claim_idx", "audit_log", ["claim_id", "occurred_at"], schema=SCHEMA)
    # Append-only in the database itself: whatever code (or person) tries to rewrite history fails.
    op.execute(f"""
        CREATE FUNCTION {SCHEMA}.audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
        END $$
    """)
    op.execute(f"""
        CREATE TRIGGER audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON {SCHEMA}.audit_log
        FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.audit_log_is_append_only()
    """)
    op.execute(f"""
        CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON {SCHEMA}.audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION {SCHEMA}.audit_log_is_append_only()
    """)
    # Balances from claim.remittance_posted: billed stays NULL until a payer adjudicated the claim.
    op.add_column("claims", sa.Column("billed", MONEY), schema=SCHEMA)
    for name in ("paid", "adjusted", "patient_responsibility"):
        op.add_column("claims", sa.Column(name, MONEY, nullable=False, server_default="0"), schema=SCHEMA)
    op.add_column("claims", sa.Column("balance", MONEY), schema=SCHEMA)
    op.create_index("claims_tenant_created_idx", "claims", ["tenant_id", "created_at", "claim_id"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_index("claims_tenant_created_idx", "claims", schema=SCHEMA)
    for name in ("balance", "patient_responsibility", "adjusted", "paid", "billed"):
        op.drop_column("claims", name, schema=SCHEMA)
    op.drop_table("audit_log", schema=SCHEMA)
    op.execute(f"DROP FUNCTION {SCHEMA}.audit_log_is_append_only()")
    op.drop_table("oauth_clients", schema=SCHEMA)
    op.drop_column("tenants", "rate_limit_burst", schema=SCHEMA)
    op.drop_column("tenants", "rate_limit_per_second", schema=SCHEMA)
