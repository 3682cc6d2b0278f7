"""Submission domain core: the 837P writer and the 999 / 277CA acknowledgement readers (no I/O)."""

from services.submission.domain.billable_claim import BillableClaim, ClaimFrequency
from services.submission.domain.errors import (
    AckParseError,
    ClaimNotRepresentable,
    InvalidBillableClaim,
    InvalidInterchangeHeader,
    SubmissionError,
)
from services.submission.domain.interchange_837p import write_837p
from services.submission.domain.interchange_header import InterchangeHeader

__all__ = [
    "AckParseError",
    "BillableClaim",
    "ClaimFrequency",
    "ClaimNotRepresentable",
    "InterchangeHeader",
    "InvalidBillableClaim",
    "InvalidInterchangeHeader",
    "SubmissionError",
    "write_837p",
]
