"""Coding's tables, in the `coding` schema."""

from sqlalchemy import Column, DateTime, Integer, String, Table, func
from sqlalchemy.dialects.postgresql import JSONB, UUID

from shared.runtime import service_metadata

SCHEMA = "coding"
metadata, messaging, api_keys = service_metadata(SCHEMA)

coded_claims = Table(
    "coded_claims", metadata,
    Column("claim_id", UUID(as_uuid=False), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("status", String(32), nullable=False),
    Column("diagnoses", JSONB, nullable=False),
    Column("procedures", JSONB, nullable=False),
    Column("findings", JSONB, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
