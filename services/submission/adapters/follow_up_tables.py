"""Submission's tables for acknowledgement results and claim follow-up (276/277), in the `submission` schema."""

from sqlalchemy import Boolean, Column, DateTime, Index, String, Table, Text, func
from sqlalchemy.dialects.postgresql import JSONB, UUID

from services.submission.adapters.tables import metadata

# One row per (acknowledgement, submission) it spoke about: the verdict and its plain-language reasons,
# including the warnings of a 999 "accepted with errors".
acknowledgement_results = Table(
    "acknowledgement_results", metadata,
    Column("delivery_id", String(200), primary_key=True),
    Column("submission_id", UUID(as_uuid=False), primary_key=True),
    Column("claim_id", UUID(as_uuid=False), nullable=False),
    Column("tenant_id", String(64), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("status", String(8), nullable=False),  # IK501/AK901, or the 277CA STC01-1 category
    Column("accepted", Boolean, nullable=False),
    Column("applied", Boolean, nullable=False),  # False when it came too late to change the submission
    Column("reasons", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("acknowledgement_results_claim_idx", "claim_id"),
)

# What submission knows about a claim's follow-up: whether an 835 arrived, and the last inquiry.
claim_follow_ups = Table(
    "claim_follow_ups", metadata,
    Column("claim_id", UUID(as_uuid=False), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("remittance_posted_at", DateTime(timezone=True)),
    Column("era_id", String(64)),
    Column("last_inquiry_id", UUID(as_uuid=False)),
    Column("last_inquiry_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

claim_status_inquiries = Table(
    "claim_status_inquiries", metadata,
    Column("inquiry_id", UUID(as_uuid=False), primary_key=True),
    Column("claim_id", UUID(as_uuid=False), nullable=False),
    Column("tenant_id", String(64), nullable=False),
    Column("submission_id", UUID(as_uuid=False), nullable=False),
    Column("payer_id", String(80), nullable=False),
    Column("reason", String(20), nullable=False),  # no_277ca or no_835
    Column("trace_number", String(50), nullable=False, unique=True),  # TRN02 of the 276, echoed in the 277
    Column("x12_276", Text, nullable=False),
    Column("x12_277", Text),
    Column("outcome", String(20), nullable=False),  # answered, send_failed, parse_error, unmatched
    Column("error", Text),  # codes and positions only
    Column("status_category", String(3)),
    Column("status_code", String(10)),
    Column("entity_code", String(3)),
    Column("status_text", Text),
    Column("statuses", JSONB),
    Column("payer_claim_control_number", String(50)),
    Column("as_of", DateTime(timezone=True), nullable=False),  # the clock the sweep ran with
    Column("sent_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("claim_status_inquiries_claim_idx", "claim_id", "as_of"),
)
