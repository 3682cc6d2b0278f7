"""Intake's tables, in the `intake` schema."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from shared.phi_audit import audit_log_table
from shared.runtime import service_metadata

SCHEMA = "intake"
metadata, messaging, api_keys = service_metadata(SCHEMA)

tenants = Table(
    "tenants", metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("rate_limit_per_second", Float),  # NULL: the service's default (migration 0002)
    Column("rate_limit_burst", Integer),
)

claims = Table(
    "claims", metadata,
    Column("claim_id", UUID(as_uuid=False), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("external_id", String(64), nullable=False),
    Column("claim_type", String(20), nullable=False),
    Column("status", String(32), nullable=False),
    Column("status_at", DateTime(timezone=True), nullable=False),
    Column("payer_id", String(80), nullable=False),
    Column("date_of_service", String(10), nullable=False),
    Column("total_charge", Numeric(12, 2), nullable=False),
    Column("encounter", JSONB, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # Balances projected from claim.remittance_posted (migration 0002); billed is NULL until adjudicated.
    Column("billed", Numeric(12, 2)),
    Column("paid", Numeric(12, 2), nullable=False, server_default="0"),
    Column("adjusted", Numeric(12, 2), nullable=False, server_default="0"),
    Column("patient_responsibility", Numeric(12, 2), nullable=False, server_default="0"),
    Column("balance", Numeric(12, 2)),
    UniqueConstraint("tenant_id", "external_id", name="claims_tenant_external_key"),
    Index("claims_tenant_created_idx", "tenant_id", "created_at", "claim_id"),
)

idempotency_keys = Table(
    "idempotency_keys", metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("idempotency_key", String(255), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("response", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

timeline = Table(
    "claim_timeline", metadata,
    Column("event_id", String(64), primary_key=True),
    Column("claim_id", UUID(as_uuid=False), nullable=False, index=True),
    Column("tenant_id", String(64), nullable=False),
    Column("event_type", String(80), nullable=False),
    Column("source", String(40), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("trace_id", String(32)),
    Column("status", String(32)),
    Column("summary", JSONB, nullable=False),
)

# OAuth2 clients (migration 0002): the secret is kept only as its SHA-256, like API keys.
oauth_clients = Table(
    "oauth_clients", metadata,
    Column("client_id", String(64), primary_key=True),
    Column("tenant_id", String(64), ForeignKey("tenants.tenant_id"), nullable=False, index=True),
    Column("secret_hash", String(64), nullable=False, unique=True),
    Column("scopes", String(200), nullable=False),  # space-separated, as in OAuth
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("revoked_at", DateTime(timezone=True)),
)

# Who read which claim's PHI (migrations 0002 and 0005_trust_access); a trigger refuses UPDATE, DELETE and TRUNCATE.
audit_log = audit_log_table(metadata)

# Outbound webhooks (migration 0003). Secrets are kept as issued: HMAC signing needs the key itself.
webhook_endpoints = Table(
    "webhook_endpoints", metadata,
    Column("endpoint_id", String(40), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("url", String(2048), nullable=False),
    Column("description", String(500)),
    Column("event_types", ARRAY(String(80)), nullable=False),
    Column("secret", String(128), nullable=False),
    Column("previous_secret", String(128)),
    Column("previous_secret_expires_at", DateTime(timezone=True)),
    Column("status", String(16), nullable=False, server_default="enabled"),
    Column("disabled_reason", String(200)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("webhook_endpoints_tenant_idx", "tenant_id", "created_at"),
)

webhook_deliveries = Table(
    "webhook_deliveries", metadata,
    Column("delivery_id", String(40), primary_key=True),
    Column("sequence", BigInteger, Identity(), nullable=False, unique=True),
    Column("endpoint_id", String(40), ForeignKey("webhook_endpoints.endpoint_id", ondelete="CASCADE"),
           nullable=False),
    Column("tenant_id", String(64), nullable=False),
    Column("event_type", String(80), nullable=False),
    Column("event_id", String(64), nullable=False),
    Column("claim_id", UUID(as_uuid=False), nullable=False),
    Column("claim_status", String(32), nullable=False),
    Column("body", Text, nullable=False),
    Column("traceparent", String(55)),
    Column("status", String(16), nullable=False, server_default="pending"),
    Column("attempt_count", Integer, nullable=False, server_default="0"),
    Column("window_failures", Integer, nullable=False, server_default="0"),
    Column("queued_at", DateTime(timezone=True), nullable=False),
    Column("next_attempt_at", DateTime(timezone=True)),
    Column("last_attempt_at", DateTime(timezone=True)),
    Column("delivered_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("endpoint_id", "event_id", "claim_status", name="webhook_deliveries_event_key"),
    Index("webhook_deliveries_due_idx", "next_attempt_at", postgresql_where=text("status = 'pending'")),
    Index("webhook_deliveries_endpoint_idx", "endpoint_id", "sequence"),
)

webhook_delivery_attempts = Table(
    "webhook_delivery_attempts", metadata,
    Column("attempt_id", BigInteger, Identity(), primary_key=True),
    Column("delivery_id", String(40), ForeignKey("webhook_deliveries.delivery_id", ondelete="CASCADE"),
           nullable=False),
    Column("attempt_number", Integer, nullable=False),
    Column("attempted_at", DateTime(timezone=True), nullable=False),
    Column("status_code", Integer),
    Column("error", String(80)),
    Column("duration_ms", Integer, nullable=False),
    Column("outcome", String(16), nullable=False),
    Index("webhook_delivery_attempts_delivery_idx", "delivery_id", "attempt_number"),
)

# A tenant's coding policy (migration 0004_coding_release); no row: the defaults (see shared/events/tenant_events.py).
tenant_coding_policies = Table(
    "tenant_coding_policies", metadata,
    Column("tenant_id", String(64), ForeignKey("tenants.tenant_id"), primary_key=True),
    Column("hold_undercoding", Boolean, nullable=False),
    Column("when_no_release_covers", String(32), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# The payee identifiers a tenant is paid under (migration 0004_trust_eras): an 835 is routed to the tenant
# holding its N1*PE NPI or tax id. An identifier belongs to one tenant at most (the primary key).
payee_identifiers = Table(
    "payee_identifiers", metadata,
    Column("kind", String(3), primary_key=True),  # npi or tin
    Column("identifier", String(10), primary_key=True),
    Column("tenant_id", String(64), ForeignKey("tenants.tenant_id"), nullable=False, index=True),
    Column("registered_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# One row per tenant that ever registered payees: the revision its announcements carry, and the row every
# change of the tenant's set locks first, so two changes of one tenant's set take turns.
payee_registrations = Table(
    "payee_registrations", metadata,
    Column("tenant_id", String(64), ForeignKey("tenants.tenant_id"), primary_key=True),
    Column("revision", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
