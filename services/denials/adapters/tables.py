"""Denials' tables, in the `denials` schema."""

from sqlalchemy import Boolean, Column, DateTime, Numeric, String, Table, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB, UUID

from shared.runtime import service_metadata

SCHEMA = "denials"
metadata, messaging, api_keys = service_metadata(SCHEMA)

denials = Table(
    "denials", metadata,
    Column("denial_id", UUID(as_uuid=False), primary_key=True),
    Column("claim_id", UUID(as_uuid=False), nullable=False, index=True),
    Column("tenant_id", String(64), nullable=False),
    Column("era_id", String(64), nullable=False),
    Column("payer_id", String(80), nullable=False),
    Column("category", String(40), nullable=False),
    Column("root_cause", Text, nullable=False),
    Column("preventable", Boolean, nullable=False),
    Column("recommended_action", Text, nullable=False),
    Column("reason_codes", JSONB, nullable=False),
    Column("remark_codes", JSONB, nullable=False),
    Column("denied_amount", Numeric(12, 2), nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("claim_id", "era_id", name="denials_claim_era_key"),
)
