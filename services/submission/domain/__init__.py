"""Submission domain core: the 837P and 837I writers and the 999 / 277CA acknowledgement readers (no I/O)."""

from services.submission.domain.ack_277ca import parse_277ca
from services.submission.domain.ack_999 import (
    ElementError,
    ErrorContext,
    FunctionalAcknowledgement,
    SegmentError,
    TransactionSetAcknowledgement,
    parse_999,
    parse_999_all,
)
from services.submission.domain.billable_claim import BillableClaim, ClaimFrequency
from services.submission.domain.claim_acknowledgement import (
    ClaimAcknowledgement,
    ClaimAcknowledgementReport,
    ClaimStatus,
    LineAcknowledgement,
)
from services.submission.domain.cob_adjudication import (
    CasAdjustment,
    PriorLineAdjudication,
    PriorPayerAdjudication,
)
from services.submission.domain.errors import (
    AckParseError,
    ClaimNotRepresentable,
    InvalidBillableClaim,
    InvalidInterchangeHeader,
    SubmissionError,
)
from services.submission.domain.institutional_claim import (
    InstitutionalClaim,
    InstitutionalDetails,
    InstitutionalLine,
)
from services.submission.domain.interchange_837i import write_837i
from services.submission.domain.interchange_837p import write_837p
from services.submission.domain.interchange_header import InterchangeHeader

__all__ = [
    "AckParseError",
    "BillableClaim",
    "CasAdjustment",
    "ClaimAcknowledgement",
    "ClaimAcknowledgementReport",
    "ClaimFrequency",
    "ClaimNotRepresentable",
    "ClaimStatus",
    "ElementError",
    "ErrorContext",
    "FunctionalAcknowledgement",
    "InstitutionalClaim",
    "InstitutionalDetails",
    "InstitutionalLine",
    "InterchangeHeader",
    "InvalidBillableClaim",
    "InvalidInterchangeHeader",
    "LineAcknowledgement",
    "PriorLineAdjudication",
    "PriorPayerAdjudication",
    "SegmentError",
    "SubmissionError",
    "TransactionSetAcknowledgement",
    "parse_277ca",
    "parse_999",
    "parse_999_all",
    "write_837i",
    "write_837p",
]
