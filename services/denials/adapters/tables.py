"""Denials' tables, in the `denials` schema."""

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from shared.phi_audit import audit_log_table
from shared.runtime import service_metadata

SCHEMA = "denials"
metadata, messaging, api_keys = service_metadata(SCHEMA)
audit_log = audit_log_table(metadata)  # PHI reads, append-only (shared/phi_audit.py)

denials = Table(
    "denials", metadata,
    Column("denial_id", UUID(as_uuid=False), primary_key=True),
    Column("claim_id", UUID(as_uuid=False), nullable=False, index=True),
    Column("tenant_id", String(64), nullable=False),
    Column("era_id", String(64), nullable=False),  # the ERA, or the submission a 999/277CA rejected
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
    Column("source", String(10), nullable=False, server_default="835"),
    Column("lines", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("liability", String(10), nullable=False, server_default="provider"),
    Column("review_required", Boolean, nullable=False, server_default=text("false")),
    Column("unknown_codes", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("recoverability", Numeric(4, 3), nullable=False, server_default=text("0.3")),
    Column("denied_on", Date, nullable=True),
    Column("billing_provider_npi", String(10), nullable=True),
    Column("procedure_codes", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("assigned_to", String(120), nullable=True),
    Column("snoozed_until", DateTime(timezone=True), nullable=True),
    Column("sla_due_at", DateTime(timezone=True), nullable=True),
    Column("resolved_at", DateTime(timezone=True), nullable=True),
    Column("resolution", String(30), nullable=True),
    Column("recovered_amount", Numeric(12, 2), nullable=False, server_default=text("0")),
    Column("appeal_deadline", Date, nullable=True),  # first-level, from the denial date
    Column("deadline_alerted_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("claim_id", "era_id", name="denials_claim_era_key"),
)

# What submission billed, from claim.submitted: lines, provider and payer for letters and analytics.
claim_facts = Table(
    "claim_facts", metadata,
    Column("claim_id", UUID(as_uuid=False), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("payer_id", String(80), nullable=False),
    Column("billing_provider_npi", String(10), nullable=False),
    Column("patient_control_number", String(38), nullable=False),
    Column("claim_version", Integer, nullable=False),
    Column("frequency_code", String(1), nullable=False),
    Column("total_charge", Numeric(12, 2), nullable=False),
    Column("lines", JSONB, nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
)

appeals = Table(
    "appeals", metadata,
    Column("appeal_id", UUID(as_uuid=False), primary_key=True),
    Column("denial_id", UUID(as_uuid=False), nullable=False, index=True),
    Column("claim_id", UUID(as_uuid=False), nullable=False, index=True),
    Column("tenant_id", String(64), nullable=False),
    Column("level", String(10), nullable=False),
    Column("status", String(20), nullable=False),
    Column("denied_on", Date, nullable=False),
    Column("deadline", Date, nullable=False),
    Column("deadline_rule", Text, nullable=False),
    Column("letter_pdf", LargeBinary, nullable=False),
    Column("letter_sha256", String(64), nullable=False),
    Column("evidence_source", String(20), nullable=False),  # coding, or unavailable
    Column("appealed_amount", Numeric(12, 2), nullable=False),
    Column("overturned_amount", Numeric(12, 2), nullable=True),
    Column("override_reason", Text, nullable=True),
    Column("created_by", String(120), nullable=False),
    Column("sent_by", String(120), nullable=True),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("deadline_alerted_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("denial_id", "level", name="appeals_denial_level_key"),
)

write_offs = Table(
    "write_offs", metadata,
    Column("write_off_id", UUID(as_uuid=False), primary_key=True),
    Column("denial_id", UUID(as_uuid=False), nullable=False, index=True),
    Column("claim_id", UUID(as_uuid=False), nullable=False),
    Column("tenant_id", String(64), nullable=False),
    Column("amount", Numeric(12, 2), nullable=False),
    Column("reason_code", String(40), nullable=False),
    Column("note", Text, nullable=True),
    Column("status", String(20), nullable=False),
    Column("requested_by", String(120), nullable=False),
    Column("decided_by", String(120), nullable=True),
    Column("decision_note", Text, nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

denial_comments = Table(
    "denial_comments", metadata,
    Column("comment_id", UUID(as_uuid=False), primary_key=True),
    Column("denial_id", UUID(as_uuid=False), nullable=False, index=True),
    Column("tenant_id", String(64), nullable=False),
    Column("author", String(120), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

scrubber_proposals = Table(
    "scrubber_proposals", metadata,
    Column("proposal_id", UUID(as_uuid=False), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("payer_id", String(80), nullable=False),
    Column("procedure_code", String(10), nullable=False),
    Column("reason_code", String(10), nullable=False),
    Column("category", String(40), nullable=False),
    Column("occurrences", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("edit_id", String(20), nullable=False),
    Column("last_claim_id", UUID(as_uuid=False), nullable=False),
    Column("decided_by", String(120), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("retired_by", String(120), nullable=True),
    Column("retired_at", DateTime(timezone=True), nullable=True),
    Column("retirement_reason", Text, nullable=True),
    UniqueConstraint("tenant_id", "payer_id", "procedure_code", "reason_code", name="scrubber_proposals_pattern_key"),
)
