"""Errors the submission domain raises; messages name fields and segments, never patient data."""

from __future__ import annotations

from shared.errors import DomainError
from shared.x12.tokenizer import X12SyntaxError


class SubmissionError(DomainError):
    """Base for the submission domain's business-rule errors."""


class InvalidBillableClaim(SubmissionError):
    """A claim handed to the 837P writer breaks a billing rule (frequency, control numbers, lines)."""


class InvalidInterchangeHeader(SubmissionError):
    """The envelope description (ids, control numbers, contact) cannot form a valid ISA/GS/ST."""


class ClaimNotRepresentable(SubmissionError):
    """A value cannot be written in X12 (for example it holds a delimiter or nothing printable)."""


class AckParseError(X12SyntaxError):
    """A 999 or 277CA is malformed; names the segment (and element) where reading stopped."""
