"""Coding's tables, in the `coding` schema."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Identity,
    Index,
    Integer,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from shared.phi_audit import audit_log_table
from shared.runtime import service_metadata

SCHEMA = "coding"
metadata, messaging, api_keys = service_metadata(SCHEMA)
audit_log = audit_log_table(metadata)  # PHI reads, append-only (shared/phi_audit.py)

# The claim's current coding: the last decision, or the last coder resolution.
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
    Column("encounter", JSONB),  # the encounter last coded (as billed, or as under review)
    Column("suggestions", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("reasons", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("note_status", String(16)),
    Column("review_id", UUID(as_uuid=False)),
    Column("coding_round", Integer, nullable=False, server_default=text("1")),
    # The code sets the last decision checked against, e.g. {"icd10cm": "ICD-10-CM FY2027", "icd10cm_assumed":
    # false} (migration 0003_coding_release); NULL for claims coded before.
    Column("code_sets", JSONB),
)

# Each tenant's coding policy as intake last announced it (tenant.coding_policy_set); no row: the defaults.
tenant_coding_policies = Table(
    "tenant_coding_policies", metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("hold_undercoding", Boolean, nullable=False),
    Column("when_no_release_covers", String(32), nullable=False),
    Column("announced_at", DateTime(timezone=True), nullable=False),  # the event's time: a late older one loses
)

# The coder review queue: one row per review item; at most one open item per claim.
coding_reviews = Table(
    "coding_reviews", metadata,
    Column("review_id", UUID(as_uuid=False), primary_key=True),
    Column("sequence", BigInteger, Identity(), nullable=False, unique=True),  # queue order and page cursor
    Column("claim_id", UUID(as_uuid=False), nullable=False),
    Column("tenant_id", String(64), nullable=False),
    Column("status", String(16), nullable=False),  # open, assigned, resolved, superseded
    Column("trigger", String(32), nullable=False),  # coding, encounter_corrected, denial
    Column("reasons", JSONB, nullable=False),
    Column("payer_id", String(80), nullable=False),
    Column("date_of_service", Date, nullable=False),
    Column("coding_round", Integer, nullable=False),
    Column("encounter", JSONB, nullable=False),
    Column("diagnoses", JSONB, nullable=False),
    Column("lines", JSONB, nullable=False),
    Column("skipped", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("assigned_to", String(128)),
    Column("assigned_at", DateTime(timezone=True)),
    Column("opened_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("closed_at", DateTime(timezone=True)),
    Column("closed_by", String(128)),
    Index("coding_reviews_queue", "tenant_id", "status", "sequence"),
    Index("coding_reviews_one_open_per_claim", "claim_id", unique=True,
          postgresql_where=text("status IN ('open', 'assigned')")),
)

# Every coder decision, in order: the queue's own copy of the audit trail in the claim's events.
coding_review_decisions = Table(
    "coding_review_decisions", metadata,
    Column("decision_id", BigInteger, Identity(), primary_key=True),
    Column("review_id", UUID(as_uuid=False), nullable=False, index=True),
    Column("claim_id", UUID(as_uuid=False), nullable=False),
    Column("tenant_id", String(64), nullable=False),
    Column("decided_by", String(128), nullable=False),
    Column("action", String(16), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("code", String(16)),
    Column("new_code", String(16)),
    Column("line_number", Integer),
    Column("reason", Text, nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
