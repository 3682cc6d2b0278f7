"""Submission's tables, in the `submission` schema."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Integer,
    Sequence,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from shared.phi_audit import audit_log_table
from shared.runtime import service_metadata

SCHEMA = "submission"
metadata, messaging, api_keys = service_metadata(SCHEMA)
audit_log = audit_log_table(metadata)  # PHI reads, append-only (shared/phi_audit.py)

# ISA13/GS06/ST02 must be unique per sender: a database sequence survives restarts and instances.
interchange_control_numbers = Sequence("interchange_control_numbers", metadata=metadata, start=1,
                                       maxvalue=999_999_999, cycle=True)

billing_claims = Table(
    "billing_claims", metadata,
    Column("claim_id", UUID(as_uuid=False), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("patient_control_number", String(20), nullable=False, unique=True),
    Column("encounter", JSONB, nullable=False),
    Column("current_version", Integer, nullable=False),
    Column("payer_claim_control_number", String(50)),
    Column("status", String(32), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # A re-coding that arrived while a version awaited the payer: billed once that version is answered (0004).
    Column("correction_pending", Boolean, nullable=False, server_default=false()),
)

submissions = Table(
    "submissions", metadata,
    Column("submission_id", UUID(as_uuid=False), primary_key=True),
    Column("claim_id", UUID(as_uuid=False), nullable=False),
    Column("tenant_id", String(64), nullable=False),
    Column("claim_version", Integer, nullable=False),
    Column("frequency_code", String(1), nullable=False),
    Column("payer_id", String(80), nullable=False),
    Column("status", String(20), nullable=False),
    # The batch's ISA13 once the claim is batched: shared by every claim of that interchange.
    Column("interchange_control_number", BigInteger, nullable=False, index=True),
    Column("x12", Text, nullable=False),
    Column("traceparent", String(64)),
    Column("send_attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
    Column("ack_999", String(2)),
    Column("ack_277ca", JSONB),
    Column("payer_claim_control_number", String(50)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("sent_at", DateTime(timezone=True)),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # What the version billed and why (migration 0004): corrections and secondary billing read them.
    Column("encounter", JSONB),
    Column("payer_responsibility", String(10), nullable=False, server_default="primary"),
    Column("trigger", String(32), nullable=False, server_default="coded"),
    Column("corrects_payer_claim_control_number", String(50)),
    Column("prior_payer", JSONB),
    Column("adjudication", String(20)),  # the 835's outcome for this version: paid, denied, reversed, ...
    Column("batch_id", UUID(as_uuid=False), index=True),  # the interchange that carried it (migration 0002)
    UniqueConstraint("claim_id", "claim_version", name="submissions_claim_version_key"),
)

acknowledgements = Table(
    "acknowledgements", metadata,
    Column("delivery_id", String(200), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("x12", Text, nullable=False),
    Column("parse_error", Text),
    Column("outcome", String(20), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("content_digest", String(64)),  # sha256 of the X12: the same ack under a new delivery id applies once
    Column("unmatched_references", JSONB),  # what named no claim or submission we know (control numbers, CLM01s)
)

# One 837 interchange per batch: claims of one tenant, clearinghouse, payer and kind (open -> sending -> sent | failed).
submission_batches = Table(
    "submission_batches", metadata,
    Column("batch_id", UUID(as_uuid=False), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("clearinghouse", String(64), nullable=False),
    Column("payer_id", String(80), nullable=False),
    Column("implementation_guide", String(12), nullable=False),
    Column("state", String(10), nullable=False),
    Column("claim_count", Integer, nullable=False, server_default="0"),
    Column("interchange_control_number", BigInteger, unique=True),
    Column("idempotency_key", String(100), unique=True),
    Column("file_name", String(100)),
    Column("x12", Text),
    Column("send_attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
    Column("opened_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("closed_at", DateTime(timezone=True)),
    Column("sent_at", DateTime(timezone=True)),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
