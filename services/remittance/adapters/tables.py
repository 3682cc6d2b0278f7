"""Remittance's tables, in the `remittance` schema."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
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

SCHEMA = "remittance"
metadata, messaging, api_keys = service_metadata(SCHEMA)
audit_log = audit_log_table(metadata)  # PHI reads, append-only (shared/phi_audit.py)

billed_claims = Table(
    "billed_claims", metadata,
    Column("claim_id", UUID(as_uuid=False), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("patient_control_number", String(20), nullable=False),
    Column("payer_id", String(80), nullable=False),
    Column("claim_version", Integer, nullable=False),
    Column("submission_id", String(64), nullable=False),
    Column("billed", Numeric(12, 2), nullable=False),
    Column("lines", JSONB, nullable=False),
    Column("status", String(32), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("billing_provider_npi", String(10)),
    Column("patient_account_number", String(38)),
    Column("forwarded", Boolean, nullable=False, server_default="false"),  # crossover: CLP02 19/20/21
    Column("first_submitted_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("traceparent", String(55)),  # the claim's trace, which the events an 835 posts for it continue
)

# Every version sent, with its own lines: an 835 is matched to the version it answers (domain/claim_versions).
billed_claim_versions = Table(
    "billed_claim_versions", metadata,
    Column("claim_id", UUID(as_uuid=False), primary_key=True),
    Column("claim_version", Integer, primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("payer_id", String(80), nullable=False),
    Column("frequency_code", String(1)),
    Column("submission_id", String(64), nullable=False),
    Column("billed", Numeric(12, 2), nullable=False),
    Column("lines", JSONB, nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

eras = Table(
    "eras", metadata,
    Column("era_id", UUID(as_uuid=False), primary_key=True),
    Column("delivery_id", String(200), nullable=False),
    Column("transaction_index", Integer, nullable=False),
    Column("tenant_id", String(64)),
    Column("payer_identifier", String(80)),
    Column("payer_name", String(120)),
    Column("trace_number", String(80)),
    Column("total_paid", Numeric(14, 2)),
    Column("payment_method", String(10)),
    Column("payment_date", Date),
    Column("status", String(20), nullable=False),
    Column("hold_reason", Text),
    Column("claims_total", Integer, nullable=False, server_default="0"),
    Column("claims_matched", Integer, nullable=False, server_default="0"),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # What the parser could not read but posting does not need (an unreadable BPR16): position and reason.
    Column("warnings", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    # The payee the ERA names (1000B N1*PE, REF*TJ): what routed it to tenant_id, or left it to an operator.
    Column("payee_name", String(60)),
    Column("payee_npi", String(80)),
    Column("payee_tin", String(80)),
)
# One posting per payer trace number (TRN03 + TRN02), the 835's identity for duplicate detection;
# a held (unbalanced) ERA does not take the number, so the payer's corrected file can post.
Index("eras_payer_trace_key", eras.c.payer_identifier, eras.c.trace_number, unique=True,
      postgresql_where=text("status <> 'held'"))

# Projected from tenant.payee_identifiers_set (intake owns the registry): who is paid under which NPI or
# tax id. An identifier belongs to one tenant; payee_registrations keeps each tenant's last revision applied.
payee_identifiers = Table(
    "payee_identifiers", metadata,
    Column("kind", String(3), primary_key=True),  # npi or tin
    Column("identifier", String(10), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
)

payee_registrations = Table(
    "payee_registrations", metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("revision", Integer, nullable=False),
)

era_claims = Table(
    "era_claims", metadata,
    Column("era_id", UUID(as_uuid=False), primary_key=True),
    Column("claim_index", Integer, primary_key=True),
    Column("claim_id", UUID(as_uuid=False)),
    Column("patient_control_number", String(38), nullable=False),
    Column("status_code", String(2), nullable=False),
    Column("outcome", String(20)),
    Column("billed", Numeric(12, 2), nullable=False),
    Column("paid", Numeric(12, 2), nullable=False),
    Column("patient_responsibility", Numeric(12, 2)),
    Column("payer_claim_control_number", String(50)),
    Column("posted", Boolean, nullable=False),
    Column("hold_reason", Text),
    Column("forwarded", Boolean, nullable=False, server_default="false"),
    Column("claim_version", Integer),  # the billed version the payment answered (None: posted before 0004)
)

ledger_entries = Table(
    "ledger_entries", metadata,
    Column("entry_id", BigInteger, primary_key=True, autoincrement=True),
    Column("claim_id", UUID(as_uuid=False), nullable=False),
    Column("tenant_id", String(64), nullable=False),
    Column("era_id", UUID(as_uuid=False), nullable=False),
    Column("line_control_number", String(50)),
    Column("kind", String(40), nullable=False),
    Column("group_code", String(2)),
    Column("reason_code", String(5)),
    Column("amount", Numeric(12, 2), nullable=False),
    Column("posted_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # The adjudication an entry belongs to: its era_id's, or offsets_era_id's when it offsets an earlier
    # adjudication (superseded, patient responsibility replaced, reversed) - see domain/adjudications.
    Column("payer_identifier", String(80)),  # the ERA payer that adjudicated (TRN03, else N1*PR)
    Column("claim_version", Integer),
    Column("offsets_era_id", UUID(as_uuid=False)),
    Column("offset_reason", String(40)),
)

era_files = Table(
    "era_files", metadata,
    Column("delivery_id", String(200), primary_key=True),
    Column("x12", Text, nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("parse_error", Text),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)


# What remittance needs from the encounter (claim.received): who the patient is, for statements,
# and which coverages follow the one billed, for secondary billing. The patient key is a hash, so
# patients can be named in URLs and logs without their account number.
claim_encounters = Table(
    "claim_encounters", metadata,
    Column("claim_id", UUID(as_uuid=False), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("patient_key", String(64), nullable=False),
    Column("patient", JSONB, nullable=False),
    Column("coverages", JSONB, nullable=False),
    Column("date_of_service", Date, nullable=False),
    Column("billing_provider_name", String(60), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# PLB provider-level adjustments: money between the payer and the provider that belongs to no claim
# payment of the ERA (recoupments, interest, forward balances); linked to a claim when PLB03-2 names one.
payer_account_entries = Table(
    "payer_account_entries", metadata,
    Column("entry_id", BigInteger, primary_key=True, autoincrement=True),
    Column("era_id", UUID(as_uuid=False), nullable=False),
    Column("tenant_id", String(64)),
    Column("payer_identifier", String(80), nullable=False),
    Column("provider_id", String(50), nullable=False),
    Column("fiscal_period_date", Date, nullable=False),
    Column("reason_code", String(2), nullable=False),
    Column("reference_id", String(50)),
    Column("claim_id", UUID(as_uuid=False)),
    Column("amount", Numeric(12, 2), nullable=False),
    Column("posted_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

patient_transactions = Table(
    "patient_transactions", metadata,
    Column("transaction_id", UUID(as_uuid=False), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("patient_key", String(64), nullable=False),
    Column("kind", String(10), nullable=False),  # payment or refund
    Column("amount", Numeric(12, 2), nullable=False),
    Column("method", String(20), nullable=False),
    Column("idempotency_key", String(200), nullable=False),
    Column("request_fingerprint", String(64), nullable=False),
    Column("received_on", Date, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("tenant_id", "idempotency_key", name="patient_transactions_idempotency_key"),
)

statements = Table(
    "statements", metadata,
    Column("statement_id", UUID(as_uuid=False), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("patient_key", String(64), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("document", JSONB, nullable=False),
    Column("pdf", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("tenant_id", "patient_key", "as_of", name="statements_patient_as_of_key"),
)
