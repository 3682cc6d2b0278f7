"""Intake's tables, in the `intake` schema."""

from sqlalchemy import Column, DateTime, Integer, Numeric, String, Table, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB, UUID

from shared.runtime import service_metadata

SCHEMA = "intake"
metadata, messaging, api_keys = service_metadata(SCHEMA)

tenants = Table(
    "tenants", metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
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
    UniqueConstraint("tenant_id", "external_id", name="claims_tenant_external_key"),
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
